"""Small inline SVG charts: plain markup built from numbers we computed, nothing from users."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

BAR_WIDTH = 6
GAP = 2
HEIGHT = 20


def sparkline(level_ranks: Sequence[int], level_count: int, colors: Sequence[str]) -> Markup:
    """One bar a week, as high as the week's level and in its colour, oldest first."""
    width = len(level_ranks) * (BAR_WIDTH + GAP) - GAP
    bars = []
    for week, rank in enumerate(level_ranks):
        height = max(2, round(HEIGHT * rank / max(level_count, 1)))
        x = week * (BAR_WIDTH + GAP)
        color = colors[min(max(rank, 1), len(colors)) - 1]
        bars.append(
            f'<rect x="{x}" y="{HEIGHT - height}" width="{BAR_WIDTH}" height="{height}" '
            f'fill="{Markup.escape(color)}"/>'
        )
    label = "Level by week, oldest first: " + ", ".join(str(r) for r in level_ranks)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{Markup.escape(label)}">'
        + "".join(bars)
        + "</svg>"
    )
