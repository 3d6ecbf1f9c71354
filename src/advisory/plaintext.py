"""Text as every output shows it: without control characters, and without bidirectional
controls left open or closed without an opening.

Incident text is data from feeds: a stray control character makes an XML file unreadable
(CAP, Atom) and shows as a box or nothing elsewhere; a right-to-left override (U+202E) that is
never closed reverses whatever follows it on the line, in a name or in the page around it.
`shown` is applied where text leaves the program (templates, CAP and Atom, CSV cells), so every
output reads the same.
"""

from __future__ import annotations

import re

#: C0 controls but tab and line ends, DEL, C1 controls, and the noncharacters XML 1.0 refuses
#: (and surrogates, which only a broken decoder leaves).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: Explicit bidirectional formatting: embeddings and overrides close with PDF (U+202C),
#: isolates with PDI (U+2069).
_EMBEDDINGS = "\u202a\u202b\u202d\u202e"
_ISOLATES = "\u2066\u2067\u2068"
_PDF, _PDI = "\u202c", "\u2069"
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def shown(text: str) -> str:
    """`text` without control characters, and with every bidirectional embedding, override or
    isolate that is not closed in the same text (and every close without its opening)
    removed; paired ones stay, as the writer meant them."""
    if _CONTROLS.search(text) is not None:
        text = _CONTROLS.sub("", text)
    if _BIDI.search(text) is None:
        return text
    drop: set[int] = set()
    opened: list[tuple[int, str]] = []  # (position, the closer it needs)
    for i, ch in enumerate(text):
        if ch in _EMBEDDINGS or ch in _ISOLATES:
            opened.append((i, _PDF if ch in _EMBEDDINGS else _PDI))
        elif ch in (_PDF, _PDI):
            if opened and opened[-1][1] == ch:
                opened.pop()
            else:
                drop.add(i)
        elif ch in "\n\r" and opened:  # a paragraph end closes every level (UAX #9)
            drop.update(position for position, _ in opened)
            opened.clear()
    drop.update(position for position, _ in opened)
    return "".join(ch for i, ch in enumerate(text) if i not in drop)
