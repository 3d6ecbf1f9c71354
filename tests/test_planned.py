"""Events announced ahead (`planned: yes`): never counted, before or after their day, and shown
ahead of it in the bulletin's "Coming up", the alerts of their region and the briefs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_advisory


def site_at(folder: Path, *, planned: bool) -> Path:
    folder.mkdir()
    shutil.copytree(ROOT / "rules", folder / "rules")
    shutil.copytree(ROOT / "data", folder / "data")
    (folder / "advisory.yaml").write_text("version: 1\nmaps: false\n")
    if not planned:
        log = folder / "data" / "incidents.csv"
        log.write_text("".join(line for line in log.read_text().splitlines(keepends=True)
                               if not line.rstrip().endswith(",yes")))  # fmt: skip
    return folder


def published(site: Path, week: str) -> dict[str, bytes]:
    result = run_advisory("weekly", "--week", week, "--jobs", "1", cwd=site)
    assert result.returncode == 0, result.stderr
    folder = site / "output" / week
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"  # it lists the inputs' sums
    }


def test_a_planned_event_never_counts_before_or_after_its_day(tmp_path: Path):
    with_them = site_at(tmp_path / "with", planned=True)
    without = site_at(tmp_path / "without", planned=False)
    # The week in which both announced days fall, issued after them: nothing of it differs.
    assert published(with_them, "2018-W26") == published(without, "2018-W26")
    # The week before: the same levels, counts, incident table and CAP messages; only the
    # documents that show what is coming differ.
    before, plain = published(with_them, "2018-W25"), published(without, "2018-W25")
    differ = sorted(name for name in before if before[name] != plain.get(name))
    assert differ == [
        "alerts/pe-cusco.html", "alerts/pe-cusco.pdf", "alerts/pe-lima.html",
        "alerts/pe-lima.pdf", "bulletin.html", "bulletin.pdf",
    ]  # fmt: skip
    assert before["alerts/pe-vraem.html"] == plain["alerts/pe-vraem.html"]
    for name in ("ratings.json", "incidents.csv", "levels.json"):
        assert b"demo-2018-plan" not in before[name], name


def test_the_days_ahead_are_shown(tmp_path: Path):
    site = site_at(tmp_path / "site", planned=True)
    pages = published(site, "2018-W25")
    bulletin = pages["bulletin.html"].decode()
    coming = bulletin.split('id="coming-up"')[1].split("</section>")[0]
    assert coming.index("2018-06-28, Lima") < coming.index("2018-07-01, Cusco")
    assert '<a href="#coming-up">Coming up</a>' in bulletin
    lima = pages["alerts/pe-lima.html"].decode()
    assert "A strike is planned in Lima for June 28. Transport unions have called" in lima
    assert "Expect road blockades and little or no public transport on the day" in lima
    brief = run_advisory("brief", "t-james-okafor", "--journey", "1", "--as-of",
                         "2018-06-15T06:00Z", "--out", "briefs", cwd=site)  # fmt: skip
    assert brief.returncode == 0, brief.stderr
    html = (site / "briefs" / "brief-t-james-okafor-2018-06-25.html").read_text()
    assert "Planned during your journey" in html
    assert "A demonstration is planned in Cusco for July 1." in html


@pytest.mark.parametrize(
    ("category", "said"),
    [
        ("protest", "'protest' is not a planned event's category"),
        ("festival", "'festival' is not a planned event's category"),
    ],
)
def test_a_planned_row_names_what_is_announced(tmp_path: Path, category: str, said: str):
    site = site_at(tmp_path / "site", planned=True)
    log = site / "data" / "incidents.csv"
    log.write_text(log.read_text().replace(",strike,Transport", f",{category},Transport"))
    checked = run_advisory("validate", cwd=site)
    assert checked.returncode == 2
    assert "data/incidents.csv:55:9: category: " in checked.stderr and said in checked.stderr
