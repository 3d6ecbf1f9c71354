"""HTML and PDF output: golden HTML, PDF text, pages, outline and metadata, same bytes twice."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from advisory.errors import RenderError
from advisory.rendering.renderer import Renderer, css_string
from tests.conftest import ROOT, run_advisory
from tests.forkserver import run_watched
from tests.golden_documents import GOLDEN, briefs, documents, emails


def test_golden_html():
    """If this fails after a deliberate change: `python -m tests.golden_documents`, then review."""
    for name, html in documents().items():
        assert html == (GOLDEN / name).read_text(encoding="utf-8"), name


def test_golden_email():
    """A traveler's message: the subject under 80 characters, the trips by place and dates in
    words, the contact block and the links, and the issue time in the outbox's `Date:`."""
    for name, text in emails().items():
        assert text == (GOLDEN / name).read_text(encoding="utf-8"), name
    headers = emails()["email-t-ana-torres-2018-W25.txt"].split("\n\n")[0].splitlines()
    subject = headers[0].removeprefix("Subject: ")
    assert subject == "Travel security: VRAEM region — High, and 1 more place — week of 18 June"
    assert len(subject) < 80
    assert headers[1] == "Date: Mon, 25 Jun 2018 06:00:00 +0000"  # the issue time, in the outbox


def test_golden_brief():
    """Ana Torres's pre-trip brief and its email: the places with their levels and reasons, the
    official advice, the alerts of the past 30 days with their links, the merged advice, the
    contact block; the subject within a phone's 78 characters."""
    found = briefs()
    for name, text in found.items():
        assert text == (GOLDEN / name).read_text(encoding="utf-8"), name
    subject = found["email-brief-t-ana-torres-2018-06-15.txt"].splitlines()[0]
    assert (
        subject
        == "Subject: Before you travel: VRAEM region and Lima, Peru — High — 20 June – 9 July"
    )
    assert (
        "https://security.example.org/advisories/2018-W23/alerts/pe-vraem.html"
        in (found["email-brief-t-ana-torres-2018-06-15.html"])
    )


@pytest.fixture(scope="session")  # once a process: xdist may hand a module over in parts
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo bulletin of 2018-W25 and the VRAEM alert, written by the command."""
    out = tmp_path_factory.mktemp("out")
    bulletin = run_advisory(
        "bulletin", "--week", "2018-W25", "--out", str(out), "--strict", cwd=ROOT
    )
    assert bulletin.returncode == 0, bulletin.stderr
    alert = run_advisory(
        "alert", "pe-vraem", "--as-of", "2018-06-25T06:00Z", "--out", str(out), "--strict", cwd=ROOT
    )
    assert alert.returncode == 0, alert.stderr
    return out


def _outline(reader: PdfReader) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []

    def walk(items: list, depth: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title))

    walk(reader.outline, 0)
    return found


def test_alert_pdf(written: Path):
    reader = PdfReader(written / "pe-vraem-2018-06-25.pdf")
    # The seed's alert fills its page; the line of the demo's official advice under the level
    # sends its last two pieces of advice over to a second.
    assert len(reader.pages) == 2
    text = reader.pages[0].extract_text().replace("\xa0", " ")
    assert "US State Department: Level 2 — Exercise Increased Caution (9 Apr 2018)" in text
    for expected in (
        "25 Jun 2018 | 06:00 AM UTC",
        "Peru: Clashes with armed group in VRAEM region June 24 /update 2",
        "Informational",
        "This was the third such incident",
        "Event",
        "Context",
        "Advice",
        "For internal use",
        "Page 1 of 2",
    ):
        assert expected in text.replace("\n", " "), expected
    assert _outline(reader) == [
        (0, "Peru: Clashes with armed group in VRAEM region June 24 /update 2")
    ]
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Peru: Clashes with armed group in VRAEM region June 24 /update 2"
    assert str(meta["/CreationDate"]) == str(meta["/ModDate"]) == "D:20180625060000Z"
    root: Any = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"]  # tagged for screen readers


def test_bulletin_pdf(written: Path):
    reader = PdfReader(written / "bulletin-2018-W25.pdf")
    pages = [page.extract_text().replace("\n", " ").replace("\xa0", " ") for page in reader.pages]
    # The demo's official advice adds the first page's "Differs from official advice" (its
    # most serious incidents go on over the page), and a line under each alert's level (the
    # VRAEM alert, full already, goes on over a page).
    assert len(pages) == 10
    first = pages[0]
    for expected in (
        "Weekly travel-security bulletin", "Week 2018-W25", "18 Jun 2018 to 24 Jun 2018",
        "For internal use", "This week", "Levels changed", "No level changed this week.",
        "Differs from official advice",
        "New: Peru: Clashes with armed group in northern border area June 19",
        "Most serious incidents", "June 19, Putumayo river",
    ):  # fmt: skip
        assert expected in first, expected
    assert "June 24, Vizcatán district" in pages[1]
    assert "Levels" in pages[1] and "South America" in pages[1] and "VRAEM region" in pages[1]
    assert "Contents" in pages[2]  # in one piece
    headlines = [
        "Peru: Clashes with armed group in northern border area June 19",
        "Peru: Clashes with armed group in VRAEM region June 24 /update 2",
        "Peru: Strike and road blockades in Cusco and Machu Picchu June 22",
        "Peru: Protests in Lima June 21 /update 1",
    ]
    alert_pages = [pages[3], pages[4], pages[6], pages[7]]
    for page, headline in zip(alert_pages, headlines, strict=True):
        assert headline.replace(" ", "") in page.replace(" ", ""), headline  # each a new page
    assert "Incidents of the week" in pages[8]
    assert "Methodology" in pages[9]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of 10" in page
    # The contents give each part's page, as the outline does.
    contents = pages[2].split("Contents", 1)[1].replace(" ", "")
    for title, at in [("Thisweek", 1), ("Levels", 2), ("SouthAmerica", 4),
                      (headlines[1].replace(" ", ""), 5), ("Methodology", 10)]:  # fmt: skip
        assert re.search(re.escape(title) + r"\.*" + str(at), contents), title
    assert _outline(reader) == [
        (0, "Weekly travel-security bulletin"),
        (1, "This week"),
        (1, "Levels"),
        (1, "Coming up"),  # the demo's two events announced for the days ahead
        (1, "Contents"),
        (0, "South America"),
        *[(1, headline) for headline in headlines],
        (0, "Incidents of the week"),
        (0, "Methodology"),
    ]
    assert reader.metadata is not None
    assert reader.metadata.title == "Weekly travel-security bulletin — 2018-W25"


def _figures(reader: PdfReader) -> list[str]:
    """The alternative text of every Figure in the PDF's structure tree."""
    found: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for kid in node:
                walk(kid)
        elif isinstance(node, dict):
            if node.get("/S") == "/Figure":
                found.append(str(node.get("/Alt", "")))
            if "/K" in node:
                walk(node["/K"])

    root: Any = reader.trailer["/Root"]
    walk(root["/StructTreeRoot"])
    return found


def test_the_maps_are_tagged_figures_with_their_text(written: Path):
    bulletin = _figures(PdfReader(written / "bulletin-2018-W25.pdf"))
    assert any(alt.startswith("Map of Peru, week 2018-W25") for alt in bulletin), bulletin
    alert = _figures(PdfReader(written / "pe-vraem-2018-06-25.pdf"))
    assert alert and alert[0] == (
        "Locator map: VRAEM region in Peru, at level High; the June 24 incident ringed."
    )


def test_no_automatic_hyphenation(written: Path):
    text = " ".join(p.extract_text() for p in PdfReader(written / "bulletin-2018-W25.pdf").pages)
    assert "\u00ad" not in text
    assert not any(
        line.rstrip().endswith("-") and line[-2:-1].isalpha() for line in text.splitlines()
    )


def test_same_inputs_same_bytes(written: Path, tmp_path: Path):
    again = run_advisory("bulletin", "--week", "2018-W25", "--out", str(tmp_path), cwd=ROOT)
    assert again.returncode == 0, again.stderr
    for name in ("bulletin-2018-W25.pdf", "bulletin-2018-W25.html"):
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name


def test_archival_pdf_carries_the_ratings(tmp_path: Path):
    args = ("bulletin", "--week", "2018-W25", "--archival", "--format", "pdf", "--out")
    for folder in ("a", "b"):
        result = run_advisory(*args, str(tmp_path / folder), cwd=ROOT)
        assert result.returncode == 0, result.stderr
    pdf = tmp_path / "a" / "bulletin-2018-W25.pdf"
    assert pdf.read_bytes() == (tmp_path / "b" / "bulletin-2018-W25.pdf").read_bytes()
    reader = PdfReader(pdf)
    [data] = reader.attachments["ratings.json"]
    ratings = json.loads(data)
    assert ratings["as_of"] == "2018-06-25T06:00:00Z"
    assert {r["region_id"] for r in ratings["ratings"]} >= {"pe-vraem", "pe-lima"}
    assert len(list((tmp_path / "a").iterdir())) == 1  # --format pdf writes no HTML


def test_html_is_self_contained(written: Path):
    html = (written / "bulletin-2018-W25.html").read_text()
    assert "<link" not in html and "@page" in html
    assert "<svg" in html  # sparklines are inline SVG


def test_strict_fails_on_warnings(tmp_path: Path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    css = templates / "print.css"
    css.write_text(css.read_text() + "\n.alert { colour-of-the-day: blue; }\n")
    args = ("alert", "pe-vraem", "--as-of", "2018-06-25T06:00Z", "--templates", str(templates))
    strict = run_advisory(*args, "--strict", "--out", str(tmp_path / "strict"), cwd=ROOT)
    assert strict.returncode == 1
    assert "colour-of-the-day" in strict.stderr
    assert not (tmp_path / "strict").exists() or not list((tmp_path / "strict").glob("*.pdf"))
    lenient = run_advisory(*args, "--out", str(tmp_path / "lenient"), cwd=ROOT)
    assert lenient.returncode == 0, lenient.stderr
    assert "colour-of-the-day" in lenient.stderr


def test_missing_template_is_a_failure(tmp_path: Path):
    (tmp_path / "templates").mkdir()
    result = run_advisory(
        "bulletin", "--week", "2018-W25", "--templates", str(tmp_path / "templates"),
        "--out", str(tmp_path / "out"), cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 1
    assert "template not found" in result.stderr


def test_css_string_cannot_break_out():
    assert css_string('x"; } </style><script>') == (
        '"x\\22 ; \\7d  \\3c /style\\3e \\3c script\\3e "'
    )


def test_renderer_refuses_to_fetch(tmp_path: Path):
    """Resources outside the templates folder, and the network, are refused with a warning."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    html = (
        f'<html><body><img src="{secret.as_uri()}"><img src="file:///etc/passwd">'
        '<img src="https://example.org/x.png"></body></html>'
    )
    with pytest.raises(RenderError) as refused:
        Renderer(strict=True).pdf(html)
    message = str(refused.value)
    assert message.count("refused to fetch") == 3


@pytest.mark.parametrize(
    "headline",
    [
        "Peru: Clashes with armed group in VRAEM region June 24",
        "Peru: Strike and road blockades in Cusco and Machu Picchu June 22",
        "Afghanistan: Shelling and missile fire in the rest of Afghanistan March 19",
        "Democratic Republic of the Congo: Attacks on civilians in Ituri March 9",
    ],
)
def test_a_headline_that_fits_the_page_is_one_line(headline: str):
    """`Country: Subject in Region Month Day /update N` on one line of the A4 alert page, up to
    about 84 characters, "/update N" included."""
    assert _headline_lines(headline) == [f"{headline} /update 12"]


def test_a_headline_too_long_for_the_line_breaks_at_its_last_space_that_fits():
    headline = "Democratic Republic of the Congo: Attacks on civilians in North Kivu March 9"
    assert _headline_lines(headline) == [
        "Democratic Republic of the Congo: Attacks on civilians in North Kivu",
        "March 9 /update 12",
    ]


def _headline_lines(headline: str) -> list[str]:
    """The lines of the alert page's headline, rendered with `headline` and /update 12."""
    import dataclasses
    import datetime as dt

    from advisory.inputs import load_inputs
    from advisory.writing.pages import alerts_page
    from advisory.writing.plan import compose_week

    inputs = load_inputs(ROOT / "rules", [str(ROOT / "data" / "*.csv")], None)
    issued = dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC)
    vraem = next(a for a in compose_week(inputs, issued).alerts if a.region_id == "pe-vraem")
    alert = dataclasses.replace(
        vraem, subject_line=headline, headline=f"{headline} /update 12", update=12
    )
    renderer = Renderer()
    page = alerts_page([alert], "Travel Security", "For internal use", issued)
    pdf = renderer.pdf(renderer.html("alerts.html.j2", {"doc": page}))
    lines = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()
    shown = [line.replace("\xa0", " ").replace("\u2060", "").strip() for line in lines]
    assert shown[0] == "25 Jun 2018 | 06:00 AM UTC"
    summary = next(n for n, line in enumerate(shown) if line.startswith("An armed clash"))
    return shown[1:summary]


def _blend(color: str, alpha: float, under: tuple[float, ...]) -> tuple[float, ...]:
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return tuple(alpha * c + (1 - alpha) * u for c, u in zip(rgb, under, strict=True))


def _page_image(pdf: Path, page: int, out: Path, dpi: int = 60) -> Any:
    from PIL import Image

    drawn = run_watched(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile",
         str(pdf), str(out)],
    )  # fmt: skip
    assert drawn.returncode == 0, drawn.stderr
    return Image.open(f"{out}.png").convert("RGB")


def _near(image: Any, target: tuple[float, ...], tolerance: float = 12) -> list[tuple[int, int]]:
    """The pixels within `tolerance` of `target` in each channel, as (x, y)."""
    width = image.size[0]
    low = tuple(t - tolerance for t in target)
    high = tuple(t + tolerance for t in target)
    data = image.tobytes()  # RGB, row by row
    return [
        (k % width, k // width)
        for k, (r, g, b) in enumerate(zip(data[0::3], data[1::3], data[2::3], strict=True))
        if low[0] <= r <= high[0] and low[1] <= g <= high[1] and low[2] <= b <= high[2]
    ]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_the_first_page_shows_the_map_of_the_week(written: Path, tmp_path: Path):
    """As a reader sees page 1: the map's sea, Peru at High and the VRAEM region over it drawn
    in High's colour, under the masthead and above the week's digest."""
    image = _page_image(written / "bulletin-2018-W25.pdf", 1, tmp_path / "page1")
    sea = _near(image, (0xEE, 0xF3, 0xF7), 3)
    peru = _blend("#ef6c00", 0.45, (0xEE, 0xF3, 0xF7))
    vraem = _blend("#ef6c00", 0.8, peru)
    height = image.size[1]
    rows = sorted(y for _, y in sea)
    box = (min(x for x, _ in sea), rows[0], max(x for x, _ in sea), rows[int(len(rows) * 0.98)])

    def in_map(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
        return [(x, y) for x, y in points if box[0] <= x <= box[2] and box[1] <= y <= box[3]]

    shaded, region = in_map(_near(image, peru, 6)), in_map(_near(image, vraem, 6))
    assert len(sea) > 2000 and len(shaded) > 2000, (len(sea), len(shaded))
    assert 5 < len(region) < len(shaded) / 10  # a region, not the country
    assert box[1] > height * 0.1 and box[3] < height * 0.6  # under the masthead, above the digest
    # The VRAEM lies in the south-centre of Peru's shading, the June 24 clash within it.
    peru_x = sorted(x for x, _ in shaded)
    assert peru_x[len(peru_x) // 10] < min(x for x, _ in region) < peru_x[-1]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_the_alert_page_rings_its_lead_incident(written: Path, tmp_path: Path):
    image = _page_image(written / "pe-vraem-2018-06-25.pdf", 1, tmp_path / "alert", dpi=150)
    width, height = image.size
    assert len(_near(image, (0xB7, 0x1C, 0x1C), 40)) > 3
    # All of it top right, beside the summary.
    corner = image.crop((width // 2, 0, width, height // 3))
    assert len(_near(corner, (0xB7, 0x1C, 0x1C), 40)) == len(_near(image, (0xB7, 0x1C, 0x1C), 40))
