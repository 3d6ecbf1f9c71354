"""The documents the golden files hold, and the script that writes them anew on purpose:

    .venv/bin/python -m tests.golden_documents

Run it after a deliberate change to the templates or the prose, and review the diff.
"""

from __future__ import annotations

import datetime as dt

from advisory.inputs import load_inputs
from advisory.rendering.renderer import Renderer
from advisory.writing.bar import AlertBar
from advisory.writing.compose import BulletinSettings
from advisory.writing.plan import Want, plan
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
ISSUED = dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC)  # the Monday after 2018-W25


def documents() -> dict[str, str]:
    """File name -> HTML of the demo VRAEM alert and the demo bulletin of 2018-W25."""
    inputs = load_inputs(ROOT / "rules", [str(ROOT / "data" / "*.csv")], None)
    want = Want(
        alerts=("pe-vraem",),
        alert_name="alert-{region}-2018-W25",
        bulletin_name="bulletin-{period}",
    )
    planned = plan(inputs, ISSUED, AlertBar(), BulletinSettings(), want)
    renderer = Renderer()
    return {f"{d.name}.html": renderer.html(d.template, {"doc": d.page}) for d in planned.documents}


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name, html in documents().items():
        (GOLDEN / name).write_text(html, encoding="utf-8")
        print(GOLDEN / name)
