"""The documents the golden files hold, and the script that writes them anew on purpose:

    .venv/bin/python -m tests.golden_documents

Run it after a deliberate change to the templates or the prose, and review the diff.
"""

from __future__ import annotations

import datetime as dt

from advisory.inputs import load_inputs
from advisory.rendering.renderer import Renderer, alerts_page, bulletin_page
from advisory.writing.compose import BulletinSettings
from advisory.writing.plan import bulletin_of, rate_and_compose
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
ISSUED = dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC)  # the Monday after 2018-W25


def documents() -> dict[str, str]:
    """File name -> HTML of the demo VRAEM alert and the demo bulletin of 2018-W25."""
    inputs = load_inputs(ROOT / "rules", [str(ROOT / "data" / "*.csv")], None)
    week = rate_and_compose(inputs, ISSUED)
    settings = BulletinSettings()
    renderer = Renderer()
    vraem = [a for a in week.alerts if a.region_id == "pe-vraem"]
    alert = alerts_page(vraem, settings.organisation, settings.classification, ISSUED)
    bulletin = bulletin_of(inputs, week, settings)
    return {
        "alert-pe-vraem-2018-W25.html": renderer.html("alerts.html.j2", alert),
        "bulletin-2018-W25.html": renderer.html(
            "bulletin.html.j2", bulletin_page(bulletin, inputs.rules.ruleset.window_days)
        ),
    }


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name, html in documents().items():
        (GOLDEN / name).write_text(html, encoding="utf-8")
        print(GOLDEN / name)
