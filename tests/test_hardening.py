"""A run that meets trouble: concurrent runs on one ledger, kills while publishing and sending,
a relay that never answers, international addresses, a full disk, an unexpected error."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import resource
import signal
import socket
import sqlite3
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from advisory.publishing import week as week_module
from advisory.publishing.week import WeekFolder, locked
from tests.conftest import ADVISORY
from tests.forkserver import finish
from tests.relays import start_relay
from tests.test_deliver import WEEK, Handler, make_site, send

EXTRA = "extra-1,2018-06-23,Peru,Lima,Lima,Lima,,,riot,,1,4,A riot in central Lima.,Rep\n"


def _controller(handler: Handler, *, smtputf8: bool) -> Controller:
    """A relay, started, on a free port of 127.0.0.1."""
    return start_relay(handler, enable_SMTPUTF8=smtputf8)


@pytest.fixture(params=[True, False], ids=["smtputf8", "ascii-only"])
def relay(request: pytest.FixtureRequest) -> Iterator[tuple[Controller, Handler, bool]]:
    handler = Handler()
    controller = _controller(handler, smtputf8=request.param)
    yield controller, handler, request.param
    controller.stop()


_site = make_site


def _run(home: Path, *args: str, **options: Any) -> subprocess.Popen[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "ADVISORY_CACHE_DIR": os.environ["ADVISORY_CACHE_DIR"],
        # A run under a file-size limit must not write the program's own bytecode: a module
        # changed since its last run would be cached cut short, and every later run would fail.
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [str(ADVISORY), "--config", str(home / "advisory.yaml"), "weekly", "--week", WEEK]
    return subprocess.Popen(
        [*command, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, **options,
    )  # fmt: skip


def _published(home: Path) -> dict[str, bytes]:
    week = home / "published" / WEEK
    return {str(p.relative_to(week)): p.read_bytes() for p in week.rglob("*") if p.is_file()}


# --- international addresses ------------------------------------------------------------------


def test_international_addresses(tmp_path: Path, relay: tuple[Controller, Handler, bool]):
    controller, handler, smtputf8 = relay
    home = _site(tmp_path, controller.port)
    roster = home / "data" / "travelers.yaml"
    roster.write_text(
        roster.read_text()
        + "  - id: t-eve\n    name: Ève Exämple\n    email: eve@exämple.org\n"
        + "    trips: [{destination: pe-lima, start: 2018-06-20, end: 2018-06-30}]\n"
        + "  - id: t-nandu\n    name: Ñandú\n    email: ñandú@example.org\n"
        + "    trips: [{destination: pe-lima, start: 2018-06-20, end: 2018-06-30}]\n"
    )
    result = send(home, "--send")
    assert "Traceback" not in result.stderr
    to = {str(m["To"]): m for m in handler.accepted}
    # The domain travels in its ASCII form, which every relay takes.
    assert "Ève Exämple <eve@xn--exmple-cua.org>" in to
    if smtputf8:
        assert result.returncode == 0, result.stderr
        assert "Ñandú <ñandú@example.org>" in to
    else:
        # That one traveler is refused with the reason; everyone else has their message.
        assert result.returncode == 1
        assert "not delivered to t-nandu: permanent: refused: the address is international" in (
            result.stderr
        )
        assert len(handler.accepted) == 5
    again = send(home, "--send")
    assert "Traceback" not in again.stderr
    assert len(handler.accepted) == len(to)  # nothing sent twice

    dry = send(home, "--send", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    outbox = home / "published" / "outbox" / WEEK
    assert "ñandú@example.org".encode() in (outbox / "t-nandu.eml").read_bytes()


# --- one lock for one site --------------------------------------------------------------------


def test_two_sends_with_different_outputs_share_one_ledger(tmp_path: Path):
    handler = Handler()
    controller = _controller(handler, smtputf8=False)
    try:
        home = _site(tmp_path, controller.port)
        runs = [
            _run(home, "--send", "--out", str(home / out), "--wait", "120")
            for out in ("out-a", "out-b")
        ]
        results = [(done.stdout, done.stderr) for done in map(finish, runs)]
    finally:
        controller.stop()
    assert [run.returncode for run in runs] == [0, 0], results
    ids = Counter(str(m["Message-ID"]) for m in handler.accepted)
    assert len(ids) == 4 and set(ids.values()) == {1}, ids
    assert sorted("4 sent before" in out for out, _ in results) == [False, True]


# --- exactly once, as far as SMTP allows ------------------------------------------------------


def test_killed_after_acceptance_resends_with_the_same_message_id(tmp_path: Path):
    handler = Handler()
    controller = _controller(handler, smtputf8=False)
    try:
        home = _site(tmp_path, controller.port)
        killed = send(home, "--send", env={"ADVISORY_FAULT": "accepted=kill@2"})
        assert killed.returncode == -signal.SIGKILL
        again = send(home, "--send")
    finally:
        controller.stop()
    assert again.returncode == 0, again.stderr
    ids = Counter(str(m["Message-ID"]) for m in handler.accepted)
    # The one message accepted but not recorded went twice, under one Message-ID, which mail
    # clients show once; every other message went once.
    assert sorted(ids.values()) == [1, 1, 1, 2]
    rows = sqlite3.connect(home / "state" / "ledger.sqlite").execute(
        "SELECT DISTINCT status FROM deliveries ORDER BY status"
    )
    assert [status for (status,) in rows] == ["sent", "skipped"]  # none left at `sending`


# --- a relay that never answers ---------------------------------------------------------------


def test_unanswering_relay_releases_the_lock_by_the_deadline(tmp_path: Path):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        silent.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(silent.accept()[0])  # accepted, and never a word
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        home = _site(tmp_path, silent.getsockname()[1])
        config = home / "advisory.yaml"
        config.write_text(
            config.read_text()
            .replace("timeout_seconds: 5", "timeout_seconds: 20")
            .replace("delivery: {retry_delays: [0.05, 0.05, 0.05]}", "delivery:\n"
                     "  retry_delays: [1, 1, 1, 1, 1]\n  deadline_minutes: 0.1\n")
        )  # fmt: skip
        result = send(home, "--send")
        after = send(home, "--wait", "0")  # the lock is free again
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        silent.close()
    assert result.returncode == 1, result.stderr
    # The relay is proved before any message: one line, nothing marked, the next run sends.
    [line] = [line for line in result.stderr.splitlines() if line.startswith("advisory:")]
    assert re.search(
        r"the relay 127\.0\.0\.1:\d+ accepted the connection but did not answer \(its greeting\) "
        r"within [\d.]+ s: check the relay, smtp\.port and smtp\.security$",
        line,
    ), line
    # The 6 s deadline, one 20 s connection timeout and the run around it: about 30 s on a busy
    # machine. Without the deadline the retries alone would wait six times 20 s.
    assert result.wall_seconds < 60, f"took {result.wall_seconds:.0f} s"
    assert after.returncode == 0, after.stderr


# --- publishing -------------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["publish", "swap", "swapped"])
def test_a_kill_at_each_publish_step_leaves_a_readable_week(tmp_path: Path, step: str):
    home = _site(tmp_path, 9)
    assert send(home).returncode == 0
    before = _published(home)
    with (home / "data" / "incidents.csv").open("a") as f:
        f.write(EXTRA)
    killed = send(home, env={"ADVISORY_FAULT": f"{step}=kill"})
    assert killed.returncode == -signal.SIGKILL
    now = _published(home)
    _assert_whole(now)  # the old week or the new one, whole
    assert now == before or EXTRA.split(",")[0] in now["incidents.csv"].decode()
    rerun = send(home)
    assert rerun.returncode == 0, rerun.stderr
    status = "unchanged" if now != before else "republished"
    assert f"{WEEK}: {status}" in rerun.stdout
    assert [p.name for p in (home / "published").iterdir() if p.name.startswith(".2018")] == []


def _assert_whole(files: dict[str, bytes]) -> None:
    """Every file the manifest lists is there with its checksum, and nothing else."""
    manifest = json.loads(files["manifest.json"])
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    assert set(files) == {*listed, "manifest.json"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name


def test_two_rename_publishing_is_mended_by_the_next_run(tmp_path: Path, monkeypatch):
    """Where the file system cannot swap in one step, a run killed between its two renames
    leaves the old week aside; the next run to take the lock puts it back."""
    monkeypatch.setattr(week_module, "exchange", lambda a, b: False)
    monkeypatch.setenv("ADVISORY_FAULT", "swap=fail")
    root = tmp_path / "out"
    for version in (b"old", b"new"):
        folder = WeekFolder(root, WEEK)
        folder.put("bulletin.html", version)
        try:
            folder.publish(folder.manifest(_issued(), []))
        except Exception as e:
            assert "fault injected at swap" in str(e)
    assert not (root / WEEK).exists()
    monkeypatch.delenv("ADVISORY_FAULT")
    with locked(root, 0, tmp_path / "state"):
        pass
    assert (root / WEEK / "bulletin.html").read_bytes() == b"old"


def test_a_week_folder_that_is_a_symlink_is_replaced(tmp_path: Path):
    home = _site(tmp_path, 9)
    assert send(home).returncode == 0
    week = home / "published" / WEEK
    elsewhere = tmp_path / "elsewhere"
    week.rename(elsewhere)
    week.symlink_to(elsewhere, target_is_directory=True)
    with (home / "data" / "incidents.csv").open("a") as f:
        f.write(EXTRA)
    result = send(home)
    assert result.returncode == 0, result.stderr
    assert f"{WEEK}: republished" in result.stdout
    assert week.is_dir() and not week.is_symlink()
    assert (elsewhere / "manifest.json").is_file()  # what the link pointed to is left alone


def _issued() -> dt.datetime:
    return dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC)


# --- spreadsheets -----------------------------------------------------------------------------


def test_published_csv_cells_are_safe_for_spreadsheets(tmp_path: Path):
    home = _site(tmp_path, 9)
    with (home / "data" / "incidents.csv").open("a") as f:
        f.write('x-2,2018-06-23,Peru,Lima,Lima,Lima,,,riot,,0,0,"=HYPERLINK(""http://x"")",@r\n')
        f.write("x-3,2018-06-24,Peru,Lima,Lima,Lima,,,riot,,0,0,Bell\x07 and nul\x00 here.,R\n")
    assert send(home).returncode == 0
    published = (home / "published" / WEEK / "incidents.csv").read_text()
    assert "'=HYPERLINK" in published and ",'@r," in published
    assert "\n=" not in published and ",=" not in published
    # Control characters in incident text do not reach the documents.
    html = (home / "published" / WEEK / "bulletin.html").read_text()
    assert "Bell and nul here." in html and "\x07" not in html and "\x00" not in html


# --- the machine fails ------------------------------------------------------------------------


def test_a_full_disk_fails_cleanly(tmp_path: Path):
    home = _site(tmp_path, 9)

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    run = _run(home, preexec_fn=small_files)
    result = finish(run)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "File too large" in result.stderr
    assert not (home / "published" / WEEK).exists()
    assert [p.name for p in (home / "published").iterdir() if p.name.startswith(".2018")] == []


def test_an_internal_error_is_one_line_a_crash_report_and_exit_70(tmp_path: Path):
    home = _site(tmp_path, 9)
    assert send(home).returncode == 0
    before = _published(home)
    with (home / "data" / "incidents.csv").open("a") as f:
        f.write(EXTRA)
    result = send(home, env={"ADVISORY_FAULT": "rendered=raise"})
    assert result.returncode == 70
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if " INFO " not in line]
    assert line.startswith("advisory: internal error (RuntimeError: fault injected at rendered)")
    [report] = (home / "state").glob("crash-*.txt")
    assert str(report) in line
    assert oct(report.stat().st_mode & 0o777) == "0o600"
    assert "Traceback" in report.read_text() and "fault injected" in report.read_text()
    assert _published(home) == before  # the published week is untouched


def test_a_read_only_output_is_refused_before_any_work(tmp_path: Path):
    home = _site(tmp_path, 9)
    output = home / "published"
    output.mkdir()
    if os.geteuid() == 0:  # root writes anywhere but in an immutable folder
        if subprocess.run(["chattr", "+i", str(output)], check=False).returncode != 0:
            pytest.skip("cannot make a folder read-only for root here (chattr)")
    else:
        output.chmod(0o555)
    try:
        run = _run(home)
        stderr = finish(run).stderr
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(output)], check=True)
        output.chmod(0o755)
    assert run.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert f"advisory.yaml:2:9: output: {output}: cannot write in {output}" in stderr
    assert list(output.iterdir()) == []
