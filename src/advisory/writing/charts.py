"""Small inline SVG charts: plain markup built from numbers we computed, nothing from users."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

BAR_WIDTH = 6
GAP = 2
HEIGHT = 20


#: How a week without data is drawn: a dotted mark on the baseline where its bar would stand.
NO_DATA_COLOR = "#9e9e9e"


def no_data_mark(x: int) -> str:
    return (
        f'<line x1="{x}" y1="{HEIGHT - 0.5}" x2="{x + BAR_WIDTH}" y2="{HEIGHT - 0.5}" '
        f'stroke="{NO_DATA_COLOR}" stroke-width="1" stroke-dasharray="1 1"/>'
    )


def sparkline(level_ranks: Sequence[int], level_count: int, colors: Sequence[str]) -> Markup:
    """One bar a week, as high as the week's level and in its colour, oldest first; a week
    without data (rank 0) is a gap with a dotted mark on the baseline."""
    width = len(level_ranks) * (BAR_WIDTH + GAP) - GAP
    bars = []
    for week, rank in enumerate(level_ranks):
        x = week * (BAR_WIDTH + GAP)
        if rank == 0:
            bars.append(no_data_mark(x))
            continue
        height = max(2, round(HEIGHT * rank / max(level_count, 1)))
        color = colors[min(max(rank, 1), len(colors)) - 1]
        bars.append(
            f'<rect x="{x}" y="{HEIGHT - height}" width="{BAR_WIDTH}" height="{height}" '
            f'fill="{Markup.escape(color)}"/>'
        )
    label = "Level by week, oldest first: " + ", ".join(
        str(r) if r else "no data" for r in level_ranks
    )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{Markup.escape(label)}">'
        + "".join(bars)
        + "</svg>"
    )


def no_data_legend() -> Markup:
    """The mark of a week without data, alone, for a legend."""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{BAR_WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {BAR_WIDTH} {HEIGHT}" aria-hidden="true">{no_data_mark(0)}</svg>'
    )
