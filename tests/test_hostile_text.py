"""Incident text is data: markup renders as text, URLs fetch nothing, nothing breaks the layout."""

from __future__ import annotations

import csv
import datetime as dt
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from advisory.inputs import load_inputs
from advisory.rendering.renderer import Renderer
from advisory.writing.bar import AlertBar
from advisory.writing.compose import BulletinSettings
from advisory.writing.plan import Want, plan
from tests.conftest import ROOT, run_advisory

ISSUED = "2018-06-25T06:00Z"
LONG_WORD = "A" * 200  # the longest word a summary may hold
ARABIC = "احتجاج في وسط المدينة"
HEBREW = "הפגנה במרכז העיר"
EMOJI = "🚨🔥✊"


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A TCP port on 127.0.0.1 that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, address = server.accept()
            except OSError:
                continue
            seen.append(str(address))
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


def _workspace(tmp_path: Path, port: int) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "rules").symlink_to(ROOT / "rules")
    url = f"http://127.0.0.1:{port}/track.png"
    rows = [
        ("h-1", "2018-06-19", "<script>alert(1)</script> Protesters marched on Congress.",
         f"<a href='{url}'>src</a>"),
        ("h-2", "2018-06-20", '<img src="file:///etc/passwd"> A robbery was reported.', "Report B"),
        ("h-3", "2018-06-21", f"Details at {url} and https://example.org/x?y=<b>", url),
        ("h-4", "2018-06-22", f"Long: {LONG_WORD} end of the long summary.", "Report D"),
        ("h-5", "2018-06-23", f"{ARABIC} — {HEBREW} {EMOJI} marchers gathered.", "Report E"),
    ]  # fmt: skip
    with (tmp_path / "data" / "incidents.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["id", "date", "country", "admin1", "location", "category", "summary", "sources"]
        )
        for incident_id, day, summary, sources in rows:
            writer.writerow(
                [incident_id, day, "Peru", "Lima", f"<i>{EMOJI}</i>", "protest", summary, sources]
            )
    return tmp_path


def test_hostile_text_renders_as_text(tmp_path: Path, listener: tuple[int, list[str]]):
    port, connections = listener
    workspace = _workspace(tmp_path, port)

    result = run_advisory("bulletin", "--as-of", ISSUED, "--out", "out", "--strict", cwd=workspace)
    assert result.returncode == 0, result.stderr
    [html_file] = (workspace / "out").glob("*.html")
    html = html_file.read_text()
    body = html.split("<body", 1)[1]
    assert "<script" not in body
    assert "<img" not in body
    assert "<i>" not in body and "<b>" not in body
    # The only links are the bulletin's own: to its parts, and to the archive's region pages.
    links = re.findall(r"<a [^>]*>", body)
    assert all(re.fullmatch(r'<a (class="[a-z-]+" )?href="(#|\.\./regions/)[^"]*">', a)
               for a in links), links  # fmt: skip
    assert "track.png" not in "".join(links)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in body
    assert ARABIC in body and HEBREW in body and EMOJI in body

    text = " ".join(
        p.extract_text() for p in PdfReader(next((workspace / "out").glob("*.pdf"))).pages
    )
    flat = " ".join(text.split())
    # The narrow columns of the incident table break lines inside long tokens (after a slash):
    # the characters are all there, in order, as text.
    joined = "".join(text.split())
    assert "<script>alert(1)</script> Protesters marched" in flat
    assert '<imgsrc="file:///etc/passwd">' in joined
    assert f"127.0.0.1:{port}/track.png" in joined
    assert "end of the long summary." in flat
    assert connections == []  # nothing was fetched from the URLs in the text


def test_long_and_right_to_left_text_stay_on_the_page(tmp_path: Path, listener):
    port, _ = listener
    workspace = _workspace(tmp_path, port)
    inputs = load_inputs(workspace / "rules", [str(workspace / "data" / "*.csv")], None)
    issued = dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC)
    want = Want(bulletin_name="bulletin")
    (document,) = plan(inputs, issued, AlertBar(), BulletinSettings(), want).documents
    html = Renderer().html(document.template, {"doc": document.page})

    from weasyprint import HTML

    document = HTML(string=html, base_url=str(ROOT / "templates") + "/").render()
    from weasyprint.formatting_structure.boxes import TextBox

    pieces = [
        box.text
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(box, TextBox) and "AAAA" in box.text
    ]
    assert len(pieces) > 1  # broken over many lines
    assert sum(piece.count("A") for piece in pieces) >= len(LONG_WORD)  # and all laid out
    for number, page_layout in enumerate(document.pages, start=1):
        right_edge = max(
            (b.position_x + b.margin_width() for b in page_layout._page_box.descendants()),
            default=0,
        )
        assert right_edge <= page_layout.width + 0.5, f"page {number} overflows"
