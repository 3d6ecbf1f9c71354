"""`advisory weekly` as cron runs it: bare environment, other folders, kills, races, re-runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import ADVISORY, ROOT, run_advisory
from tests.forkserver import Progress, Run, finish, run_watched

WEEK = "2018-W25"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An installation as an operator lays it out: /srv/advisory with its own advisory.yaml."""
    home = tmp_path / "srv" / "advisory"
    home.mkdir(parents=True)
    shutil.copytree(ROOT / "rules", home / "rules")
    shutil.copytree(ROOT / "data", home / "data")
    (home / "advisory.yaml").write_text(
        "version: 1\n"
        "organisation: Example Corp Security\n"
        "classification: Confidential\n"
        "rules: rules\n"
        "incidents: [data/*.csv]\n"
        "output: published\n"
        "timezone: America/Lima\n"
        'issue_time: "01:00"\n'  # Monday 01:00 in Lima: 06:00 UTC, the demo's issue time
    )
    return home


def weekly(
    site: Path,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    wait: bool = True,
    verbose: bool = False,
    real: bool = False,
    jobs: int | None = 1,
) -> Run | subprocess.CompletedProcess[str] | subprocess.Popen[str]:
    """Run `advisory --config SITE/advisory.yaml weekly` as cron does: `env -i`, from /.

    It is forked from the tests' fork server unless it must be the installed script itself:
    `real` (a process started as cron starts it) or not `wait` (a run to kill or race). PDFs
    are rendered in the run's own process (`--jobs 1`: render workers cost CPU to start)
    unless `jobs` says otherwise; None is the default, a worker per core."""
    environment = {
        "PATH": "/usr/bin:/bin",
        "ADVISORY_CACHE_DIR": os.environ["ADVISORY_CACHE_DIR"],
        **(env or {}),
    }
    command = [str(ADVISORY), *(["-v"] if verbose else []), "--config",
               str(site / "advisory.yaml"), "weekly", *args,
               *(["--jobs", str(jobs)] if jobs else [])]  # fmt: skip
    if not wait:
        return subprocess.Popen(
            command, cwd=cwd or "/", env=environment, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
    if real:
        return run_watched(command, cwd=cwd or "/", env=environment)
    return run_advisory(*command[1:], cwd=cwd or "/", env=environment)


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_cron_run_publishes_the_week(site: Path):
    result = weekly(site, "--week", WEEK, real=True, jobs=None)
    assert isinstance(result, subprocess.CompletedProcess)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{WEEK}: published at {site / 'published' / WEEK}, 4 alerts\n"
    assert result.stderr == ""  # the stages go to stderr only with -v
    verbose = weekly(site, "--week", WEEK, verbose=True)
    assert isinstance(verbose, Run)
    assert " INFO validate: " in verbose.stderr and " INFO render: " in verbose.stderr

    week = site / "published" / WEEK
    assert visible(week) == [
        "alerts", "bulletin.html", "bulletin.pdf", "incidents.csv", "levels.json", "manifest.json",
        "ratings.json",
    ]  # fmt: skip
    assert visible(week / "alerts") == [
        f"{region}.{ext}"
        for region in ("pe-cusco", "pe-lima", "pe-north-border", "pe-vraem")
        for ext in ("cap.xml", "html", "pdf")
    ]
    manifest = json.loads((week / "manifest.json").read_text())
    assert manifest["week"] == WEEK
    assert manifest["as_of"] == "2018-06-25T06:00:00Z"
    assert manifest["program"]["name"] == "advisory"
    assert {i["path"] for i in manifest["inputs"]} >= {"data/incidents.csv", "rules/scoring.yaml"}
    for entry in manifest["files"]:
        data = (week / entry["path"]).read_bytes()
        assert len(data) == entry["size"]
        assert hashlib_sha256(data) == entry["sha256"]
    assert "manifest.json" not in {e["path"] for e in manifest["files"]}

    cover = PdfReader(week / "bulletin.pdf").pages[0].extract_text()
    assert "Example Corp Security" in cover and "Confidential" in cover
    assert "25 Jun 2018 | 01:00 AM America/Lima" in cover  # the configured time zone
    vraem = PdfReader(week / "alerts" / "pe-vraem.pdf").pages[0].extract_text().replace("\xa0", " ")
    assert "June 24 /update 2" in vraem and "25 Jun 2018 | 06:00 AM UTC" in vraem
    incidents = (week / "incidents.csv").read_text().splitlines()
    assert incidents[0].endswith(",regions")
    assert any(line.startswith("pe-2018-0624-vizcatan,") and line.endswith(",pe-vraem")
               for line in incidents)  # fmt: skip


def hashlib_sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_the_2018_alert_is_update_2_with_the_third_incident(site: Path):
    assert weekly(site, "--week", WEEK).returncode == 0
    html = (site / "published" / WEEK / "alerts" / "pe-vraem.html").read_text()
    assert (
        "Peru: Clashes with armed group in VRAEM region June\u00a024&nbsp;/&#8288;update&nbsp;2"
        in html
    )
    assert "This was the third such incident" in html


def test_rerun_is_unchanged_and_byte_identical(site: Path):
    first = weekly(site, "--week", WEEK)
    week = site / "published" / WEEK
    before = {p: p.read_bytes() for p in week.rglob("*") if p.is_file()}
    second = weekly(site, "--week", WEEK, cwd=site)  # another day, another folder
    assert isinstance(first, Run)
    assert isinstance(second, Run)
    assert second.returncode == 0, second.stderr
    assert f"{WEEK}: unchanged" in second.stdout
    assert {p: p.read_bytes() for p in week.rglob("*") if p.is_file()} == before


def test_changed_inputs_republish_and_say_what_changed(site: Path):
    assert weekly(site, "--week", WEEK).returncode == 0
    with (site / "data" / "incidents.csv").open("a") as f:
        f.write("extra-1,2018-06-22,Peru,Puno,Puno,Puno,,,riot,,3,10,A riot in Puno city.,Report\n")
    result = weekly(site, "--week", WEEK)
    assert isinstance(result, Run)
    assert result.returncode == 0, result.stderr
    assert f"{WEEK}: republished" in result.stdout
    assert "pe-puno: level Minimal -> " in result.stdout
    assert "pe-puno: alert added" in result.stdout
    assert (site / "published" / WEEK / "alerts" / "pe-puno.pdf").is_file()


def test_bad_input_writes_nothing(site: Path):
    (site / "data" / "incidents.csv").write_text(
        "id,date,country,admin1,category,summary,sources\nx,2018-06-40,Peru,Lima,crime,A.,B\n"
    )
    result = weekly(site, "--week", WEEK)
    assert isinstance(result, Run)
    assert result.returncode == 2
    assert "data/incidents.csv:2:2: date: '2018-06-40' is not a date" in result.stderr
    published = site / "published"
    assert not published.exists() or visible(published) == []


def test_stale_feed_stops_the_run(site: Path):
    result = weekly(site, "--week", "2018-W35")
    assert isinstance(result, Run)
    assert result.returncode == 1
    assert "the newest incident is of 2018-07-12" in result.stderr
    assert not (site / "published" / "2018-W35").exists()
    allowed = weekly(site, "--week", "2018-W35", "--allow-stale")
    assert allowed.returncode == 0, allowed.stderr


@pytest.mark.parametrize("point", ["render", "rendered", "publish"])
def test_killed_run_leaves_no_partial_week(site: Path, point: str):
    killed = weekly(site, "--week", WEEK, env={"ADVISORY_FAULT": f"{point}=kill"}, jobs=None)
    assert isinstance(killed, Run)
    assert killed.returncode == -signal.SIGKILL
    published = site / "published"
    assert WEEK not in visible(published)  # nothing half-written is visible

    again = weekly(site, "--week", WEEK)
    assert isinstance(again, Run)
    assert again.returncode == 0, again.stderr
    assert visible(published) == [WEEK, "alerts.atom", "archive.css", "index.html", "regions"]
    assert [p.name for p in published.iterdir() if ".partial-" in p.name] == []
    manifest = json.loads((published / WEEK / "manifest.json").read_text())
    assert all((published / WEEK / e["path"]).is_file() for e in manifest["files"])


def test_killed_while_rebuilding_the_archive(site: Path):
    """Killed after the region pages were swapped in, before the index: the week is published,
    each page whole; the next run puts the index in place."""
    killed = weekly(site, "--week", WEEK, env={"ADVISORY_FAULT": "archive=kill"})
    assert isinstance(killed, Run)
    assert killed.returncode == -signal.SIGKILL
    published = site / "published"
    assert visible(published) == [WEEK, "alerts.atom", "archive.css", "regions"]
    assert (published / "regions" / "pe-vraem.html").read_text().rstrip().endswith("</html>")
    again = weekly(site, "--week", WEEK)
    assert again.returncode == 0, again.stderr
    assert visible(published) == [WEEK, "alerts.atom", "archive.css", "index.html", "regions"]
    assert f'href="{WEEK}/bulletin.html"' in (published / "index.html").read_text()
    assert [p.name for p in published.iterdir() if p.name.startswith(".site")] == []


def test_killed_while_replacing_a_week(site: Path):
    assert weekly(site, "--week", WEEK).returncode == 0
    with (site / "data" / "incidents.csv").open("a") as f:
        f.write("extra-1,2018-06-22,Peru,Puno,Puno,Puno,,,riot,,3,10,A riot in Puno city.,Report\n")
    killed = weekly(site, "--week", WEEK, env={"ADVISORY_FAULT": "swap=kill"})
    assert killed.returncode == -signal.SIGKILL
    again = weekly(site, "--week", WEEK)
    assert again.returncode == 0, again.stderr
    week = site / "published" / WEEK
    assert (week / "alerts" / "pe-puno.pdf").is_file()
    assert [p.name for p in (site / "published").iterdir() if ".old-" in p.name] == []


def test_second_run_at_once_is_refused_with_75(site: Path):
    holder = weekly(site, "--week", WEEK, env={"ADVISORY_FAULT": "locked=sleep:60"}, wait=False)
    assert isinstance(holder, subprocess.Popen)
    try:
        _wait_for_lock(site, holder)
        second = weekly(site, "--week", WEEK)
        assert isinstance(second, Run)
        assert second.returncode == 75
        # The inputs are checked first (a bad one is reported whether or not a run holds the
        # lock); then one line says who holds it.
        messages = [line for line in second.stderr.splitlines() if " INFO " not in line]
        assert len(messages) == 1 and "another run holds" in messages[0]
    finally:
        holder.kill()
        holder.wait()


def test_second_run_waits_then_finds_unchanged(site: Path):
    holder = weekly(site, "--week", WEEK, env={"ADVISORY_FAULT": "locked=sleep:3"}, wait=False)
    assert isinstance(holder, subprocess.Popen)
    _wait_for_lock(site, holder)
    second = weekly(site, "--week", WEEK, "--wait", "120")
    holder_out = finish(holder).stdout
    assert holder.returncode == 0
    assert "published" in holder_out
    assert isinstance(second, Run)
    assert second.returncode == 0, second.stderr
    assert "unchanged" in second.stdout


def test_lock_of_a_killed_run_is_taken_over(site: Path):
    holder = weekly(site, "--week", WEEK, env={"ADVISORY_FAULT": "locked=sleep:60"}, wait=False)
    assert isinstance(holder, subprocess.Popen)
    _wait_for_lock(site, holder)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (site / "state" / ".advisory-weekly.lock").exists()  # left behind
    result = weekly(site, "--week", WEEK)
    assert isinstance(result, Run)
    assert result.returncode == 0, result.stderr


def test_the_lock_is_out_of_the_web_root_and_an_earlier_versions_lock_is_honoured(site: Path):
    """The publishing lock lives in state/; the one an earlier version kept in the output
    folder is taken while it exists (held by a run of that version: exit 75), then removed."""
    import filelock

    earlier = site / "published" / ".advisory-weekly.lock"
    earlier.parent.mkdir()
    held = filelock.FileLock(earlier, timeout=0)
    with held:  # a run of the earlier version, still publishing
        refused = weekly(site, "--week", WEEK)
    assert isinstance(refused, Run)
    assert refused.returncode == 75, refused.stderr
    assert f"another run holds {earlier}" in refused.stderr
    result = weekly(site, "--week", WEEK)
    assert isinstance(result, Run)
    assert result.returncode == 0, result.stderr
    assert not earlier.exists()  # removed while held
    assert [p.name for p in (site / "published").glob(".*lock*")] == []
    assert (site / "state" / ".advisory-weekly.lock").exists()


def _wait_for_lock(site: Path, holder: subprocess.Popen[str]) -> None:
    """Until the holder has the lock: a probe run with no wait is refused. The holder ending
    first, or making no CPU progress for a minute before it, fails the test."""
    probe = [
        sys.executable, "-c",
        "import sys, filelock; l = filelock.FileLock(sys.argv[1], timeout=0)\n"
        "try:\n    l.acquire()\nexcept filelock.Timeout:\n    sys.exit(1)\n",
        str(site / "state" / ".advisory-weekly.lock"),
    ]  # fmt: skip
    progress = Progress(holder.pid)
    while holder.poll() is None and not progress.stalled():
        if (site / "state").exists() and subprocess.run(probe, check=False).returncode == 1:
            return
        time.sleep(0.1)
    raise AssertionError(f"the first run never took the lock: {progress.state(holder)}")


def test_unknown_level_in_the_settings_is_bad_input(site: Path):
    config = site / "advisory.yaml"
    config.write_text(config.read_text() + "delivery: {min_level: Hihg}\n")
    result = weekly(site, "--week", WEEK)
    assert isinstance(result, Run)
    assert result.returncode == 2
    assert "delivery.min_level: 'Hihg' is not a level" in result.stderr
    assert not (site / "published" / WEEK).exists()


def test_bulletin_command_gives_the_published_bulletin_under_an_alert_bar(site: Path):
    """One alert bar: `advisory bulletin --week W` writes the very bytes `weekly` published."""
    config = site / "advisory.yaml"
    config.write_text(config.read_text() + "alerts: {min_level: Moderate}\n")
    published = weekly(site, "--week", WEEK)
    assert isinstance(published, Run)
    assert published.returncode == 0, published.stderr
    week = site / "published" / WEEK
    # The bar holds back the Minimal regions' alerts: two of the four regions with incidents.
    assert sorted(p.name for p in (week / "alerts").glob("*.pdf")) == [
        "pe-north-border.pdf", "pe-vraem.pdf",
    ]  # fmt: skip

    out = site / "preview"
    result = run_advisory(
        "--config", str(config), "bulletin", "--week", WEEK, "--out", str(out), cwd="/"
    )
    assert result.returncode == 0, result.stderr
    preview = (out / f"bulletin-{WEEK}.pdf").read_bytes()
    assert preview == (week / "bulletin.pdf").read_bytes()
    # The published HTML links each alert to the archive's region page (its PDF does not);
    # the preview has no archive beside it. Nothing else differs.
    published_html = (week / "bulletin.html").read_text()
    links = re.findall(r'\s*<p class="site-nav">.*?</p>', published_html)
    assert len(links) == 2
    for link in links:
        published_html = published_html.replace(link, "", 1)
    assert (out / f"bulletin-{WEEK}.html").read_text() == published_html


def test_alert_names_a_region_below_the_bar(site: Path):
    config = site / "advisory.yaml"
    config.write_text(config.read_text() + "alerts: {min_level: Moderate}\n")
    out = site / "alerts"

    def alert(*args: str) -> Run:
        return run_advisory(
            "--config", str(config), "alert", *args, "--as-of", "2018-06-25T06:00Z",
            "--out", str(out), "--jobs", "1", cwd="/",
        )  # fmt: skip

    named = alert("pe-lima", "pe-vraem", "pe-rest")
    assert named.returncode == 0, named.stderr
    assert named.stderr.splitlines() == [
        "pe-lima: below the alert bar (alerts.min_level Moderate); written because it was named",
        "pe-rest: no alert, no incident in the week 2018-06-18 to 2018-06-24",
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "pe-lima-2018-06-25.html", "pe-lima-2018-06-25.pdf",
        "pe-vraem-2018-06-25.html", "pe-vraem-2018-06-25.pdf",
    ]  # fmt: skip
    assert "Lima" in (out / "pe-lima-2018-06-25.html").read_text()

    shutil.rmtree(out)
    every = alert("--all")
    assert every.returncode == 0, every.stderr
    assert every.stderr == ""
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "pe-north-border-2018-06-25.pdf", "pe-vraem-2018-06-25.pdf",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "clock", "week", "issued"),
    [
        # Monday 06:00 in Bangkok is still Sunday in UTC: the week that just ended there.
        ("Asia/Bangkok", "2018-06-24T23:00:00+00:00", "2018-W25", "2018-06-24T23:00:00Z"),
        # The same moment on a site that never set its zone: a week earlier, as before.
        ("UTC", "2018-06-24T23:00:00+00:00", "2018-W24", "2018-06-18T06:00:00Z"),
    ],
)
def test_the_week_is_the_sites_own(site: Path, monkeypatch, zone, clock, week, issued):
    """A cron line firing at 06:00 local on a Monday publishes the week that ended there,
    issued at 06:00 local; stamps keep the seed's form in UTC. The clock is the one the CLI
    passes down."""
    import datetime as dt
    import importlib

    from click.testing import CliRunner

    from advisory.cli import common, main

    weekly_command = importlib.import_module("advisory.cli.weekly")

    config = site / "advisory.yaml"
    config.write_text(config.read_text().replace("America/Lima", zone).replace("01:00", "06:00"))
    frozen = dt.datetime.fromisoformat(clock)
    monkeypatch.setattr(common, "now", lambda: frozen)
    monkeypatch.setattr(weekly_command, "now", lambda: frozen)
    runner = CliRunner()
    result = runner.invoke(
        main, ["--config", str(config), "weekly", "--jobs", "1", "--allow-stale"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{week}: published at ")
    manifest = json.loads((site / "published" / week / "manifest.json").read_text())
    assert manifest["as_of"] == issued
    if zone == "Asia/Bangkok":
        alert = (site / "published" / week / "alerts" / "pe-vraem.html").read_text()
        assert "24 Jun 2018 | 11:00 PM UTC" in alert  # the seed's form, in UTC


def test_a_bare_as_of_date_is_midnight_on_the_sites_calendar(site: Path):
    """In Bangkok, `--as-of 2018-06-25` is 00:00 there: 17:00 UTC the day before."""
    config = site / "advisory.yaml"
    config.write_text(config.read_text().replace("America/Lima", "Asia/Bangkok"))

    def rated(as_of: str) -> dict[str, object]:
        result = run_advisory("rate", "--as-of", as_of, "--format", "json", cwd=site)
        assert result.returncode == 0, result.stderr
        first = json.loads(result.stdout)["ratings"][0]
        return {k: first[k] for k in ("as_of", "period_start", "period_end", "level", "score")}

    local = rated("2018-06-25")
    assert local == rated("2018-06-25T00:00+07:00")
    assert local["period_end"] == "2018-06-24"  # the week that ended in Bangkok
    assert local["as_of"] == "2018-06-25T00:00:00+07:00"  # the moment, in the site's zone
