"""The `advisory` command: a thin shell over the library.

Each command parses its options, calls one library function and prints its result; the
library's errors become messages and exit codes in one place (`common.failures`), and any other
exception becomes one line and a crash report (`common.crash`). Exit status: 0 done, 1 the run
failed, 2 bad input or usage (nothing written), 70 an internal error, 75 another run holds the
lock.
"""

from __future__ import annotations

import atexit
import gc
import os
from pathlib import Path

# The table engine's allocator (jemalloc) keeps the pages a run frees unless told otherwise, so
# a command that reads a large log would hold its highest memory to the end. Freed pages go
# back to the system within half a second instead (unless the environment sets its own).
# Read once, when the engine loads: every command imports it later than this.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:500,muzzy_decay_ms:0")
from typing import Any

import click

from advisory.cli.briefing import brief, briefs
from advisory.cli.calibrating import calibrate
from advisory.cli.common import configure_logging, crash
from advisory.cli.delivery import deliveries, purge
from advisory.cli.documents import alert, bulletin
from advisory.cli.importing import import_
from advisory.cli.inputs import init, rate, schema, validate
from advisory.cli.weekly import flash, history, weekly


class _Guarded(click.Group):
    """The command group, with one guard for exceptions no command expected."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:  # the last line of defence
            crash(ctx, error)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    None, "-V", "--version", package_name="advisory", message="%(prog)s %(version)s"
)
@click.option(
    "-v", "--verbose", is_flag=True,
    help="Log each stage and its duration to stderr (to log_file they always go).",
)  # fmt: skip
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Settings file. [default: $ADVISORY_CONFIG, else ./advisory.yaml, else built-in]",
)
@click.pass_context
def main(ctx: click.Context, verbose: bool, config_path: Path | None) -> None:
    """Travel-security advisories from an incident log.

    Rules in rules/ turn recent incidents into a risk level per region; the commands below
    check the inputs, rate the regions, and write alerts and the weekly bulletin.
    """
    ctx.obj = {"config": config_path, "verbose": verbose}
    # At exit, the interpreter's last collection would walk every object the command made,
    # to free what the process is about to hand back whole.
    atexit.register(gc.freeze)
    configure_logging(verbose)


for command in (
    init, validate, rate, calibrate, alert, bulletin, weekly, flash, brief, briefs, deliveries,
    purge, import_, history, schema,
):  # fmt: skip
    main.add_command(command)
