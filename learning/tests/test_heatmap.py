import xml.etree.ElementTree as ET

from learning.heatmap import HeatmapCell, heatmap_svg, mastery_colour, pale_colour

SVG = "{http://www.w3.org/2000/svg}"


def render(rows, columns, value=0.5, practised=True, **limits) -> str:
    cells = [[HeatmapCell(value, practised, "2 attempts") for _ in columns] for _ in rows]
    return heatmap_svg(title="Algebra & <b>", row_labels=rows, column_labels=columns, cells=cells, threshold=0.8,
                       **limits)


def texts(svg: str) -> list[str]:
    """What each <text> shows (its <title> is a tooltip)."""
    return [(node.text or "") + "".join(child.tail or "" for child in node)
            for node in ET.fromstring(svg).iter(SVG + "text")]


def test_colour_scale_runs_red_yellow_green_and_clamps():
    assert mastery_colour(0.0) == "#f46d43"
    assert mastery_colour(0.5) == "#fee08b"
    assert mastery_colour(1.0) == "#66bd63"
    assert mastery_colour(-3) == mastery_colour(0.0) and mastery_colour(7) == mastery_colour(1.0)
    assert pale_colour("#000000", 0.5) == "#808080"


def test_hostile_names_are_escaped_and_the_svg_parses():
    svg = render(["<script>alert(1)</script>", 'a&b"c'], ["x<y & z", "</text><script>"])
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg and "a&amp;b" in svg
    shown = texts(svg)
    assert "<script>alert(1)</script>" in shown and "x<y & z" in shown
    assert not list(ET.fromstring(svg).iter(SVG + "script"))


def test_characters_xml_forbids_are_dropped():
    svg = render(["bell\x07name"], ["form\x0cfeed"])
    assert "bellname" in texts(svg)


def test_every_cell_shows_its_value_and_the_legend_marks_the_threshold():
    shown = texts(render(["ann", "bob"], ["solve", "isolate", "two-step"], value=0.4321))
    assert shown.count("0.43") == 6
    assert "mastery 0.80" in shown


def test_unpractised_cells_are_hatched_and_pale():
    practised, unpractised = render(["ann"], ["solve"]), render(["ann"], ["solve"], practised=False)
    assert 'fill="url(#hatch)"' in unpractised and pale_colour(mastery_colour(0.5)) in unpractised
    # The legend's swatch is the only hatched rect of a fully practised map.
    assert practised.count('fill="url(#hatch)"') == 1 and unpractised.count('fill="url(#hatch)"') == 2
    assert "not yet practised" in unpractised


def test_large_tables_are_cut_and_say_so():
    rows, columns = [f"s{i}" for i in range(7)], [f"k{j}" for j in range(4)]
    shown = texts(render(rows, columns, max_rows=5, max_columns=3))
    assert "s4" in shown and "s5" not in shown and "k2" in shown and "k3" not in shown
    assert any("first 5 of 7 students" in t and "first 3 of 4 skills" in t for t in shown)
    assert not any("Truncated" in t for t in texts(render(rows, columns)))


def test_empty_table_still_renders():
    assert ET.fromstring(render([], [])).tag == SVG + "svg"
