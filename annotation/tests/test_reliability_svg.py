import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from annotation.reliability_svg import LEFT, SIZE, TOP, reliability_svg
from annotation.router.metrics import expected_calibration_error, reliability_bins

SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    mean_predicted: float | None
    observed: float | None


def texts(svg: str) -> list[str]:
    return ["".join(node.itertext()) for node in ET.fromstring(svg).iter(f"{SVG}text")]


def bars(svg: str) -> list[ET.Element]:
    return [rect for rect in ET.fromstring(svg).iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]


def test_each_bin_with_verdicts_has_a_bar_a_point_and_its_count():
    bins = reliability_bins([0.12, 0.18, 0.15, 0.55, 0.95], [False, True, False, True, True])
    svg = reliability_svg(title="Router", bins=bins, ece=expected_calibration_error(bins))
    assert sorted(t for t in texts(svg) if t.startswith("n=")) == ["n=1", "n=1", "n=3"]
    assert len(bars(svg)) == 3 and len(list(ET.fromstring(svg).iter(f"{SVG}circle"))) == 3
    summary = next(t for t in texts(svg) if "verdicts" in t)
    assert summary.startswith("5 verdicts; expected calibration error 0.")


def test_a_bar_reaches_the_share_approved():
    svg = reliability_svg(title="Router", bins=[Bin(0.1, 0.2, 4, 0.15, 0.25)])
    (bar,) = bars(svg)
    assert float(bar.get("height")) == SIZE * 0.25
    assert float(bar.get("y")) + float(bar.get("height")) == TOP + SIZE  # standing on the axis
    assert "4 verdicts, 25% approved" in bar.find(f"{SVG}title").text


def test_the_diagonal_runs_from_corner_to_corner():
    svg = reliability_svg(title="Router", bins=[])
    diagonal = next(line for line in ET.fromstring(svg).iter(f"{SVG}line") if line.find(f"{SVG}title") is not None)
    assert diagonal.find(f"{SVG}title").text == "perfectly calibrated"
    corners = [float(diagonal.get(k)) for k in ("x1", "y1", "x2", "y2")]
    assert corners == [LEFT, TOP + SIZE, LEFT + SIZE, TOP]


def test_axes_are_labelled_with_ticks():
    shown = texts(reliability_svg(title="Router", bins=[]))
    assert any("probability that the answer is right" in t for t in shown)
    assert "share approved by teachers" in shown
    assert shown.count("0.2") == 2 and shown.count("1") == 2  # one of each per axis


def test_no_verdicts_draws_empty_axes_with_a_note():
    svg = reliability_svg(title="Router", bins=reliability_bins([], []), ece=None)
    shown = texts(svg)
    assert bars(svg) == [] and "No verdicts yet:" in shown
    assert any(t.startswith("0 verdicts") and "calibration error" not in t for t in shown)


def test_titles_are_escaped_and_nothing_executable_is_emitted():
    attack = '</text><script>alert(1)</script><a href="javascript:x">'
    svg = reliability_svg(title=attack, bins=[Bin(0.0, 0.1, 1, 0.05, 1.0)])
    root = ET.fromstring(svg)
    assert attack in texts(svg) and root.find(f"{SVG}title").text == attack
    assert "<script" not in svg and not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}a"))


def test_out_of_range_and_missing_values_still_draw_a_valid_image():
    bins = [Bin(0.0, 0.5, 2, math.nan, 1.7), Bin(0.5, 1.0, 1, None, -0.3)]
    svg = reliability_svg(title="Router", bins=bins, ece=math.inf)
    heights = [float(bar.get("height")) for bar in bars(svg)]
    assert heights == [SIZE, 0.0]  # clamped to the plot
    assert all(t.startswith("3 verdicts ·") for t in texts(svg) if "verdicts" in t)
