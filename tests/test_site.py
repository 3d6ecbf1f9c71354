"""`advisory init`: a new site that works at once, refusals that write nothing, --force that
overwrites nothing; the settings file it writes; `--version`."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import yaml

from advisory.config import Settings, load_config
from advisory.importers.acled import default_acled_mapping
from advisory.inputs.incidents import COLUMNS
from advisory.publishing.site import create_site, settings_file_text, site_files
from tests.conftest import ROOT, run_advisory
from tests.forkserver import run_watched

SITE_FILES = [
    ".gitignore", "README.md", "advisory-briefs.service", "advisory-briefs.timer",
    "advisory-weekly.service", "advisory-weekly.timer", "advisory.env",
    "advisory.yaml", "data/incidents.csv", "data/official/ca-20180620T060000Z.json",
    "data/official/uk-fcdo-20180620T060000Z.json", "data/official/us-state-20180620T060000Z.json",
    "data/travelers.yaml",
    "rules/acled.yaml", "rules/actors.yaml", "rules/mappings/gtd.yaml", "rules/official.yaml",
    "rules/regions/peru.yaml", "rules/schema/actors.schema.json",
    "rules/schema/coverage.schema.json", "rules/schema/incidents.schema.json",
    "rules/schema/official.schema.json",
    "rules/schema/overrides.schema.json", "rules/schema/regions.schema.json",
    "rules/schema/roster.schema.json",
    "rules/schema/ruleset.schema.json", "rules/schema/settings.schema.json",
    "rules/schema/world.schema.json", "rules/scoring.yaml", "rules/world.yaml",
]  # fmt: skip


def files_below(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_init_makes_a_site_that_validates(tmp_path: Path):
    result = run_advisory("init", "mysite", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "mysite"
    assert sorted(files_below(site)) == SITE_FILES
    assert [line.split()[-1] for line in result.stdout.splitlines()[:-1]] == SITE_FILES
    assert result.stdout.splitlines()[-1] == f"site ready at {site}: cd mysite && advisory validate"
    # The shipped rules and the demo, as they are in the repository.
    assert (site / "rules/scoring.yaml").read_bytes() == (ROOT / "rules/scoring.yaml").read_bytes()
    assert (site / "data/incidents.csv").read_bytes() == (ROOT / "data/incidents.csv").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]

    checked = run_advisory("validate", cwd=site)
    assert checked.returncode == 0, checked.stderr
    assert "incidents: 53 in 1 file" in checked.stdout
    assert "roster: 6 travelers" in checked.stdout


def test_init_empty_gives_a_site_that_validates(tmp_path: Path):
    result = run_advisory("init", "--empty", str(tmp_path / "new" / "site"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "new" / "site"
    header = (site / "data/incidents.csv").read_text()
    assert header == ",".join(COLUMNS) + "\n"  # every column the log reads, and no row
    assert yaml.safe_load((site / "data/travelers.yaml").read_text()) == {
        "version": 1,
        "travelers": [],
    }
    readme = (site / "README.md").read_text()
    assert "2018-W25" not in readme  # no demo to try
    checked = run_advisory("validate", cwd=site)
    assert checked.returncode == 0, checked.stderr
    assert "incidents: none in 1 file" in checked.stdout and "roster: 0 travelers" in checked.stdout
    # No demo regions: a team that covers Afghanistan is rated by the world file alone.
    assert not (site / "rules" / "regions").exists()
    (site / "data" / "incidents.csv").write_text(
        header
        + "a-1,2024-01-03,Afghanistan,Kabul,,,,,attack,,0,0,An attack.,Press"
        + "," * (len(COLUMNS) - 14)
        + "\n"
    )
    rated = run_advisory("rate", "--as-of", "2024-01-08", cwd=site)
    assert rated.returncode == 0, rated.stderr
    assert "Kabul (af-kabul)" in rated.stdout and "VRAEM" not in rated.stdout


def test_init_refuses_a_folder_with_files(tmp_path: Path):
    site = tmp_path / "mysite"
    site.mkdir()
    (site / "notes.txt").write_text("ours\n")
    before = files_below(tmp_path)
    result = run_advisory("init", str(site), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"advisory: {site} is not empty (notes.txt); nothing was written. "
        "Give --force to add only the files it lacks\n"
    )
    assert files_below(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mysite"]


def test_init_refuses_a_file(tmp_path: Path):
    (tmp_path / "taken").write_text("x")
    result = run_advisory("init", "taken", cwd=tmp_path)
    assert result.returncode == 2
    assert "taken exists and is not a folder; nothing was written" in result.stderr
    assert (tmp_path / "taken").read_text() == "x"


def test_init_into_an_empty_folder(tmp_path: Path):
    (tmp_path / "site").mkdir()
    result = run_advisory("init", "site", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(files_below(tmp_path / "site")) == SITE_FILES


def test_force_adds_what_is_missing_and_overwrites_nothing(tmp_path: Path):
    site = tmp_path / "site"
    assert run_advisory("init", str(site), cwd=tmp_path).returncode == 0
    edited = (site / "rules/scoring.yaml").read_text().replace("window_days: 30", "window_days: 21")
    (site / "rules/scoring.yaml").write_text(edited)
    (site / "data/travelers.yaml").unlink()
    (site / "ours.txt").write_text("ours\n")

    result = run_advisory("init", "--force", str(site), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  wrote data/travelers.yaml" in lines
    assert (
        "  kept rules/scoring.yaml: it differs from the shipped version, which was not written"
        in lines
    )
    assert "  unchanged advisory.yaml" in lines
    assert sum(line.startswith("  wrote ") for line in lines) == 1
    assert (site / "rules/scoring.yaml").read_text() == edited
    assert (site / "ours.txt").read_text() == "ours\n"
    assert (site / "data/travelers.yaml").read_bytes() == (
        ROOT / "data/travelers.yaml"
    ).read_bytes()


def test_create_site_writes_exactly_the_files(tmp_path: Path):
    files = site_files(tmp_path / "s", "/opt/advisory/bin/advisory", empty=False)
    report = create_site(tmp_path / "s", files)
    assert report.written == list(files) and not report.kept and not report.unchanged
    assert files_below(tmp_path / "s") == files
    readme = files["README.md"].decode()
    assert (
        f"/opt/advisory/bin/advisory --config {tmp_path / 's' / 'advisory.yaml'} weekly" in readme
    )
    # Same inputs, same bytes.
    assert site_files(tmp_path / "s", "/opt/advisory/bin/advisory", empty=False) == files


def test_settings_file_is_the_defaults_and_names_every_setting(tmp_path: Path):
    text = settings_file_text()
    (tmp_path / "advisory.yaml").write_text(text)
    config = load_config(tmp_path / "advisory.yaml", environ={}, cwd=tmp_path)
    assert config.settings == Settings()
    for name, info in Settings.model_fields.items():
        assert re.search(rf"^#?{name}:", text, re.MULTILINE), name
        section = info.annotation
        for inner in getattr(section, "model_fields", {}):
            assert re.search(rf"^  #{inner}:", text, re.MULTILINE), f"{name}.{inner}"


def test_settings_file_turned_on_line_by_line_is_valid(tmp_path: Path):
    """Removing every `#` in front of a setting gives a file that loads: the defaults, and the
    examples where a setting has no default."""
    on = re.sub(r"^(\s*)#(?=[a-z_]+:)", r"\1", settings_file_text(), flags=re.MULTILINE)
    (tmp_path / "advisory.yaml").write_text(on)
    settings = load_config(tmp_path / "advisory.yaml", environ={}, cwd=tmp_path).settings
    assert settings.issue_time == "06:00"
    assert settings.incidents == ["data/*.csv"]
    assert settings.alerts.min_level == "Moderate"
    assert settings.smtp.username == "advisory"
    assert settings.delivery.retry_delays == [2.0, 10.0, 60.0]


def test_acled_mapping_defaults_to_the_sites_then_the_shipped_one(tmp_path: Path):
    (tmp_path / "rules").mkdir()
    shipped_mapping = default_acled_mapping(tmp_path / "rules")
    assert shipped_mapping.name == "acled.yaml"
    assert shipped_mapping.read_bytes() == (ROOT / "rules/acled.yaml").read_bytes()
    (tmp_path / "rules" / "acled.yaml").write_text("version: 1\n")
    assert default_acled_mapping(tmp_path / "rules") == tmp_path / "rules" / "acled.yaml"


def test_version(tmp_path: Path):
    for flag in ("--version", "-V"):
        result = run_advisory(flag, cwd=tmp_path)
        assert result.returncode == 0
        assert result.stdout == f"advisory {version('advisory')}\n"


def test_the_documented_cron_line_runs_under_cron(tmp_path: Path):
    """The crontab line of the site's README, run as cron runs it (`/bin/sh -c`, no environment
    but what the line sets): the password from advisory.env reaches the relay, a success prints
    one line, and a stale feed is refused with its reason, in the log file too."""
    import datetime as dt
    import subprocess

    from aiosmtpd.smtp import AuthResult, LoginPassword

    from advisory.calendar import last_full_week
    from tests.relays import start_relay
    from tests.test_deliver import Handler

    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=logins[-1:] == [(b"advisory", b"s3cret $ 'x")])

    handler = Handler()
    relay = start_relay(handler, authenticator=authenticate, auth_require_tls=False)
    port = relay.port
    try:
        made = run_advisory("init", "site", cwd=tmp_path)
        assert made.returncode == 0, made.stderr
        site = tmp_path / "site"
        assert oct((site / "advisory.env").stat().st_mode & 0o777) == "0o600"
        (site / "advisory.env").write_text("ADVISORY_SMTP_PASSWORD='s3cret $ '\"'\"'x'\n")
        (site / "advisory.yaml").write_text(
            "version: 1\nlog_file: log/advisory.log\n"
            f"smtp: {{host: 127.0.0.1, port: {port}, security: none, username: advisory}}\n"
        )
        readme = (site / "README.md").read_text()
        [line] = [ln for ln in readme.splitlines() if ln.startswith("0 6 * * 1 ")]
        command = line.split(None, 5)[5]

        def cron() -> subprocess.CompletedProcess[str]:
            return run_watched(["env", "-i", "/bin/sh", "-c", command], cwd="/")

        # The demo's log ends in 2023: this week's feed is stale.
        stale = cron()
        assert stale.returncode == 1, stale.stderr
        assert stale.stdout == ""
        [error] = stale.stderr.splitlines()
        assert error.startswith("advisory: the newest incident is of 2023-04-11")
        log = (site / "log" / "advisory.log").read_text().splitlines()
        assert log[-1].endswith(f"ERROR failed (exit 1): {error.removeprefix('advisory: ')}")
        assert " INFO validate: " in log[-2]
        assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d ", log[-1])

        # A fresh incident in Lima and a traveler there: one line, one message, sent with the
        # password of advisory.env.
        monday = last_full_week(dt.datetime.now(dt.UTC))
        day = monday + dt.timedelta(days=2)
        with (site / "data" / "incidents.csv").open("a", encoding="utf-8") as f:
            f.write(f"cron-1,{day},Peru,Lima,Lima,Lima,,,protest,,0,0,"
                    f"A march in central Lima on {day}.,Report,,,,,\n")  # fmt: skip
        roster = (site / "data" / "travelers.yaml").read_text()
        (site / "data" / "travelers.yaml").write_text(roster + (
            "  - id: t-cron\n    name: Cron Tester\n    email: cron@example.org\n    trips:\n"
            f"      - {{destination: pe-lima, start: {day}, end: {day + dt.timedelta(days=9)}}}\n"
        ))  # fmt: skip
        ok = cron()
        assert ok.returncode == 0, ok.stderr
        assert ok.stderr == ""
        week = f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"
        [printed] = ok.stdout.splitlines()
        assert printed.startswith(f"{week}: published at {site / 'output' / week}, ")
        # The traveler, and the desk's roster entry that receives every bulletin.
        assert printed.endswith(", 1 alert; email: 2 sent, 0 corrections, 0 sent before, "
                                "0 failed, 5 without alerts")  # fmt: skip
        assert "Cron Tester <cron@example.org>" in [str(m["To"]) for m in handler.accepted]
        assert logins[-1] == (b"advisory", b"s3cret $ 'x")
        log = (site / "log" / "advisory.log").read_text().splitlines()
        assert log[-1].endswith(f"INFO {printed}")
    finally:
        relay.stop()


def test_init_writes_schedules_that_work_without_cron_tz(tmp_path: Path):
    """Debian's cron ignores CRON_TZ: the site's README does not rely on it, and the systemd
    units `init` writes are complete (a service with its user, a timer in the site's zone)."""
    import shutil
    import subprocess

    site = tmp_path / "srv"
    assert run_advisory("init", str(site), cwd=tmp_path).returncode == 0
    readme = (site / "README.md").read_text()
    assert "CRON_TZ" not in readme.replace("ignores `CRON_TZ`", "")
    assert f"useradd --system --home-dir {site}" in readme
    service = (site / "advisory-weekly.service").read_text()
    assert "[Unit]" in service and "[Service]" in service and "User=advisory" in service
    assert f"--config {site / 'advisory.yaml'} weekly --wait 600 --send" in service
    timer = (site / "advisory-weekly.timer").read_text()
    assert "OnCalendar=Mon *-*-* 06:00:00 UTC" in timer and "WantedBy=timers.target" in timer
    analyze = shutil.which("systemd-analyze")
    if analyze is not None:  # the units as systemd reads them (no user or boot needed)
        checked = subprocess.run(
            [analyze, "verify", "--man=no", str(site / "advisory-weekly.timer"),
             str(site / "advisory-weekly.service")],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        problems = [line for line in checked.stderr.splitlines() if "advisory-weekly" in line]
        assert problems == [], checked.stderr
