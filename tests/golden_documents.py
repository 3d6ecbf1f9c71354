"""The documents the golden files hold, and the script that writes them anew on purpose:
the demo VRAEM alert (a three-incident series) and bulletin of 2018-W25, a quiet week's alert
(one incident, the first of its series), alerts of a 40- and a 400-incident week in Helmand,
generated as a conflict feed codes its events (tests/prose_weeks.py), and two weeks of
ACLED-shaped exports (tests/acled_corpus.py) imported with `advisory import acled`: an Afghan
month (Balkh's alert) and a month of protests and riots in Peru (Lima's).


    .venv/bin/python -m tests.golden_documents

Run it after a deliberate change to the templates or the prose, and review the diff.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import replace
from pathlib import Path

from advisory.inputs import load_inputs
from advisory.official.advice import OfficialAdvice
from advisory.rendering.renderer import Renderer
from advisory.writing.bar import AlertBar
from advisory.writing.compose import BulletinSettings
from advisory.writing.plan import Want, plan
from tests.conftest import ROOT
from tests.prose_weeks import ISSUED as CONFLICT_ISSUED
from tests.prose_weeks import conflict_week

GOLDEN = ROOT / "tests" / "golden"
ISSUED = dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC)  # the Monday after 2018-W25


def documents() -> dict[str, str]:
    """File name -> HTML of every golden document."""
    renderer = Renderer()
    found: dict[str, str] = {}

    def add(patterns: list[str], issued: dt.datetime, want: Want) -> None:
        # The demo's official advice: current for 2018-W25, stale for the later weeks.
        official = OfficialAdvice(ROOT / "data" / "official")
        inputs = replace(load_inputs(ROOT / "rules", patterns, None), official=official)
        planned = plan(inputs, issued, AlertBar(), BulletinSettings(), want)
        for d in planned.documents:
            found[f"{d.name}.html"] = renderer.html(d.template, {"doc": d.page})

    demo = [str(ROOT / "data" / "*.csv")]
    add(demo, ISSUED, Want(alerts=("pe-vraem",), alert_name="alert-{region}-2018-W25",
                           bulletin_name="bulletin-{period}"))  # fmt: skip
    quiet = dt.datetime(2023, 3, 20, 6, tzinfo=dt.UTC)  # the Monday after 2023-W11
    add(demo, quiet, Want(alerts=("pe-cusco",), alert_name="alert-{region}-2023-W11-quiet"))
    with tempfile.TemporaryDirectory() as folder:
        for size in (40, 400):
            path = conflict_week(size).write(Path(folder) / f"helmand-{size}.csv")
            name = f"alert-{{region}}-2024-W11-{size}-incidents"
            add([str(path)], CONFLICT_ISSUED, Want(alerts=("af-helmand",), alert_name=name))
        for region, country, kinds, seed, size, what in FEED_WEEKS:
            path = imported_export(Path(folder), country, kinds, seed, size)
            name = f"alert-{{region}}-2024-W11-acled-{what}"
            add([str(path)], CONFLICT_ISSUED, Want(alerts=(region,), alert_name=name))
    return found


#: The feed weeks: (region, country, kinds of event or None for all, seed, events, name).
FEED_WEEKS = (
    ("af-balkh", "Afghanistan", None, 27, 160, "conflict"),
    ("pe-lima", "Peru", ("protest", "riot", "mob", "force"), 31, 140, "protests"),
)


def imported_export(
    folder: Path, country: str, kinds: tuple[str, ...] | None, seed: int, size: int
) -> Path:
    """Four weeks of a country's events up to the golden week (2024-W11), written as ACLED
    exports them and imported with `advisory import acled`: the incident file it wrote."""
    import shutil

    from tests.acled_corpus import THEATRES, export, write
    from tests.conftest import run_advisory

    site = folder / f"acled-{country}"
    shutil.copytree(ROOT / "rules", site / "rules")
    theatres = [t for t in THEATRES if t.country == country]
    corpus = export(seed, size, start=dt.date(2024, 2, 19), days=28, theatres=theatres,
                    kinds=kinds)  # fmt: skip
    (site / "export.csv").write_bytes(write(corpus))
    (site / "data").mkdir()
    (site / "data" / "log.csv").write_text("id,date,country,category,summary,sources\n")
    # The export's day given, not the file's: the golden pages are the same on any day.
    done = run_advisory("import", "acled", "export.csv", "--out", "data/acled.csv",
                        "--incidents", "data/log.csv", "--exported", "2024-03-18",
                        cwd=site)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return site / "data" / "acled.csv"


#: The settings of the golden emails: a contact block and a public address for the links.
EMAIL_SETTINGS = """\
version: 1
output: out
public_url: https://security.example.org/advisories
contact: {phone: "+44 20 7946 0000", email: desk@example.org}
"""


def emails() -> dict[str, str]:
    """File name -> the headers and text part, and the HTML part, of the demo traveler Ana
    Torres's message of 2018-W25, as `weekly --send --dry-run` writes it."""
    import email
    import shutil
    from email.message import EmailMessage
    from email.policy import default

    from tests.conftest import run_advisory

    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        shutil.copytree(ROOT / "rules", site / "rules")
        shutil.copytree(ROOT / "data", site / "data")
        (site / "advisory.yaml").write_text(EMAIL_SETTINGS)
        run = run_advisory("weekly", "--week", "2018-W25", "--send", "--dry-run", cwd=site)
        assert run.returncode == 0, run.stderr
        raw = (site / "out" / "outbox" / "2018-W25" / "t-ana-torres.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    headers = "".join(f"{name}: {message[name]}\n" for name in ("Subject", "Date", "From", "To"))

    def lines(part: str) -> str:
        return part.replace("\r\n", "\n")

    return {
        "email-t-ana-torres-2018-W25.txt": f"{headers}\n{lines(text.get_content())}",
        "email-t-ana-torres-2018-W25.html": lines(html.get_content()),
    }


def briefs() -> dict[str, str]:
    """Ana Torres's pre-trip brief on 15 June 2018 (2018-W23 published, so that it lists that
    week's alerts), as `advisory brief` writes it, and its email as `briefs --send --dry-run`
    writes it."""
    import email
    import shutil
    from email.message import EmailMessage
    from email.policy import default

    from tests.conftest import run_advisory

    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        shutil.copytree(ROOT / "rules", site / "rules")
        shutil.copytree(ROOT / "data", site / "data")
        (site / "advisory.yaml").write_text(EMAIL_SETTINGS + "maps: false\n")
        for args in (
            ("weekly", "--week", "2018-W23"),
            ("brief", "t-ana-torres", "--as-of", "2018-06-15T06:00Z", "--out", "briefs"),
            ("briefs", "--send", "--dry-run", "--as-of", "2018-06-15T06:00Z"),
        ):
            run = run_advisory(*args, cwd=site)
            assert run.returncode == 0, run.stderr
        html = (site / "briefs" / "brief-t-ana-torres-2018-06-20.html").read_text()
        [raw] = [p.read_bytes() for p in (site / "out" / "outbox" / "briefs").glob("t-ana-*")]
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    text, part = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and part is not None
    headers = "".join(f"{name}: {message[name]}\n" for name in ("Subject", "Date", "From", "To"))
    return {
        "brief-t-ana-torres-2018-06-15.html": html,
        "email-brief-t-ana-torres-2018-06-15.txt": f"{headers}\n{text.get_content()}".replace(
            "\r\n", "\n"
        ),
        "email-brief-t-ana-torres-2018-06-15.html": part.get_content().replace("\r\n", "\n"),
    }


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name, html in {**documents(), **emails(), **briefs()}.items():
        (GOLDEN / name).write_text(html, encoding="utf-8")
        print(GOLDEN / name)
