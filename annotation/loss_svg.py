"""A training run's loss curve as a standalone SVG document (pure: no Django import).

Across: optimiser steps; up: the training loss on the answers' tokens. The thin line is every step, the
thick one a moving average over ``SMOOTHING`` steps, since one batch's loss is noisy.
"""
from __future__ import annotations

from collections.abc import Sequence

from learning.heatmap import xml_text

WIDTH, HEIGHT = 640, 360
LEFT, TOP, PLOT_W, PLOT_H = 70, 50, 530, 240
SMOOTHING = 10
_STYLE = (
    "text{font:12px sans-serif;fill:#222}.t{font-size:14px;font-weight:bold}.tick{font-size:10px;fill:#555}"
    ".mid{text-anchor:middle}.end{text-anchor:end}.note{font-style:italic;fill:#555}"
)


def moving_average(values: Sequence[float], window: int = SMOOTHING) -> list[float]:
    averaged, total = [], 0.0
    for index, value in enumerate(values):
        total += value
        if index >= window:
            total -= values[index - window]
        averaged.append(total / min(index + 1, window))
    return averaged


def loss_svg(*, title: str, losses: Sequence[float], total_steps: int) -> str:
    parts = [f'<text class="t" x="{LEFT}" y="28">{xml_text(title)}</text>', _frame()]
    finite = [float(x) for x in losses if isinstance(x, (int, float)) and x == x]
    if not finite:
        parts.append(f'<text class="note" x="{LEFT + 20}" y="{TOP + PLOT_H // 2}">No steps yet: the curve '
                     "fills in as the run trains.</text>")
        return _document(parts)
    steps = max(total_steps, len(finite), 1)
    top = max(finite) * 1.05 or 1.0
    parts += _axes(steps, top)
    parts.append(_polyline(finite, steps, top, "#9bb7d4", 1))
    parts.append(_polyline(moving_average(finite), steps, top, "#1f4e79", 2.5))
    parts.append(f'<text class="tick" x="{LEFT + PLOT_W}" y="{TOP - 6}" text-anchor="end">last loss '
                 f"{finite[-1]:.3f} at step {len(finite)} of {steps}</text>")
    return _document(parts)


def _document(parts: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img"><style>{_STYLE}</style>{"".join(parts)}</svg>')


def _frame() -> str:
    return (f'<rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="#fafafa" stroke="#999"/>'
            f'<text class="mid" x="{LEFT + PLOT_W / 2}" y="{TOP + PLOT_H + 40}">step</text>'
            f'<text class="mid" transform="translate(20 {TOP + PLOT_H / 2}) rotate(-90)">training loss</text>')


def _axes(steps: int, top: float) -> list[str]:
    ticks = []
    for fraction in (0.0, 0.25, 0.5, 0.75, 1.0):
        x, y = LEFT + fraction * PLOT_W, TOP + PLOT_H - fraction * PLOT_H
        ticks.append(f'<text class="tick mid" x="{x:.1f}" y="{TOP + PLOT_H + 16}">{round(fraction * steps)}</text>')
        ticks.append(f'<text class="tick end" x="{LEFT - 6}" y="{y + 3:.1f}">{fraction * top:.2f}</text>')
    return ticks


def _polyline(values: Sequence[float], steps: int, top: float, colour: str, width: float) -> str:
    points = " ".join(
        f"{LEFT + PLOT_W * (i + 1) / steps:.1f},{TOP + PLOT_H - PLOT_H * min(v, top) / top:.1f}"
        for i, v in enumerate(values)
    )
    return f'<polyline fill="none" stroke="{colour}" stroke-width="{width}" points="{points}"/>'
