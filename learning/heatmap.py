"""A students × skills mastery heatmap as a standalone SVG document (pure: no Django import).

Every label comes from users or content authors, so every text and attribute is XML-escaped, and
characters XML 1.0 forbids are dropped (one stray control character would make the image unparseable).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

MAX_ROWS = 500
MAX_COLUMNS = 100

CELL_W, CELL_H = 38, 18
CHAR_W = 6.5  # average width of a 11px sans-serif character, for sizing the label areas
LABEL_CHARS = 32  # longer names are cut (the full name stays in the tooltip)
MARGIN = 12
LEGEND_W, LEGEND_H = 240, 12

# ColorBrewer RdYlGn, light enough for black text on every cell.
_STOPS = ((0.0, (0xF4, 0x6D, 0x43)), (0.5, (0xFE, 0xE0, 0x8B)), (1.0, (0x66, 0xBD, 0x63)))
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

_STYLE = (
    "text{font:11px sans-serif;fill:#222}"
    ".v{font-size:9px;text-anchor:middle;dominant-baseline:central}"
    ".p{fill:#777;font-style:italic}"
    ".r{text-anchor:end;dominant-baseline:central}"
    ".c{font-size:12px}"
)


@dataclass(frozen=True)
class HeatmapCell:
    value: float  # 0..1
    practised: bool
    note: str = ""  # extra tooltip text, e.g. "3 attempts"


def mastery_colour(value: float) -> str:
    """#rrggbb on the red → yellow → green scale over 0..1 (values outside are clamped)."""
    value = min(1.0, max(0.0, float(value)))
    for (low, low_rgb), (high, high_rgb) in zip(_STOPS, _STOPS[1:]):
        if value <= high:
            t = (value - low) / (high - low)
            return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(low_rgb, high_rgb))
    return "#%02x%02x%02x" % _STOPS[-1][1]


def pale_colour(colour: str, amount: float = 0.6) -> str:
    """``colour`` mixed with white: the look of an estimate that no practice supports yet."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def xml_text(value: object) -> str:
    return escape(_XML_FORBIDDEN.sub("", str(value)))


def xml_attr(value: object) -> str:
    return escape(_XML_FORBIDDEN.sub("", str(value)), {'"': "&quot;"})


def heatmap_svg(*, title: str, row_labels: Sequence[str], column_labels: Sequence[str],
                cells: Sequence[Sequence[HeatmapCell]], threshold: float,
                max_rows: int = MAX_ROWS, max_columns: int = MAX_COLUMNS) -> str:
    """The heatmap of ``cells[row][column]``; beyond ``max_rows`` × ``max_columns`` it is cut, and says so."""
    rows, columns = list(row_labels[:max_rows]), list(column_labels[:max_columns])
    layout = _Layout.fit(rows, columns)
    caption = _caption(len(row_labels), len(rows), len(column_labels), len(columns))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{layout.width}" height="{layout.height}" '
        f'viewBox="0 0 {layout.width} {layout.height}" role="img">',
        f"<title>{xml_text(title)}</title>", f"<style>{_STYLE}</style>", _defs(),
        f'<text class="c" x="{MARGIN}" y="{MARGIN + 10}">{xml_text(title)}</text>',
    ]
    if caption:
        parts.append(f'<text class="p" x="{MARGIN}" y="{MARGIN + 26}">{xml_text(caption)}</text>')
    parts += _column_labels(layout, columns)
    parts += [_row(layout, i, label, cells[i][:len(columns)], columns) for i, label in enumerate(rows)]
    parts += _legend(layout, threshold)
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class _Layout:
    left: float  # x of the first column
    top: float  # y of the first row
    columns: int
    rows: int
    width: int
    height: int

    @classmethod
    def fit(cls, rows: Sequence[str], columns: Sequence[str]) -> _Layout:
        row_label_w = CHAR_W * min(LABEL_CHARS, max((len(r) for r in rows), default=0)) + 2 * MARGIN
        # Column labels are turned 45°: they rise and lean right by their length / √2.
        lean = CHAR_W * min(LABEL_CHARS, max((len(c) for c in columns), default=0)) * 0.71
        top = MARGIN + 40 + lean
        grid_w, grid_h = CELL_W * len(columns), CELL_H * len(rows)
        width = max(row_label_w + grid_w + lean, LEGEND_W + 420) + MARGIN
        height = top + grid_h + 3 * MARGIN + LEGEND_H + 40
        return cls(row_label_w, top, len(columns), len(rows), int(width) + 1, int(height) + 1)


def _caption(total_rows: int, rows: int, total_columns: int, columns: int) -> str:
    cut = []
    if rows < total_rows:
        cut.append(f"the first {rows} of {total_rows} students")
    if columns < total_columns:
        cut.append(f"the first {columns} of {total_columns} skills")
    return f"Truncated: showing {' and '.join(cut)}; the CSV has them all." if cut else ""


def _defs() -> str:
    stops = "".join(f'<stop offset="{at}" stop-color="{mastery_colour(at)}"/>' for at, _ in _STOPS)
    return (
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="1.5"/>'
        f'</pattern><linearGradient id="scale">{stops}</linearGradient></defs>'
    )


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"


def _column_labels(layout: _Layout, columns: Sequence[str]) -> list[str]:
    y = layout.top - 6
    return [
        f'<text transform="translate({layout.left + CELL_W * (j + 0.5):.1f},{y:.1f}) rotate(-45)">'
        f"<title>{xml_text(label)}</title>{xml_text(_cut(label))}</text>"
        for j, label in enumerate(columns)
    ]


def _row(layout: _Layout, i: int, label: str, cells: Sequence[HeatmapCell], columns: Sequence[str]) -> str:
    y = layout.top + CELL_H * i
    parts = [f'<g transform="translate(0,{y:.1f})">',
             f'<text class="r" x="{layout.left - 6:.1f}" y="{CELL_H / 2}"><title>{xml_text(label)}</title>'
             f"{xml_text(_cut(label))}</text>"]
    parts += [_cell(layout.left + CELL_W * j, cell, f"{label} · {columns[j]}") for j, cell in enumerate(cells)]
    parts.append("</g>")
    return "".join(parts)


def _cell(x: float, cell: HeatmapCell, where: str) -> str:
    colour = mastery_colour(cell.value)
    fill = colour if cell.practised else pale_colour(colour)
    tooltip = f"{where}: {cell.value:.2f}" + ("" if cell.practised else " (not yet practised)")
    tooltip += f", {cell.note}" if cell.note else ""
    hatch = "" if cell.practised else f'<rect x="{x:.1f}" width="{CELL_W}" height="{CELL_H}" fill="url(#hatch)"/>'
    css = "v" if cell.practised else "v p"
    return (
        f'<rect x="{x:.1f}" width="{CELL_W}" height="{CELL_H}" fill="{fill}" stroke="#fff">'
        f"<title>{xml_text(tooltip)}</title></rect>{hatch}"
        f'<text class="{css}" x="{x + CELL_W / 2:.1f}" y="{CELL_H / 2}">{cell.value:.2f}</text>'
    )


def _legend(layout: _Layout, threshold: float) -> list[str]:
    x, y = MARGIN, layout.top + CELL_H * layout.rows + 2 * MARGIN
    mark = x + LEGEND_W * min(1.0, max(0.0, threshold))
    ticks = [f'<text class="v" x="{x + LEGEND_W * t:.1f}" y="{y + LEGEND_H + 10}">{t:g}</text>' for t in (0, 0.5, 1)]
    swatch_x, swatch_fill = x + LEGEND_W + 40, pale_colour(mastery_colour(0.5))
    return [
        f'<rect x="{x}" y="{y}" width="{LEGEND_W}" height="{LEGEND_H}" fill="url(#scale)" stroke="#666"/>',
        *ticks,
        f'<line x1="{mark:.1f}" y1="{y - 4}" x2="{mark:.1f}" y2="{y + LEGEND_H + 4}" stroke="#000" stroke-width="2"/>',
        f'<text class="v" x="{mark:.1f}" y="{y - 10}">mastery {threshold:.2f}</text>',
        f'<rect x="{swatch_x}" y="{y}" width="{CELL_W}" height="{LEGEND_H}" fill="{swatch_fill}"/>',
        f'<rect x="{swatch_x}" y="{y}" width="{CELL_W}" height="{LEGEND_H}" fill="url(#hatch)" stroke="#666"/>',
        f'<text x="{swatch_x + CELL_W + 6}" y="{y + LEGEND_H - 2}">not yet practised (estimate from the prior)</text>',
    ]
