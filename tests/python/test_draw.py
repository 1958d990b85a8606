"""draw_dot: in-process pictures of a Value's graph, shown inline by Jupyter."""

import html
import json
import re

import pytest

import mgrad
from mgrad import Value, draw_dot


def lecture():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    f = Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    return L


def test_svg_shows_every_node_with_data_and_grad():
    L = lecture()
    drawing = draw_dot(L)
    svg = drawing._repr_svg_()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    svg = html.unescape(svg)  # Graphviz writes '-' as &#45;
    for label, data, grad in [("a", 2, 6), ("b", -3, -4), ("c", 10, -2), ("f", -2, 4),
                              ("e", -6, -2), ("d", 4, -2), ("L", -8, 1)]:
        record = re.search(rf">{label}</text>.*?>data {data:.4f}</text>.*?>grad {grad:.4f}</text>",
                           svg, re.S)
        assert record, label
    assert drawing._repr_png_() is None  # Jupyter shows the one format drawn
    assert set(drawing._repr_mimebundle_()) == {"image/svg+xml"}


def test_png_and_options():
    L = lecture()
    png = draw_dot(L, format="png", rankdir="TB", decimals=2, shade=True, legend=False)
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert png._repr_png_() == png.data and png._repr_svg_() is None
    dot = draw_dot(L, format="dot", rankdir="TB", decimals=1, hide_constants=True)
    assert "rankdir=TB" in dot.source
    assert "data -8.0" in dot.source
    doc = json.loads(draw_dot(L, format="json", depth=1).source)
    assert {n["label"] for n in doc["nodes"]} == {"L", "d", "f"}


def test_save_and_render(tmp_path):
    L = lecture()
    drawing = draw_dot(L)
    path = drawing.save(tmp_path / "L.svg")
    assert open(path, "rb").read() == drawing.data
    # Another extension draws again in that format.
    png = drawing.save(tmp_path / "L.png")
    assert open(png, "rb").read().startswith(b"\x89PNG")
    # graphviz's spelling: render('gout') writes gout.svg.
    out = drawing.render(str(tmp_path / "gout"))
    assert out.endswith("gout.svg") and open(out).read().endswith("</svg>\n")
    with pytest.raises(ValueError):
        drawing.save(tmp_path / "L.bmp")


def test_bad_options_are_mgrad_errors():
    x = Value(1.0) * 2
    with pytest.raises(mgrad.Error) as info:
        draw_dot(x, depht=2)
    assert "unknown draw option 'depht=2'" in str(info.value)
    assert "did you mean 'depth=" in str(info.value)
    with pytest.raises(ValueError):
        draw_dot(x, format="bmp")
    with pytest.raises(ValueError):
        draw_dot(x, rankdir="RL")
    with pytest.raises(TypeError):
        draw_dot(2.0)


def test_a_graph_too_large_says_which_option_to_use():
    x = Value(0.5)
    for _ in range(2000):
        x = x * 1.0001
    with pytest.raises(mgrad.Error) as info:
        draw_dot(x)
    assert "depth=" in str(info.value)
    assert "data" in draw_dot(x, depth=3).source
