"""The router's reliability diagram as a standalone SVG document (pure: no Django import).

Across: the probability of being right the router gave answers when they were routed, in bins. Up: the
share of those answers teachers approved. Where the router is calibrated, each bin's point lies on the
diagonal. Each bar says how many verdicts it stands on, because a bin of two answers proves little.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from learning.heatmap import xml_text

WIDTH, HEIGHT = 560, 470
LEFT, TOP, SIZE = 80, 60, 340  # the square plot area
TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
EMPTY_NOTE = ("No verdicts yet:", "the diagram fills in as teachers", "approve, correct or reject answers.")

_STYLE = (
    "text{font:12px sans-serif;fill:#222}"
    ".t{font-size:14px;font-weight:bold}"
    ".tick{font-size:10px;fill:#555}"
    ".n{font-size:10px;text-anchor:middle}"
    ".note{font-style:italic;fill:#555}"
    ".mid{text-anchor:middle}"
)


class Bin(Protocol):
    """One bin of annotation.router.metrics.reliability_bins (not imported: it brings scikit-learn)."""

    low: float
    high: float
    count: int
    mean_predicted: float | None
    observed: float | None


def reliability_svg(*, title: str, bins: Sequence[Bin], ece: float | None = None) -> str:
    """The diagram of ``bins``; with no verdicts in any bin, the empty axes and a note saying why."""
    verdicts = sum(b.count for b in bins)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img">',
        f"<title>{xml_text(title)}</title>", f"<style>{_STYLE}</style>",
        f'<text class="t" x="{LEFT}" y="24">{xml_text(title)}</text>',
        *_axes(),
        f'<line x1="{_x(0)}" y1="{_y(0)}" x2="{_x(1)}" y2="{_y(1)}" stroke="#888" stroke-dasharray="5 4">'
        "<title>perfectly calibrated</title></line>",
    ]
    for b in bins:
        if b.count:
            parts += _bar(b)
    parts.append(_summary(verdicts, ece))
    if not verdicts:
        parts += [f'<text class="note mid" x="{_x(0.5)}" y="{_y(0.6) + 18 * i:.1f}">{xml_text(line)}</text>'
                  for i, line in enumerate(EMPTY_NOTE)]
    parts.append("</svg>")
    return "\n".join(parts)


def _unit(value: float | None) -> float:
    """``value`` clamped to 0..1; missing or not finite counts as 0, so the image always parses."""
    if value is None or not math.isfinite(value):
        return 0.0
    return min(1.0, max(0.0, float(value)))


def _x(value: float | None) -> float:
    return round(LEFT + SIZE * _unit(value), 1)


def _y(value: float | None) -> float:
    return round(TOP + SIZE * (1 - _unit(value)), 1)


def _axes() -> list[str]:
    parts = [f'<rect x="{LEFT}" y="{TOP}" width="{SIZE}" height="{SIZE}" fill="#fafafa" stroke="#666"/>']
    for t in TICKS:
        parts += [
            f'<line x1="{_x(t)}" y1="{TOP}" x2="{_x(t)}" y2="{TOP + SIZE}" stroke="#eee"/>',
            f'<text class="tick mid" x="{_x(t)}" y="{TOP + SIZE + 16}">{t:g}</text>',
            f'<text class="tick" x="{LEFT - 28}" y="{_y(t) + 4:.1f}">{t:g}</text>',
        ]
    return parts + [
        f'<text class="mid" x="{_x(0.5)}" y="{TOP + SIZE + 38}">'
        "router's probability that the answer is right (when routed)</text>",
        f'<text class="mid" transform="translate({LEFT - 44},{_y(0.5)}) rotate(-90)">share approved by teachers</text>',
    ]


def _bar(b: Bin) -> list[str]:
    observed, width = _unit(b.observed), SIZE * (_unit(b.high) - _unit(b.low))
    tooltip = (f"predicted {b.low:.2f}–{b.high:.2f} (mean {_unit(b.mean_predicted):.2f}): {b.count} verdict"
               f"{'' if b.count == 1 else 's'}, {observed:.0%} approved")
    return [
        f'<rect x="{_x(b.low) + 1:.1f}" y="{_y(observed)}" width="{max(width - 2, 1):.1f}" '
        f'height="{SIZE * observed:.1f}" fill="#9ecae1" stroke="#3182bd"><title>{xml_text(tooltip)}</title></rect>',
        f'<circle cx="{_x(b.mean_predicted)}" cy="{_y(observed)}" r="4" fill="#08519c"/>',
        f'<text class="n" x="{_x(b.low) + width / 2:.1f}" y="{_y(observed) - 7:.1f}">n={b.count}</text>',
    ]


def _summary(verdicts: int, ece: float | None) -> str:
    text = f"{verdicts} verdict{'' if verdicts == 1 else 's'}"
    if ece is not None and math.isfinite(ece):
        text += f"; expected calibration error {ece:.3f}"
    text += " · dashed: perfectly calibrated"
    return f'<text class="tick" x="{LEFT}" y="{TOP + SIZE + 62}">{xml_text(text)}</text>'
