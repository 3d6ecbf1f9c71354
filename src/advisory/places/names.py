"""Place names compared as people mean them: without case, accents or extra blanks."""

from __future__ import annotations

import unicodedata


def normalize(name: str) -> str:
    """`' Junín '` -> `'junin'`: case, accents and surrounding blanks do not count."""
    if name.isascii():  # most names: nothing to decompose (the city index reads 400,000)
        return " ".join(name.lower().split())
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())
