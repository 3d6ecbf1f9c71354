"""Where the words of a PDF lie: text that runs past the page's margins is a layout bug a
reader sees (a table wider than the page, a word broken off at the edge)."""

from __future__ import annotations

from pathlib import Path

import pdfplumber

#: The documents' side margins (templates/print.css: `@page { margin: 22mm 18mm ... }`).
SIDE_MARGIN_MM = 18.0
#: Points a glyph's box may stand out of the text area (italic overhang, rounding).
TOLERANCE_PT = 1.0


def past_the_margin(path: Path, margin_mm: float = SIDE_MARGIN_MM) -> list[str]:
    """Each word of the PDF whose box runs into a side margin: `page 7: 'Illustrative'
    (x 514.8 to 562.5 of 544.3)`."""
    margin = margin_mm * 72 / 25.4
    found = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            left, right = margin - TOLERANCE_PT, page.width - margin + TOLERANCE_PT
            for word in page.extract_words():
                if word["x0"] < left or word["x1"] > right:
                    found.append(
                        f"page {number}: {word['text']!r} (x {word['x0']:.1f} to "
                        f"{word['x1']:.1f} of {page.width - margin:.1f})"
                    )
    return found
