"""A published week, `OUTPUT/2026-W47/`: built in a hidden folder beside it, as the files are
rendered, and renamed into place with its manifest, so a published week is never half-written.

The same inputs give the same bytes, and a re-run finds the manifest unchanged. A week published
again is swapped with the old one in one step where the system allows (Linux `renameat2`), so a
reader finds one or the other, never neither. One run at a time holds the site's lock
(`STATE/.advisory-delivery.lock` when it sends, then `OUTPUT/.advisory-weekly.lock`); a lock dies
with its process, so a killed run does not block the next.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl
from filelock import FileLock, Timeout

from advisory import program_version
from advisory.calendar import iso_timestamp, week_end
from advisory.errors import AdvisoryError
from advisory.faults import checkpoint
from advisory.inputs import Inputs
from advisory.inputs.overrides import Applied
from advisory.models import Rating
from advisory.official.advice import Stood
from advisory.publishing.atomic import exchange, remove, write_bytes_atomic
from advisory.reports.cells import safe_cell
from advisory.timing import stage

#: The publishing lock, in the state folder (an earlier version kept it in the output folder).
LOCK_FILE = ".advisory-weekly.lock"
STATE_LOCK_FILE = ".advisory-delivery.lock"
MANIFEST = "manifest.json"


class Locked(AdvisoryError):
    """Another run holds the site's lock."""

    exit_code = 75


class StaleFeed(AdvisoryError):
    """The incident log stopped too long before the week's end."""


@dataclass(frozen=True)
class Published:
    week: str
    folder: Path
    status: Literal["published", "republished", "unchanged"]
    changes: list[str] = field(default_factory=list)


@contextmanager
def locked(root: Path, wait: float, state: Path, *, sending: bool = False) -> Iterator[None]:
    """Hold the site's lock, waiting up to `wait` seconds; raises `Locked`.

    Both locks live in the state folder, out of the web root: with `sending`, the delivery
    lock first (`STATE_LOCK_FILE`), then the publishing lock (`LOCK_FILE`), so that two runs
    never send from one ledger nor publish one site at once. The lock an earlier version kept
    in the output folder is taken too while it exists (a run of that version still holds it:
    `Locked`), and removed while it is held.
    """
    names = [STATE_LOCK_FILE] if sending else []
    with ExitStack() as held:

        def take(path: Path) -> None:
            try:
                held.enter_context(FileLock(path, timeout=wait))
            except Timeout:
                raise Locked(f"another run holds {path}; gave up after {wait:g} s") from None

        state.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name in [*names, LOCK_FILE]:
            take(state / name)
        earlier = root / LOCK_FILE
        if earlier.exists() and earlier != state / LOCK_FILE:
            take(earlier)
            earlier.unlink(missing_ok=True)  # held: no run of either version is inside
        checkpoint("locked")
        root.mkdir(parents=True, exist_ok=True)
        _clear_leftovers(root)
        yield


def check_feed(inputs: Inputs, monday: dt.date, limit: int) -> None:
    """A dead feed must never close series or reassure travelers: raises `StaleFeed`."""
    end = week_end(monday)
    if len(inputs.incidents) == 0:
        files = ", ".join(inputs.incidents.files) or "no incident file"
        raise StaleFeed(
            f"the incident log ({files}) holds no incidents, so no week can be rated from it; "
            "add incidents, or run with --allow-stale to publish a week without any"
        )
    dates = inputs.incidents.frame.get_column("date")
    dates = dates.filter(dates <= end)
    newest = dates.max() if len(dates) else None
    if newest is None:
        raise StaleFeed(f"no incident is dated on or before {end}: is the feed running?")
    assert isinstance(newest, dt.date)
    age = (end - newest).days
    if age > limit:
        raise StaleFeed(
            f"the newest incident is of {newest}, {age} days before the week's end ({end}); "
            f"the limit is {limit} days. Check the incident feed, or run with --allow-stale"
        )


class WeekFolder:
    """The sink of a week's files: each is written into the hidden folder as it arrives, and
    `publish` renames the whole into place, or leaves the published week as it is when the
    manifest has not changed."""

    def __init__(self, root: Path, label: str) -> None:
        self.root = root
        self.label = label
        self.building = root / f".{label}.partial-{os.getpid()}"
        self.files: dict[str, tuple[str, int]] = {}  # path -> (sha256, size)

    def put(self, path: str, data: bytes) -> None:
        write_bytes_atomic(self.building / path, data)
        self.files[path] = (hashlib.sha256(data).hexdigest(), len(data))

    def manifest(
        self,
        issued: dt.datetime,
        inputs: Sequence[tuple[str, bytes]],
        overrides: Sequence[Applied] = (),
        official: Sequence[Stood] = (),
    ) -> bytes:
        """Each file's sha256 and size, the issue time, the inputs' sums, the version, the
        analysts' overrides applied to the week's alerts, and the official advice it used (each
        source's newest import fetched at or before the issue time)."""
        document = {
            "format": 1,
            "week": self.label,
            "as_of": iso_timestamp(issued),
            "program": {"name": "advisory", "version": program_version()},
            "inputs": [
                {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                for name, data in inputs
            ],
            "files": [
                {"path": name, "sha256": digest, "size": size}
                for name, (digest, size) in sorted(self.files.items())
            ],
            "overrides": [applied.as_json() for applied in overrides],
            "official": [
                {
                    "source": stood.source,
                    "file": stood.name,
                    "fetched": iso_timestamp(stood.fetched),
                    "sha256": stood.sha256,
                }
                for stood in official
            ],
        }
        return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()

    def publish(self, manifest: bytes) -> Published:
        target = self.root / self.label
        previous = target / MANIFEST
        if previous.is_file() and previous.read_bytes() == manifest:
            remove(self.building)
            return Published(self.label, target, "unchanged")
        write_bytes_atomic(self.building / MANIFEST, manifest)
        changes = _changes(target, self.building) if target.is_dir() else []
        with stage("publish"):
            _sync_folder(self.building)
            checkpoint("publish")
            if not (target.exists() or target.is_symlink()):
                self.building.rename(target)
            elif exchange(self.building, target):  # the old week is now where building was
                checkpoint("swap")
                remove(self.building)
            else:  # two renames; a run killed between them is mended by the next (see locked)
                retired = self.root / f".{self.label}.old-{os.getpid()}"
                target.rename(retired)
                checkpoint("swap")
                self.building.rename(target)
                remove(retired)
            checkpoint("swapped")
            _sync_folder(self.root)
        status: Literal["published", "republished"] = "republished" if changes else "published"
        return Published(self.label, target, status, changes)

    def discard(self) -> None:
        remove(self.building)


def week_incidents(inputs: Inputs, ratings: Sequence[Rating]) -> dict[str, bytes]:
    """The reporting week's incidents, as the files a published week holds: `incidents.csv`,
    each incident with the regions it counts for (text that a spreadsheet would take for a
    formula behind an apostrophe); and, when the week has rows of a feed whose terms forbid
    publishing them (the rules' `feeds`), those rows left out of it and counted instead in
    `incidents-summary.csv`, by date, region, category and feed (docs/archive.md)."""
    first = ratings[0]
    closed = sorted(n for n, t in inputs.rules.ruleset.feeds.items() if not t.redistribute)
    frame = (
        inputs.incidents.frame.with_row_index("pos")
        .with_columns(pl.col("pos").cast(pl.Int64))
        .filter(pl.col("date").is_between(first.period_start, first.period_end))
        .join(inputs.placements, on="pos", how="left")
        .group_by("pos", maintain_order=True)
        .agg(pl.all().exclude("region").first(), pl.col("region").drop_nulls().sort())
        .sort("date", "id")
    )
    withheld = frame.filter(pl.col("feed").is_in(closed))
    shown = frame.filter(~pl.col("feed").is_in(closed) | pl.col("feed").is_null())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = ["id", "date", "country", "admin1", "admin2", "location", "category",
               "fatalities", "injuries", "summary", "sources"]  # fmt: skip
    writer.writerow([*columns, "regions"])
    for row in shown.iter_rows(named=True):
        cells = [safe_cell(row[c]) if row[c] is not None else "" for c in columns]
        writer.writerow([*cells, "; ".join(row["region"])])
    files = {"incidents.csv": out.getvalue().encode()}
    if withheld.height:
        files["incidents-summary.csv"] = _counted(withheld)
    return files


#: The columns of a week's `incidents-summary.csv` (docs/archive.md).
SUMMARY_COLUMNS = ("date", "region", "category", "feed", "incidents", "fatalities")


def _counted(rows: pl.DataFrame) -> bytes:
    """Rows a feed's terms keep from being published, as counts: a line per date, region,
    category and feed (an incident that counts for two regions counts in each; one in no
    region under an empty region)."""
    counted = (
        rows.with_columns(
            pl.when(pl.col("region").list.len() > 0).then(pl.col("region")).otherwise(pl.lit([""]))
        )
        .explode("region")
        .group_by("date", "region", "category", "feed")
        .agg(pl.len().alias("incidents"), pl.col("fatalities").sum())
        .sort("date", "region", "category", "feed")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for row in counted.select(SUMMARY_COLUMNS).iter_rows():
        writer.writerow([safe_cell(v) if isinstance(v, str) else v for v in row])
    return out.getvalue().encode()


def input_files(rules: Path, incident_files: Sequence[Path], base: Path) -> list[tuple[str, bytes]]:
    """The rule and incident files a week was made from, by path (from `base` where below it)."""
    found = sorted([*rules.rglob("*.yaml"), *incident_files], key=lambda p: str(p))
    out = []
    for path in found:
        if path.is_file():
            try:
                shown = str(path.resolve().relative_to(base.resolve()))
            except ValueError:
                shown = str(path)
            out.append((shown, path.read_bytes()))
    return out


def _changes(target: Path, building: Path) -> list[str]:
    """What a republished week changes: regions whose level moved, alerts added or removed."""
    try:
        old = json.loads((target / "ratings.json").read_text())["ratings"]
        new = json.loads((building / "ratings.json").read_text())["ratings"]
    except (OSError, ValueError, KeyError):
        return ["the earlier publication could not be read; published anew"]
    old_levels = {r["region_id"]: r["level"] for r in old}
    out: list[str] = []
    for rating in new:
        before = old_levels.get(rating["region_id"])
        if before is not None and before != rating["level"]:
            out.append(f"{rating['region_id']}: level {before} -> {rating['level']}")
    old_alerts = {p.stem for p in (target / "alerts").glob("*.pdf")}
    new_alerts = {p.stem for p in (building / "alerts").glob("*.pdf")}
    out += [f"{region}: alert added" for region in sorted(new_alerts - old_alerts)]
    out += [f"{region}: alert removed" for region in sorted(old_alerts - new_alerts)]
    return out or ["documents changed; levels and alerts are as before"]


def _clear_leftovers(root: Path) -> None:
    """Folders a killed run left: half-built ones are removed; a week set aside by a run killed
    between its two renames (where the file system cannot swap in one step) is put back."""
    for leftover in root.glob(".*.old-*"):
        week = root / leftover.name[1:].rsplit(".old-", 1)[0]
        if week.exists() or week.is_symlink():
            remove(leftover)
        else:
            leftover.rename(week)
    for leftover in root.glob(".*.partial-*"):
        remove(leftover)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
