"""What every command shares: the clock, option groups, parameter types, settings and inputs,
and the one place where the library's errors become messages and exit codes.

Library modules are imported inside functions, so that `advisory --help` stays fast and only
commands that render pay for WeasyPrint.
"""

from __future__ import annotations

import datetime as dt
import errno
import gc
import logging
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from advisory.config import Config
    from advisory.errors import Problem
    from advisory.inputs import Inputs
    from advisory.rendering.pool import Workers

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE


def now() -> dt.datetime:
    """The one place the program reads the clock."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def moment(config: Config, as_of: dt.datetime | None) -> dt.datetime:
    """The moment a command works at: `--as-of` (read in the site's zone when it has none of
    its own), else now; as a moment in the site's zone, whose date is the site's date."""
    return config.local(as_of if as_of is not None else now())


# --- options and parameter types --------------------------------------------------------------


def options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


incident_options = options(
    click.option(
        "--rules",
        "rules_dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="Rules folder: scoring.yaml and regions/*.yaml. [default: rules]",
    ),
    click.option(
        "--incidents",
        "incident_patterns",
        multiple=True,
        metavar="FILE_OR_GLOB",
        help="Incident files (.csv, .yaml, .json) or glob patterns; repeatable. "
        "[default: data/*.csv]",
    ),
)
roster_option = click.option(
    "--roster",
    "roster_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Traveler roster. [default: data/travelers.yaml]",
)


def finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """A number option's value, refused when it is NaN or infinite."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number")
    return value


wait_option = click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    callback=finite,
    help="Seconds to wait for another run's lock before giving up (exit 75).",
)


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


#: `--jobs` at most this many times the cores: each render process holds a WeasyPrint of its
#: own (about 100 MB), and more processes than cores only wait for them.
JOBS_PER_CORE = 4


def _jobs(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    most = JOBS_PER_CORE * cores()
    if value is not None and value > most:
        raise click.BadParameter(
            f"{value} is more than {most} ({JOBS_PER_CORE} per core of the {cores()} here)"
        )
    return value


jobs_option = click.option(
    "--jobs",
    type=click.IntRange(min=1),
    callback=_jobs,
    help=f"Processes that render PDFs, at most {JOBS_PER_CORE} per core. [default: one per core]",
)
output_options = options(
    click.option(
        "--format",
        "formats",
        default="html,pdf",
        show_default=True,
        metavar="html,pdf",
        help="Which files to write: html, pdf or both, separated by a comma.",
    ),
    click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="Folder to write into. [default: output]",
    ),
    click.option(
        "--templates",
        "templates_dir",
        type=click.Path(path_type=Path, file_okay=False, exists=True),
        help="Templates folder. [default: the templates shipped with advisory]",
    ),
    click.option(
        "--strict",
        is_flag=True,
        help="Fail when rendering warns (CSS it cannot use, a resource it refused to fetch).",
    ),
)


class AsOf(click.ParamType):  # type: ignore[type-arg]
    """A date (`2018-06-26`, midnight) or an ISO date and time. Without a zone it is returned
    naive, and the command reads it in the site's zone (`Config.local`)."""

    name = "DATETIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from advisory.calendar import OutOfRange, parse_moment

        if isinstance(value, dt.datetime):
            return value
        try:
            return parse_moment(str(value))
        except OutOfRange as e:
            self.fail(str(e))
        except ValueError:
            self.fail(f"{value!r} is not a date (2018-06-26) or date and time (2018-06-26T11:35Z)")


class IsoWeek(click.ParamType):  # type: ignore[type-arg]
    """`2018-W25`: an ISO week, as the date of its Monday."""

    name = "YYYY-Www"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from advisory.calendar import OutOfRange, parse_week

        if isinstance(value, dt.date):
            return value
        try:
            return parse_week(str(value))
        except OutOfRange as e:
            self.fail(str(e))
        except ValueError:
            self.fail(f"{value!r} is not an ISO week such as 2018-W25")


class Day(click.ParamType):  # type: ignore[type-arg]
    """`2018-06-26`."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from advisory.calendar import OutOfRange, parse_day

        if isinstance(value, dt.date):
            return value
        try:
            return parse_day(str(value))
        except OutOfRange as e:
            self.fail(str(e))
        except ValueError:
            self.fail(f"{value!r} is not a date such as 2018-06-26")


def formats_of(value: str) -> tuple[str, ...]:
    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    if not chosen or any(part not in {"html", "pdf"} for part in chosen):
        raise click.BadParameter("give html, pdf or html,pdf", param_hint="--format")
    return tuple(dict.fromkeys(chosen))


def jobs_or_cores(jobs: int | None) -> int:
    return jobs or cores()


def workers_for(config: Config, jobs: int, *, strict: bool = False) -> Workers:
    """The processes that render a command's PDFs, to be entered before the modules that read
    and write the week are imported: forked from a small process, they start sooner and carry
    less memory."""
    from advisory.rendering.pool import Workers
    from advisory.rendering.renderer import Renderer

    return Workers(Renderer(config.templates, strict=strict), jobs)


# --- settings, inputs and errors --------------------------------------------------------------


def config_of(ctx: click.Context, **overrides: Any) -> Config:
    """Settings from the command line over the environment over the file over the defaults."""
    from advisory.config import load_config

    chosen = {k: (str(v) if isinstance(v, Path) else v) for k, v in overrides.items()}
    with failures():
        config = load_config(ctx.obj["config"] if ctx.obj else None, chosen)
    if ctx.obj is not None:
        ctx.obj["state"] = config.state  # where a crash report goes
        ctx.obj["site"] = config  # for the line that helps outside a site
    return config


def preflight(config: Config, *places: str) -> None:
    """Exit 2 before any work when a place the command writes cannot be written."""
    from advisory.config import check_places
    from advisory.errors import ConfigError

    with failures():
        problems = check_places(config, places)
        if problems:
            raise ConfigError(problems)


def load(config: Config, *, roster: bool = False, text: bool = True) -> Inputs:
    """The inputs, their warnings printed; every problem and exit 2 when any is an error.
    Without `text`, the incidents' free text is checked but not kept."""
    from advisory.inputs import load_configured

    with failures():
        inputs = load_configured(config, roster=roster, text=text)
    print_problems(inputs.warnings)
    # The inputs (tens of thousands of objects for a world's regions) live until the command
    # ends: the cycle collector need not walk them again on every full collection.
    gc.freeze()
    return inputs


def known_regions(inputs: Inputs, region_ids: Sequence[str], hint: str) -> None:
    from advisory.errors import not_one_of

    known = [r.id for r in inputs.rules.regions]
    for region_id in region_ids:
        if region_id not in known:
            raise click.BadParameter(not_one_of(region_id, known, "a region"), param_hint=hint)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector held off while an import reads its rows into lists and dicts: they
    hold no cycles, and every full collection would walk all the rows read so far."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def failures() -> Iterator[None]:
    """The library's errors as a message and an exit status: bad input (every problem, exit
    2, nothing written), another run's lock (75), a failed run or an unwritable file (1)."""
    from advisory.errors import AdvisoryError, InputError

    try:
        yield
    except InputError as e:
        fail_with_problems(e.problems)
    except AdvisoryError as e:
        outcome.error("failed (exit %d): %s", e.exit_code, e)
        click.echo(f"advisory: {e}", err=True)
        sys.exit(e.exit_code)
    except OSError as e:
        said = f"{e.filename}: {e.strerror}" if e.filename and e.strerror else str(e)
        if e.errno == errno.ENOSPC:
            said += " (the disk is full)"
        outcome.error("failed (exit %d): %s", EXIT_FAILED, said)
        click.echo(f"advisory: {said}", err=True)
        sys.exit(EXIT_FAILED)


def _outside_a_site() -> str | None:
    """The line for a command run outside any site: no settings file found and no rules
    folder where the defaults look (None inside a site)."""
    ctx = click.get_current_context(silent=True)
    config = ctx.find_root().obj.get("site") if ctx is not None and ctx.find_root().obj else None
    if config is None or config.file is not None or config.rules.exists():
        return None
    return (
        f"advisory: no site here: no advisory.yaml in {Path.cwd()}, and neither --config nor "
        "$ADVISORY_CONFIG names one. Make a site with `advisory init DIR` (the demo, ready to "
        "run) and run from it, or give --config SITE/advisory.yaml"
    )


def print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def fail_with_problems(problems: Sequence[Problem]) -> NoReturn:
    print_problems(problems)
    if (hint := _outside_a_site()) is not None:
        click.echo(hint, err=True)
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    summary = f"{errors} error{'s' if errors != 1 else ''}"
    if warnings:
        summary += f", {warnings} warning{'s' if warnings != 1 else ''}"
    for problem in problems:
        outcome.error("%s", problem)
    outcome.error("failed (exit %d): bad input (%s); nothing was written", EXIT_BAD_INPUT, summary)
    click.echo(f"advisory: bad input ({summary}); nothing was written", err=True)
    sys.exit(EXIT_BAD_INPUT)


def echo_all(lines: Sequence[str], *, err: bool = False) -> None:
    for line in lines:
        click.echo(line, err=err)


# --- the terminal and the log -----------------------------------------------------------------


class _IsoFormatter(logging.Formatter):
    """`2026-11-23T06:00:04.512+00:00 INFO render: 0.812 s`: ISO 8601 with the zone."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = dt.datetime.fromtimestamp(record.created).astimezone()
        return moment.isoformat(timespec="milliseconds")


#: The run's outcome and errors: to `log_file` only (the terminal gets them from click).
outcome = logging.getLogger("advisory.outcome")


def configure_logging(verbose: bool, log_file: Path | None = None) -> None:
    """Stage lines and timings to `log_file` when given, and to stderr only when `verbose`;
    warnings to stderr always (to the log file too). The outcome logger writes to the log file
    only."""
    formatter = _IsoFormatter("%(asctime)s %(levelname)s %(message)s")
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.INFO if verbose else logging.WARNING)
    handlers: list[logging.Handler] = [terminal]
    outcome.handlers.clear()
    outcome.propagate = False
    outcome.setLevel(logging.INFO)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        # Created readable by its owner only: logs name travelers (by id) and their places.
        os.close(os.open(log_file, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
        to_file = logging.FileHandler(log_file, encoding="utf-8")
        to_file.setLevel(logging.INFO)
        handlers.append(to_file)
        outcome.addHandler(to_file)
    else:
        outcome.addHandler(logging.NullHandler())
    for handler in handlers:
        handler.setFormatter(formatter)
    level = logging.INFO if verbose or log_file is not None else logging.WARNING
    logging.basicConfig(level=level, handlers=handlers, force=True)
    # A log line that cannot be written (a full disk) is lost, not printed as a traceback.
    logging.raiseExceptions = False
    # WeasyPrint narrates every layout step at INFO; its warnings still show.
    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.WARNING)


def progress_bar() -> Callable[[int], None] | None:
    """A rendering progress bar on stderr, only when a person watches a terminal."""
    if not (sys.stdout.isatty() and sys.stderr.isatty()):
        return None
    bar: Any = None

    def step(total: int) -> None:
        nonlocal bar
        if total:
            bar = click.progressbar(length=total, label="Rendering", file=sys.stderr)
            bar.__enter__()
            return
        bar.update(1)
        if bar.pos >= bar.length:
            bar.__exit__(None, None, None)

    return step


def program() -> str:
    """The `advisory` command being run, by its full path where it has one: cron's PATH is short."""
    script = Path(sys.executable).parent / "advisory"
    return str(script) if script.is_file() else "advisory"


def crash(ctx: click.Context, error: BaseException) -> NoReturn:
    """An exception no command expected: one line on the terminal, the traceback in a crash
    report readable by its owner only (STATE/crash-*.txt, else the temporary folder), exit 70.
    What the run was writing stays unpublished: every output is written aside and renamed."""
    import tempfile
    import traceback

    from advisory import program_version

    moment = now()
    folder = (ctx.obj or {}).get("state") or Path(tempfile.gettempdir())
    name = f"crash-{moment:%Y%m%dT%H%M%SZ}-{os.getpid()}.txt"
    report = "".join(
        [
            f"advisory {program_version()} crashed at {moment.isoformat()}\n",
            f"command: {' '.join(sys.argv)}\n\n",
            *traceback.format_exception(error),
        ]
    )
    where: Path | str
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        where = folder / name
        descriptor = os.open(where, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as f:
            f.write(report)
    except OSError as e:
        where = f"nowhere ({e.strerror})"
    summary = f"{type(error).__name__}: {error}".splitlines()[0][:200]
    outcome.error("failed (exit %d): internal error (%s); details in %s", EXIT_INTERNAL, summary,
                  where)  # fmt: skip
    click.echo(f"advisory: internal error ({summary}); details in {where}", err=True)
    sys.exit(EXIT_INTERNAL)
