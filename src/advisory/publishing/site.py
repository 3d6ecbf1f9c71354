"""`advisory init`: a ready site in a folder of its own — settings, rules, incident log, roster.

A site is what a security team runs from: `advisory.yaml` with every setting shown at its
default, the shipped rules to edit, the demo log and roster (or empty ones) and a README that
says what to edit first and how to schedule the weekly run. A new or empty folder is built
beside its place and renamed into it, so it is never half-made. Into a folder that has files,
`force` adds only what is missing: a file that differs from what init would write is kept, and
named.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from advisory import shipped
from advisory.config import CONFIG_FILE, ENVIRONMENT, Settings
from advisory.errors import AdvisoryError
from advisory.publishing.atomic import write_bytes_atomic

INCIDENTS = "data/incidents.csv"
ROSTER = "data/travelers.yaml"
#: Files of the shipped rules folder that a site gets (not editor back-ups or caches).
RULE_FILES = ("*.yaml", "*.yml", "*.json")
#: The shipped templates' folder of the site's own files: README, empty roster, .gitignore.
SKELETON = "site"


class SiteError(AdvisoryError):
    """The folder cannot take a new site: nothing was written."""

    exit_code = 2


@dataclass
class SiteReport:
    """What `init` did to each file of the site, by its path in the site."""

    folder: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def site_files(site: Path, program: str, *, empty: bool) -> dict[str, bytes]:
    """Every file of a new site, by its path inside the site.

    `site` and `program` (the `advisory` command to schedule) are written into the README's
    crontab and systemd examples. With `empty`, the incident log has only its header, the
    roster no travelers and the rules no region files (every country is the world file's until
    the team writes its own); otherwise they are the demo's.
    """
    from advisory.inputs.incidents import COLUMNS

    rules = shipped.rules()
    files: dict[str, bytes] = {CONFIG_FILE: settings_file_text().encode()}
    for pattern in RULE_FILES:
        for path in rules.rglob(pattern):
            name = path.relative_to(rules).as_posix()
            if empty and name.startswith("regions/"):
                continue  # the demo's Peru regions: a new team's countries are the world file's
            files[f"rules/{name}"] = path.read_bytes()
    if empty:
        files[INCIDENTS] = (",".join(COLUMNS) + "\n").encode()
        files[ROSTER] = (shipped.templates() / SKELETON / "travelers.yaml").read_bytes()
    else:
        demo = shipped.demo()
        files[INCIDENTS] = (demo / "incidents.csv").read_bytes()
        files[ROSTER] = (demo / "travelers.yaml").read_bytes()
        for path in sorted((demo / "official").glob("*.json")):  # illustrative, for 2018-W25
            files[f"data/official/{path.name}"] = path.read_bytes()
    files["README.md"] = site_readme(site, program, empty=empty).encode()
    for unit in UNITS:
        files[unit] = _skeleton(f"{unit}.j2", site, program, empty=empty).encode()
    files[".gitignore"] = (shipped.templates() / SKELETON / "gitignore").read_bytes()
    files[ENV_FILE] = (shipped.templates() / SKELETON / "advisory.env").read_bytes()
    return dict(sorted(files.items()))


#: The site's secrets for the scheduled run (the SMTP password), read by cron and systemd.
ENV_FILE = "advisory.env"
#: Files of a site that only their owner may read.
PRIVATE = frozenset({ENV_FILE})


def _mode(name: str) -> int | None:
    return 0o600 if name in PRIVATE else None


def create_site(folder: Path, files: Mapping[str, bytes], *, force: bool = False) -> SiteReport:
    """Write a site into `folder`. Raises `SiteError` (nothing written) when `folder` is a file,
    or has files and `force` is not given."""
    report = SiteReport(folder)
    if folder.exists() and not folder.is_dir():
        raise SiteError(f"{folder} exists and is not a folder; nothing was written")
    present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    if present and not force:
        shown = ", ".join(present[:5]) + (
            f" and {len(present) - 5} more" if len(present) > 5 else ""
        )
        raise SiteError(
            f"{folder} is not empty ({shown}); nothing was written. "
            "Give --force to add only the files it lacks"
        )
    if not present:
        _build_beside(folder, files)
        report.written = list(files)
        return report
    for name, data in files.items():
        target = folder / name
        if not target.exists():
            write_bytes_atomic(target, data, mode=_mode(name))
            report.written.append(name)
        elif target.is_file() and target.read_bytes() == data:
            report.unchanged.append(name)
        else:
            report.kept.append(name)
    return report


def _build_beside(folder: Path, files: Mapping[str, bytes]) -> None:
    """Build the site in a hidden folder beside `folder`, then rename it into place (over an
    empty folder, which rename allows)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = folder.parent / f".{folder.name}.init-{os.getpid()}"
    try:
        for name, data in files.items():
            write_bytes_atomic(building / name, data, mode=_mode(name))
        building.rename(folder)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


# --- the settings file ------------------------------------------------------------------------


def settings_file_text() -> str:
    """`advisory.yaml` with every setting commented out at its default, each with what it does
    and the environment variable that overrides it. Removing a `#` turns a setting on."""
    lines = [
        "# yaml-language-server: $schema=rules/schema/settings.schema.json",
        "# Settings of this site. Every setting is shown at its default, commented out: remove",
        "# the '#' in front of a setting (and in front of its section, for an indented one) to",
        "# change it. Relative paths are taken from this file's folder. An environment variable",
        "# (named below) overrides the file, and a command-line option overrides both.",
        "version: 1",
    ]
    variables = {setting: variable for variable, setting in ENVIRONMENT.items()}
    for name, info in Settings.model_fields.items():
        if name == "version":
            continue
        section = info.annotation
        lines.append("")
        if isinstance(section, type) and issubclass(section, BaseModel):
            lines += _comment(_docstring(section), "")
            lines.append(f"#{name}:")
            for inner, inner_info in section.model_fields.items():
                variable = variables.get(f"{name}.{inner}")
                lines += _setting(inner, inner_info, variable, "  ")
        else:
            lines += _setting(name, info, variables.get(name), "")
    return "\n".join(lines) + "\n"


def _setting(name: str, info: FieldInfo, variable: str | None, indent: str) -> list[str]:
    description = info.description or ""
    if variable:
        description += f" Environment: {variable}."
    default = info.get_default(call_default_factory=True)
    if default is None:
        description += " Not set by default; for example:"
        value: Any = (info.examples or [""])[0]
    else:
        value = default
    shown = yaml.safe_dump({name: value}, default_flow_style=True, sort_keys=False, width=1000)
    return [*_comment(description, indent), f"{indent}#{shown.strip()[1:-1]}"]


def _comment(text: str, indent: str) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(indent) + 2 + len(line) + 1 + len(word) > 96:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return [f"{indent}# {text}" for text in lines if text]


def _docstring(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").split())


# --- the other files --------------------------------------------------------------------------


def site_readme(site: Path, program: str, *, empty: bool) -> str:
    """The site's README: what to edit first, the demo (unless `empty`), how to schedule runs."""
    return _skeleton("README.md.j2", site, program, empty=empty)


#: The systemd units `init` writes beside the README, to copy to /etc/systemd/system/.
UNITS = (
    "advisory-weekly.service",
    "advisory-weekly.timer",
    "advisory-briefs.service",
    "advisory-briefs.timer",
)


def _skeleton(name: str, site: Path, program: str, *, empty: bool) -> str:
    """A text file of the site skeleton, with the site's paths, command and zone."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(shipped.templates() / SKELETON),
        autoescape=False,  # Markdown and unit files, not HTML
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template(name).render(
        demo=not empty,
        site=shlex.quote(str(site)),
        program=shlex.quote(program),
        config=shlex.quote(str(site / CONFIG_FILE)),
        env_file=shlex.quote(str(site / ENV_FILE)),
        unit_files=" ".join(shlex.quote(str(site / unit)) for unit in UNITS),
        zone=Settings().timezone,
    )
