"""The HTML as a traveler opens it: headless Chromium renders it and takes a screenshot."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from tests.conftest import ROOT, run_advisory

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
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


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
