"""Hostile and broken input, as an attacker or a careless operator gives it.

Over two hundred bad inputs, generated across every file kind (settings, scoring rules, region
files, roster, incident CSV, YAML and JSON, ACLED exports), every bounded setting and the
command-line values. Each runs the command in a process of its own (forked from an interpreter
that has imported the program, `tests.forkserver`) in a copy of a site of its own, and must give
its documented exit status, a message that says where (file and line, the variable, or the
option), no traceback, nothing written, within 10 s of its own CPU time and 1 GB. A run that
makes no CPU progress for 30 s is stopped as a hang, however busy the machine is.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, commands
from tests.forkserver import ForkServer
from tests.test_import import NEW, acled_csv, event

SECONDS = 10  # of the run's own CPU time
STALL_SECONDS = 30  # without CPU progress: a hang
MEMORY_KB = 1024 * 1024  # 1 GB
WEEK = "2018-W25"

SETTINGS = {
    "version": 1,
    "incidents": ["data/incidents.csv", "data/log/*"],
    "output": "output",
    "state": "state",
    "smtp": {"host": "127.0.0.1", "port": 9, "security": "none", "timeout_seconds": 1},
    "delivery": {"retry_delays": [], "deadline_minutes": 0.2},
}


@dataclass(frozen=True)
class Case:
    """One bad input: how it spoils a good site, the command, and what must be said."""

    name: str
    spoil: Callable[[Path], None]
    args: tuple[str, ...] = ("validate",)
    exit_code: int = 2
    where: str = ""  # a regular expression the message must match
    env: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    cpu_seconds: float  # the child's own, whatever else the machine runs beside it
    stopped: str  # why it was stopped as a hang, if it was
    max_rss_kb: int
    changed: list[str]


# --- spoiling a site ------------------------------------------------------------------------


def write(relative: str, content: str | bytes) -> Callable[[Path], None]:
    def spoil(site: Path) -> None:
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    return spoil


def setting(dotted: str, value: object) -> Callable[[Path], None]:
    """Set one setting in advisory.yaml."""

    def spoil(site: Path) -> None:
        data = yaml.safe_load((site / "advisory.yaml").read_text())
        *parents, last = dotted.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
        (site / "advisory.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, width=1000))

    return spoil


def edit(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def spoil(site: Path) -> None:
        target = site / relative
        text = target.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        target.write_text(text.replace(old, new, 1), encoding="utf-8")

    return spoil


def both(*spoils: Callable[[Path], None]) -> Callable[[Path], None]:
    def spoil(site: Path) -> None:
        for one in spoils:
            one(site)

    return spoil


def nothing(site: Path) -> None:
    return None


# --- the cases --------------------------------------------------------------------------------

BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10)
)
#: YAML (or JSON) that no file may hold, whatever it is for: (name, content, where it fails).
YAML_POISONS: list[tuple[str, str | bytes]] = [
    ("alias-bomb", BOMB),
    ("self-referencing-list", "x: &c [*c]\n"),
    ("self-referencing-mapping", "x: &c {a: *c}\n"),
    ("unknown-alias", "x: *nowhere\n"),
    ("deep-flow", "[" * 30_000 + "]" * 30_000),
    ("deep-block", "- " * 30_000 + "x\n"),
    ("deep-mapping", "".join(" " * i + "k:\n" for i in range(70)) + " " * 70 + "v\n"),
    ("long-integer", "version: " + "9" * 5000 + "\n"),
    ("python-tag", "version: !!python/object/apply:os.system [echo hi]\n"),
    ("two-documents", "version: 1\n---\nversion: 1\n"),
    ("unclosed-bracket", "version: [1, 2\n"),
    ("tab-indent", "version: 1\nx:\n\t- y\n"),
    ("invalid-utf8", b"version: 1\nname: \xff\xfe\xfa\n"),
    ("binary", bytes(range(256)) * 4),
    ("nul-byte", "version: 1\nname: a\x00b\n"),
    ("utf16-broken", "version: 1\n".encode("utf-16")[:-1]),
    ("scalar-document", "just text\n"),
    ("list-document", "- 1\n- 2\n"),
    ("duplicate-keys", "version: 1\nversion: 1\n"),
    ("over-size", "# " + "x" * (8 * 1024 * 1024) + "\n"),
]
YAML_FILES = {
    "settings": "advisory.yaml",
    "scoring": "rules/scoring.yaml",
    "regions": "rules/regions/peru.yaml",
    "roster": "data/travelers.yaml",
    "incidents-yaml": "data/log/bad.yaml",
    "incidents-json": "data/log/bad.json",
}


def _yaml_cases() -> list[Case]:
    cases = []
    for kind, relative in YAML_FILES.items():
        for poison, content in YAML_POISONS:
            if kind == "incidents-json" and poison in {"tab-indent", "deep-block"}:
                continue
            # Only a file too big or not text at all is named without a line.
            unlined = poison in {"over-size", "utf16-broken"}
            where = re.escape(relative) + (r"(:\d+)?" if unlined else r":\d+")
            cases.append(Case(f"{kind}/{poison}", write(relative, content), where=where))
    return cases


CSV_HEADER = "id,date,country,admin1,category,fatalities,latitude,summary,sources\n"


def csv_row(**cells: str) -> str:
    row = {
        "id": "x-1", "date": "2018-06-20", "country": "Peru", "admin1": "Lima",
        "category": "protest", "fatalities": "0", "latitude": "", "summary": "A march.",
        "sources": "Report",
    }  # fmt: skip
    row.update(cells)
    return ",".join(row[name] for name in CSV_HEADER.strip().split(",")) + "\n"


def _bad_csv(name: str, content: str | bytes, where: str = r"data/log/bad\.csv:\d+") -> Case:
    return Case(f"incidents-csv/{name}", write("data/log/bad.csv", content), where=where)


CSV_CASES = [
    _bad_csv("year-0", CSV_HEADER + csv_row(date="0000-01-01")),
    _bad_csv("year-9999", CSV_HEADER + csv_row(date="9999-12-31")),
    _bad_csv("february-30", CSV_HEADER + csv_row(date="2018-02-30")),
    _bad_csv("date-words", CSV_HEADER + csv_row(date="yesterday")),
    _bad_csv("latitude-91", CSV_HEADER + csv_row(latitude="91")),
    _bad_csv("latitude-nan", CSV_HEADER + csv_row(latitude="nan")),
    _bad_csv("latitude-inf", CSV_HEADER + csv_row(latitude="inf")),
    _bad_csv("fatalities-negative", CSV_HEADER + csv_row(fatalities="-1")),
    _bad_csv("fatalities-huge", CSV_HEADER + csv_row(fatalities="9" * 5000)),
    _bad_csv("fatalities-text", CSV_HEADER + csv_row(fatalities="many")),
    _bad_csv("word-20k", CSV_HEADER + csv_row(summary="A" * 20_000)),
    _bad_csv("word-100k", CSV_HEADER + csv_row(summary="B" * 100_000)),
    _bad_csv("summary-11k", CSV_HEADER + csv_row(summary="word " * 2200)),
    _bad_csv("source-word", CSV_HEADER + csv_row(sources="http://x/" + "y" * 400)),
    _bad_csv("id-too-long", CSV_HEADER + csv_row(id="i" * 500)),
    _bad_csv("missing-column", "id,date,country\nx,2018-06-20,Peru\n"),
    _bad_csv("unknown-column", CSV_HEADER.replace("sources", "sauces") + csv_row()),
    _bad_csv("header-twice", CSV_HEADER.replace("latitude", "summary") + csv_row()),
    _bad_csv("ragged-row", CSV_HEADER + "x-1,2018-06-20\n"),
    _bad_csv("unterminated-quote", CSV_HEADER + csv_row(summary='"A march,')),
    _bad_csv("invalid-utf8", CSV_HEADER.encode() + b"x-1,2018-06-20,Per\xff,Lima\n"),
    _bad_csv("binary", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
    _bad_csv("blank-id", CSV_HEADER + csv_row(id="")),
    _bad_csv("blank-summary", CSV_HEADER + csv_row(summary="  ")),
    _bad_csv("unknown-category", CSV_HEADER + csv_row(category="alien_landing")),
    _bad_csv("duplicate-id", CSV_HEADER + csv_row() + csv_row()),
    _bad_csv("utf16-bad-date", (CSV_HEADER + csv_row(date="2018-99-01")).encode("utf-16")),
    _bad_csv("cr-only-bad-date", (CSV_HEADER + csv_row(date="x")).replace("\n", "\r")),
    _bad_csv("over-size", "", where=r"data/log/bad\.csv"),  # made a sparse 1 GB file below
    _bad_csv("folder", "", where=r"data/log/bad\.csv: is a folder"),  # made a folder below
]
#: Inputs that look odd but are good: read as documented, exit 0.
CSV_GOOD = [
    Case(
        "incidents-csv/control-character",  # dropped from the documents, not refused
        write("data/log/ok.csv", CSV_HEADER + csv_row(summary="a\x07b\x00c")),
        exit_code=0,
    ),
    Case(
        "incidents-csv/utf16-bom",
        write("data/log/ok.csv", (CSV_HEADER + csv_row()).encode("utf-16")),
        exit_code=0,
    ),
    Case(
        "incidents-csv/utf8-bom",
        write("data/log/ok.csv", "\ufeff" + CSV_HEADER + csv_row()),
        exit_code=0,
    ),
    Case(
        "incidents-csv/cr-only",
        write("data/log/ok.csv", (CSV_HEADER + csv_row()).replace("\n", "\r")),
        exit_code=0,
    ),
    Case(
        "incidents-csv/crlf",
        write("data/log/ok.csv", (CSV_HEADER + csv_row()).replace("\n", "\r\n")),
        exit_code=0,
    ),
    Case(
        "incidents-csv/formula",
        write("data/log/ok.csv", CSV_HEADER + csv_row(summary='"=HYPERLINK(""http://x"",""y"")"')),
        exit_code=0,
    ),
    Case(
        "incidents-yaml/empty-list",
        write("data/log/ok.yaml", "version: 1\nincidents: []\n"),
        exit_code=0,
    ),
    Case(
        "incidents-yaml/shared-values",
        write(
            "data/log/ok.yaml",
            yaml.safe_dump(
                {
                    "version": 1,
                    "incidents": [
                        dict(
                            zip(
                                CSV_HEADER.strip().split(","),
                                csv_row(id=f"s-{i}").strip().split(","),
                                strict=True,
                            )
                        )
                        for i in range(2)
                    ],
                }
            ),
        ),
        exit_code=0,
    ),
]

SETTING = r"advisory\.yaml:\d+:\d+"
SETTING_CASES = [
    Case(f"settings/{dotted}={value!r}"[:90], setting(dotted, value), where=SETTING)
    for dotted, value in [
        ("delivery.lookahead_days", 10**12),
        ("delivery.lookahead_days", -1),
        ("delivery.retry_delays", [-5]),
        ("delivery.retry_delays", [1.0] * 100),
        ("delivery.retry_delays", [float("inf")]),
        ("delivery.rate_per_minute", 0),
        ("delivery.deadline_minutes", 0),
        ("delivery.deadline_minutes", float("nan")),
        ("delivery.desk", "desk@example.org\r\nBcc: all@example.org"),
        ("delivery.desk", "a" * 80 + "@example.org"),
        ("delivery.desk", "not an address"),
        ("smtp.port", 70000),
        ("smtp.port", "smtp"),
        ("smtp.timeout_seconds", 0),
        ("smtp.timeout_seconds", 10**9),
        ("smtp.sender", "desk@example.org\r\nBcc: all@example.org"),
        ("smtp.sender", "travel security"),
        ("smtp.host", "relay\r\nexample"),
        ("smtp.security", "ssl3"),
        ("smtp.password", "hunter2"),
        ("smtp.username", "me\nyou"),
        ("organisation", "ACME\r\nBcc: all@example.org"),
        ("organisation", "A" * 1000),
        ("title", "Weekly\nbulletin"),
        ("classification", "Secret\x00"),
        ("timezone", "Mars/Olympus_Mons"),
        ("issue_time", "25:00"),
        ("stale_after_days", 0),
        ("stale_after_days", 10**12),
        ("send", "perhaps"),
        ("version", 2),
        ("colour", "blue"),
        ("incidents", []),
        ("output", "out\x00put"),
        ("alerts.min_level", "Apocalyptic"),
    ]
]
SCORING = "rules/scoring.yaml"
REGIONS = "rules/regions/peru.yaml"
RULE_CASES = [
    Case(f"rules/{name}", edit(relative, old, new), where=re.escape(relative) + r":\d+:\d+")
    for name, relative, old, new in [
        ("window-days-huge", SCORING, "window_days: 30", f"window_days: {10**12}"),
        ("window-days-zero", SCORING, "window_days: 30", "window_days: 0"),
        ("weight-inf", SCORING, "weight: 3", "weight: .inf"),
        ("weight-nan", SCORING, "weight: 3", "weight: .nan"),
        ("weight-negative", SCORING, "weight: 3", "weight: -5"),
        ("threshold-inf", SCORING, "threshold: 0\n", "threshold: .inf\n"),
        ("self-anchor-appended", SCORING, "window_days: 30", "window_days: 30\nx: &c [*c]"),
        ("level-name-newline", SCORING, "name: Minimal", 'name: "Mini\\nmal"'),
        ("region-name-crlf", REGIONS, "name: VRAEM region", 'name: "VRAEM\\r\\nBcc: x@e.org"'),
        ("region-id-uppercase", REGIONS, "id: pe-vraem", "id: PE-VRAEM"),
    ]
] + [
    # Without region files and without a world file, no place is a region.
    Case("rules/regions-missing", lambda site: _no_regions(site),
         where="rules/regions: no region files"),
    Case("rules/missing", lambda site: shutil.rmtree(site / "rules"), where="rules"),
]  # fmt: skip
ROSTER = "data/travelers.yaml"


def _no_regions(site: Path) -> None:
    shutil.rmtree(site / "rules" / "regions")
    (site / "rules" / "world.yaml").unlink()


ROSTER_CASES = [
    Case(f"roster/{name}", edit(ROSTER, old, new), where=r"data/travelers\.yaml:\d+:\d+")
    for name, old, new in [
        ("local-part-80", "ana.torres@example.org", "a" * 80 + "@example.org"),
        ("no-domain", "ana.torres@example.org", "ana.torres@"),
        ("two-ats", "ana.torres@example.org", "ana@torres@example.org"),
        ("crlf-in-email", "ana.torres@example.org", '"ana@example.org\\r\\nBcc: x@example.org"'),
        ("crlf-in-name", "name: Ana Torres", 'name: "Ana\\r\\nBcc: x@example.org"'),
        ("name-too-long", "name: Ana Torres", "name: " + "A" * 300),
        ("unknown-destination", "destination: pe-vraem", "destination: pe-atlantis"),
        ("end-before-start", "end: 2018-07-06", "end: 2018-06-01"),
        ("year-0-trip", "start: 2018-06-20", "start: 0000-06-20"),
        ("id-with-space", "id: t-ana-torres", "id: t ana torres"),
        ("receives-everything", "name: Ana Torres", "name: Ana Torres\n    receives: everything"),
    ]
]  # fmt: skip
ROSTER_CSV_HEADER = "name,email,destination,start,end\n"
ROSTER_CSV_ROW = "Ana Torres,ana@example.org,pe-vraem,2018-06-20,2018-07-06\n"


def _roster_csv(name: str, content: str | bytes, exit_code: int = 2) -> Case:
    return Case(
        f"roster-csv/{name}",
        both(write("data/roster.csv", content), setting("roster", "data/roster.csv")),
        exit_code=exit_code,
        where=r"data/roster\.csv(:\d+)?",
    )


ROSTER_CSV_CASES = [
    _roster_csv("binary", bytes(range(256)) * 4),
    _roster_csv("invalid-utf8", ROSTER_CSV_HEADER.encode() + b"An\xff,a@example.org\n"),
    _roster_csv("unterminated-quote", ROSTER_CSV_HEADER + '"Ana,a@example.org,pe-vraem\n'),
    _roster_csv("huge-field", ROSTER_CSV_HEADER + '"' + "A" * 200_000 + '",a@example.org\n'),
    _roster_csv("year-0", ROSTER_CSV_HEADER + ROSTER_CSV_ROW.replace("2018-06-20", "0000-06-20")),
    _roster_csv(
        "crlf-in-name", ROSTER_CSV_HEADER + '"Ana\r\nBcc: x@example.org",' + ROSTER_CSV_ROW[11:]
    ),
    _roster_csv("missing-column", "name,email\nAna,a@example.org\n"),
    _roster_csv("over-size", "x" * (8 * 1024 * 1024 + 1)),
    _roster_csv("utf16-bom", (ROSTER_CSV_HEADER + ROSTER_CSV_ROW).encode("utf-16"), exit_code=0),
    _roster_csv("cr-only", (ROSTER_CSV_HEADER + ROSTER_CSV_ROW).replace("\n", "\r"), exit_code=0),
]
PLACE_CASES = [
    Case(
        "places/output-is-a-file",
        both(write("output", "x"), setting("output", "output")),
        where=SETTING,
    ),
    Case(
        "places/output-under-a-file",
        both(write("blocker", "x"), setting("output", "blocker/out")),
        where=SETTING,
    ),
    Case("places/state-is-a-file", write("state", "x"), where=r"advisory\.yaml"),
    Case(
        "places/log-file-is-a-folder",
        both(setting("log_file", "logs"), lambda site: (site / "logs").mkdir()),
        where=SETTING,
    ),
    Case(
        "places/output-from-environment",
        write("blocker", "x"),
        env=(("ADVISORY_OUTPUT", "blocker"),),
        where=r"\$ADVISORY_OUTPUT",
    ),
    Case(
        "places/out-option",
        write("blocker", "x"),
        args=("weekly", "--week", WEEK, "--out", "blocker/x"),
        where=r"--out",
    ),
]
WEEKLY = ("weekly", "--week", WEEK, "--send")
#: The same settings against the run that would send: refused before anything is published.
SEND_CASES = [
    Case(f"weekly-send/{case.name}", case.spoil, WEEKLY, where=case.where)
    for case in SETTING_CASES[:24:3] + ROSTER_CASES[:6]
] + [
    Case(
        "weekly-send/dry-run/crlf-organisation",
        setting("organisation", "A\r\nB: c"),
        (*WEEKLY, "--dry-run"),
        where=SETTING,
    ),
]
OPTION_CASES = [
    Case(f"option/{' '.join(args)}"[:90], nothing, args, where=where)
    for args, where in [
        (("weekly", "--week", "0001-W01"), "--week"),
        (("weekly", "--week", "9999-W52"), "--week"),
        (("weekly", "--week", "2018-W99"), "--week"),
        (("weekly", "--week", "2018-W"), "--week"),
        (("weekly", "--week", "W25"), "--week"),
        (("weekly", "--as-of", "0001-01-01"), "--as-of"),
        (("weekly", "--as-of", "2018-06-26", "--week", WEEK), "--week or --as-of"),
        (("weekly", "--wait", "-1"), "--wait"),
        (("weekly", "--jobs", "0"), "--jobs"),
        (("weekly", "--dry-run"), "--dry-run"),
        (("rate", "--as-of", "0001-01-01"), "--as-of"),
        (("rate", "--as-of", "9999-12-31T23:59"), "--as-of"),
        (("rate", "--as-of", "2018-13-01"), "--as-of"),
        (("rate", "--as-of", "2018-06-26T25:00"), "--as-of"),
        (("rate", "--region", "atlantis", "--as-of", "2018-06-26"), "--region"),
        (("rate", "--format", "xml"), "--format"),
        (("history", "--until", "0001-W05"), "--until"),
        (("history", "--weeks", "0"), "--weeks"),
        (("history", "--weeks", "100000"), "--weeks"),
        (("history", "atlantis", "--until", WEEK), "REGION"),
        (("purge", "--older-than", "99999999999d"), "--older-than"),
        (("purge", "--older-than", "-5d"), "--older-than"),
        (("purge", "--older-than", "soon"), "--older-than"),
        (("deliveries", "--week", "0001-W01"), "--week"),
        (("alert", "atlantis", "--as-of", "2018-06-26"), "REGION|atlantis"),
        (("alert", "--all", "--format", "docx"), "--format"),
        (("bulletin", "--week", "9999-W01"), "--week"),
        (("bulletin", "--week", WEEK, "--as-of", "2018-06-26"), "--week or --as-of"),
        (("flash", "pe-vraem", "--as-of", "0001-01-01"), "--as-of"),
        (("flash", "atlantis", "--as-of", "2018-06-26"), "atlantis"),
        (("--config", "missing.yaml", "validate"), "missing.yaml"),
        (("validate", "--rules", "nowhere"), "nowhere"),
        (("validate", "--incidents", "nowhere/*.csv"), "nowhere"),
        (("validate", "--roster", "nowhere.yaml"), "nowhere"),
    ]
]
ACLED_HEADER = (
    "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,country,admin1,"
    "admin2,location,latitude,longitude,source,notes,fatalities\n"
)
ACLED_ROW = (
    "PER1,2018-06-20,2018,Protests,Peaceful protest,Protesters (Peru),,Peru,Lima,Lima,Lima,"
    "-12.05,-77.04,La Republica,A march.,0\n"
)


def _acled(name: str, content: str | bytes, where: str = r"feed\.csv(:\d+)?") -> Case:
    return Case(
        f"acled/{name}",
        write("feed.csv", content),
        ("import", "acled", "feed.csv", "--out", "data/imported.csv"),
        where=where,
    )


ACLED_CASES = [
    _acled("binary", bytes(range(256)) * 8),
    _acled("invalid-utf8", ACLED_HEADER.encode() + b"PER1,2018-06-20,\xff\xfe\n"),
    _acled("no-columns", "a,b,c\n1,2,3\n"),
    _acled("empty", ""),
    _acled("utf16-no-columns", "a,b\n1,2\n".encode("utf-16")),
    _acled("unterminated-quote", ACLED_HEADER + '"PER1,2018-06-20\n'),
    _acled("over-size", ""),  # made a sparse 1 GB file below
    Case(
        "acled/target-under-a-file",
        both(write("feed.csv", ACLED_HEADER + ACLED_ROW), write("blocker", "x")),
        ("import", "acled", "feed.csv", "--out", "blocker/x.csv"),
        where="--out",
    ),
]


def replaced(relative: str, make: Callable[[Path], None]) -> Callable[[Path], None]:
    """The file replaced by what `make` puts in its place."""

    def spoil(site: Path) -> None:
        target = site / relative
        target.unlink(missing_ok=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        make(target)

    return spoil


def fifo(relative: str) -> Callable[[Path], None]:
    """A named pipe no one writes to: reading it would wait forever."""
    return replaced(relative, os.mkfifo)


def device(relative: str, to: str = "/dev/zero") -> Callable[[Path], None]:
    """A link to a device: /dev/zero reads without end."""
    return replaced(relative, lambda target: target.symlink_to(to))


_SILENT: list[socket.socket] = []


def silent_relay(site: Path) -> None:
    """The site's relay: one that takes connections (the kernel's backlog) and never says a
    word, shared by the cases for the whole session."""
    if not _SILENT:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        _SILENT.append(listener)
    setting("smtp.port", _SILENT[0].getsockname()[1])(site)


ACLED_EXPORT = acled_csv(
    NEW,
    [event(1, country="Peru", admin1="Lima", admin2="Lima", location="Lima",
           event_id_cnty="PER1", event_date="20 June 2018")],
)  # fmt: skip
IMPORT = ("import", "acled", "feed.csv", "--out", "data/imported.csv")
BOUNDED_CASES = [
    *[
        Case(f"special/{kind}-{name}", spoil(relative), where=re.escape(relative))
        for name, relative in [
            ("regions", "rules/regions/peru.yaml"),
            ("world", "rules/world.yaml"),
            ("scoring", "rules/scoring.yaml"),
            ("acled-mapping", "rules/acled.yaml"),
            ("mapping", "rules/mappings/gtd.yaml"),
            ("overrides", "rules/overrides.yaml"),
            ("actors", "rules/actors.yaml"),
            ("settings", "advisory.yaml"),
            ("roster", "data/travelers.yaml"),
            ("incidents-csv", "data/log/bad.csv"),
            ("incidents-yaml", "data/log/bad.yaml"),
        ]
        for kind, spoil in (("fifo", fifo), ("dev-zero", device))
    ],
    Case("special/import-source-fifo", fifo("feed.csv"), IMPORT, where=r"feed\.csv"),
    Case("special/import-source-dev-zero", device("feed.csv"), IMPORT, where=r"feed\.csv"),
    Case(
        "special/append-binary",
        both(write("feed.csv", ACLED_EXPORT), write("data/old.csv", bytes(range(256)) * 8)),
        ("import", "acled", "feed.csv", "--append", "data/old.csv"),
        where=r"data/old\.csv:\d+",
    ),
    Case(
        "special/append-fifo",
        both(write("feed.csv", ACLED_EXPORT), fifo("data/old.csv")),
        ("import", "acled", "feed.csv", "--append", "data/old.csv"),
        where=r"data/old\.csv",
    ),
    Case(
        "special/covers-to-before-covers-from",
        write("feed.csv", ACLED_EXPORT),
        (*IMPORT, "--covers-from", "2018-06-30", "--covers-to", "2018-06-01"),
        where="--covers-to",
    ),
    Case(
        "special/contradictory-acled-rules",
        edit(
            "rules/acled.yaml",
            "  - {event_type: Riots, sub_event_type: Mob violence, category: mob_violence}\n",
            "  - {event_type: Riots, sub_event_type: Mob violence, category: mob_violence}\n"
            "  - {event_type: Riots, sub_event_type: Mob violence, category: riot}\n",
        ),
        where=r"rules/acled\.yaml:\d+:\d+: .*contradicts rule \d+ \(line \d+\)",
    ),
    Case(
        "special/csv-field-over-the-reader-limit",
        write("data/log/bad.csv", CSV_HEADER + csv_row(summary="x" * 200_000)),
        where=r"data/log/bad\.csv:2:\d+",
    ),
    Case(
        "special/acled-field-over-the-reader-limit",
        write("feed.csv", ACLED_EXPORT.replace(b"PER1", b"PER1" + b"9" * 200_000)),
        IMPORT,
        where=r"feed\.csv:2: a field longer than 131,072 characters",
    ),
    Case(
        "special/complex-key-in-an-incident",
        write("data/log/bad.yaml", "version: 1\nincidents:\n  - ? [a, b]\n    : 1\n"),
        where=r"data/log/bad\.yaml:3:\d+",
    ),
    Case(
        "special/complex-key-at-the-top-of-incidents",
        write("data/log/bad.yaml", "version: 1\n? [a]\n: 1\nincidents: []\n"),
        where=r"data/log/bad\.yaml:2:\d+",
    ),
    Case(
        "special/destination-of-100000-characters",
        edit("data/travelers.yaml", "destination: pe-vraem", "destination: " + "Lima" * 25_000),
        where=r"data/travelers\.yaml:\d+:\d+: .*at most 200 characters",
    ),
    Case(
        "special/jobs-100000",
        nothing,
        ("weekly", "--week", WEEK, "--jobs", "100000"),
        where="--jobs",
    ),
    Case("special/wait-nan", nothing, ("weekly", "--week", WEEK, "--wait", "nan"), where="--wait"),
    Case("special/wait-inf", nothing, ("weekly", "--week", WEEK, "--wait", "inf"), where="--wait"),
    *[
        Case(f"special/{name}", spoil, (*args, "--jobs", "1"), exit_code=1, where=where, env=env)
        for name, spoil, args, env, where in [
            (
                "disk-full",
                nothing,
                ("weekly", "--week", WEEK),
                (("ADVISORY_FAULT", "write=full"),),
                r"advisory: \S+/output/\S+: No space left on device \(the disk is full\)",
            ),
            (
                "ledger-full",
                nothing,
                WEEKLY,
                (("ADVISORY_FAULT", "ledger=full"),),
                r"advisory: the delivery ledger \S+/state/ledger\.sqlite could not be written "
                r"\(database or disk is full\)",
            ),
            (
                "relay-that-never-answers",
                silent_relay,
                WEEKLY,
                (),
                r"the relay 127\.0\.0\.1:\d+ accepted the connection but did not answer "
                r"\(its greeting\) within [\d.]+ s",
            ),
        ]
    ],
]


def _all_cases() -> list[Case]:
    cases = [
        *_yaml_cases(), *CSV_CASES, *CSV_GOOD, *SETTING_CASES, *RULE_CASES, *ROSTER_CASES,
        *ROSTER_CSV_CASES, *PLACE_CASES, *SEND_CASES, *OPTION_CASES, *ACLED_CASES, *BOUNDED_CASES,
    ]  # fmt: skip
    names = [case.name for case in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


CASES = _all_cases()


# --- running them -----------------------------------------------------------------------------


def _site(folder: Path) -> Path:
    site = folder / "site"
    site.mkdir(parents=True)
    shutil.copytree(ROOT / "rules", site / "rules")
    (site / "data" / "log").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "incidents.csv", site / "data" / "incidents.csv")
    shutil.copy(ROOT / "data" / "travelers.yaml", site / "data" / "travelers.yaml")
    (site / "data" / "log" / "base.yaml").write_text("version: 1\nincidents: []\n")
    (site / "advisory.yaml").write_text(yaml.safe_dump(SETTINGS))
    return site


def _special(case: Case, site: Path) -> None:
    """Files too big to write or of another kind: a sparse file, a folder."""
    if case.name.endswith("over-size") and case.name.startswith(("incidents-csv", "acled")):
        target = site / ("feed.csv" if case.name.startswith("acled") else "data/log/bad.csv")
        with target.open("wb") as f:
            f.truncate(1024 * 1024 * 1024 + 1)
    if case.name == "incidents-csv/folder":
        (site / "data" / "log" / "bad.csv").unlink()
        (site / "data" / "log" / "bad.csv").mkdir()


def _snapshot(site: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for path in site.rglob("*"):
        if ".cache" in path.parts:
            continue
        info = path.lstat()
        found[str(path.relative_to(site))] = (info.st_size, info.st_mtime_ns)
    return found


def run_case(case: Case, folder: Path, server: ForkServer) -> Outcome:
    site = _site(folder)
    case.spoil(site)
    _special(case, site)
    before = _snapshot(site)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(folder),
        "TMPDIR": str(folder),
        "ADVISORY_CACHE_DIR": str(site / ".cache"),
        "NO_COLOR": "1",
        **dict(case.env),
    }
    run = server.run(*case.args, cwd=site, env=env, cpu_limit=SECONDS, stall_seconds=STALL_SECONDS)
    after = _snapshot(site)
    changed = sorted(
        name for name in after.keys() | before.keys() if after.get(name) != before.get(name)
    )
    return Outcome(
        run.returncode, run.stdout, run.stderr, run.cpu_seconds, run.stopped, run.max_rss_kb,
        changed,
    )  # fmt: skip


@pytest.fixture(scope="session")  # once a process: xdist may hand a module over in parts
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every case, run three at a time (most are over in a tenth of a second)."""
    root = tmp_path_factory.mktemp("corpus")
    with ThreadPoolExecutor(3) as pool:
        futures = {
            case.name: pool.submit(run_case, case, root / f"case-{i}", commands())
            for i, case in enumerate(CASES)
        }
        return {name: future.result() for name, future in futures.items()}


def test_the_corpus_is_large():
    assert len([c for c in CASES if c.exit_code != 0]) >= 200


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input(case: Case, outcomes: dict[str, Outcome]):
    outcome = outcomes[case.name]
    said = outcome.stderr + outcome.stdout
    assert not outcome.stopped, f"a hang: {outcome.stopped}"
    assert outcome.cpu_seconds < SECONDS, f"took {outcome.cpu_seconds:.1f} s of CPU"
    assert "Traceback" not in said, said
    assert outcome.exit_code == case.exit_code, said
    assert outcome.max_rss_kb < MEMORY_KB, f"peak memory {outcome.max_rss_kb // 1024} MB"
    if case.exit_code in (1, 2):
        assert re.search(case.where, outcome.stderr), outcome.stderr
    if case.exit_code == 2:
        assert outcome.changed == [], f"written: {outcome.changed}"
        assert "internal error" not in outcome.stderr
