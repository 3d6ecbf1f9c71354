"""The HTML as a traveler opens it: headless Chromium renders it and takes a screenshot."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from tests.conftest import ROOT, run_advisory
from tests.forkserver import run_watched

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian package chromium; make test installs it as root)",
)


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return run_watched([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args])


@pytest.mark.parametrize(
    ("command", "name", "title"),
    [
        (("bulletin", "--week", "2018-W25"), "bulletin-2018-W25.html",
         "Weekly travel-security bulletin — 2018-W25"),
        (("alert", "pe-vraem", "--as-of", "2018-06-25T06:00Z"), "pe-vraem-2018-06-25.html",
         "Peru: Clashes with armed group in VRAEM region June 24 /update 2"),
    ],
)  # fmt: skip
def test_html_renders_in_chromium(tmp_path: Path, command, name, title):
    written = run_advisory(*command, "--format", "html", "--out", str(tmp_path), cwd=ROOT)
    assert written.returncode == 0, written.stderr
    page = (tmp_path / name).as_uri()

    dom = _chromium("--dump-dom", page, profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr
    assert f"<title>{title}</title>" in dom.stdout

    shot = tmp_path / "screenshot.png"
    taken = _chromium(
        f"--screenshot={shot}", "--window-size=390,844", page, profile=tmp_path / "profile-shot"
    )  # a phone-sized window
    assert taken.returncode == 0, taken.stderr
    with Image.open(shot) as image:
        assert image.size == (390, 844)
        grey = image.convert("L")
        spread = ImageStat.Stat(grey).stddev[0]
        dark = grey.histogram()[:128]
        dark_pixels = sum(dark)
    assert spread > 10, "the page is blank"
    assert dark_pixels > 500, "no text on the page"


def test_the_email_shows_what_matters_on_a_phone_without_scrolling(tmp_path: Path):
    """The HTML part of a traveler's email at 390 × 844 px: the place, the level, the headline
    and the first line of advice are all above the fold, and nothing is wider than the screen."""
    import email
    import json
    from email.message import EmailMessage
    from email.policy import default

    site = tmp_path / "site"
    shutil.copytree(ROOT / "rules", site / "rules")
    shutil.copytree(ROOT / "data", site / "data")
    (site / "advisory.yaml").write_text(
        "version: 1\noutput: out\ncontact: {phone: '+44 20 7946 0000', email: desk@example.org}\n"
    )
    run = run_advisory("weekly", "--week", "2018-W25", "--send", "--dry-run", cwd=site)
    assert run.returncode == 0, run.stderr
    raw = (site / "out" / "outbox" / "2018-W25" / "t-ana-torres.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("html",))
    assert body is not None
    # The email in a frame of the phone's size (headless Chromium's own window is wider).
    import html as markup

    page = tmp_path / "phone.html"
    page.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe id="phone" width="390" height="844" style="border:0" '
        f'srcdoc="{markup.escape(body.get_content(), quote=True)}"></iframe>'
        '<pre id="measured"></pre><script>'
        'window.addEventListener("load", () => {'
        '  const inner = document.getElementById("phone").contentWindow;'
        "  const seen = {viewport: [inner.innerWidth, inner.innerHeight],"
        "                width: inner.document.documentElement.scrollWidth};"
        '  for (const name of ["place", "level", "headline", "advice"]) {'
        '    const box = inner.document.querySelector("." + name).getBoundingClientRect();'
        "    seen[name] = {top: box.top, bottom: box.bottom};"
        "  }"
        '  document.getElementById("measured").textContent = JSON.stringify(seen);'
        "});</script></body></html>",
        encoding="utf-8",
    )
    dom = _chromium("--virtual-time-budget=5000", "--dump-dom", page.as_uri(),
                    profile=tmp_path / "profile")  # fmt: skip
    assert dom.returncode == 0, dom.stderr
    found = json.loads(dom.stdout.split('<pre id="measured">')[1].split("</pre>")[0])
    assert found["viewport"] == [390, 844], found
    for name in ("place", "level", "headline", "advice"):
        assert 0 < found[name]["bottom"] <= 844, (name, found)
    assert found["width"] <= 390  # no sideways scrolling
