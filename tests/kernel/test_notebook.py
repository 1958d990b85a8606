"""A notebook run headlessly by nbclient against the installed mgrad kernelspec, as Jupyter
runs it: results, tables, pictures, errors, warnings and files, checked cell by cell."""

import html
import os
import re

import nbformat
import pytest
from nbclient import NotebookClient

from kernel_env import KernelEnv

ANSI = re.compile(r"\x1b\[[0-9;]*m")

CELLS = [
    # 0: several lines, one statement over two of them, a result
    "a = 2; b = -3; c = 10; f = -2\nL = (a*b +\n     c) * f\n:backward L\nL",
    # 1: results of a cell go out together
    "a.grad\nb.grad",
    # 2: a table, also as HTML
    ":grad L",
    # 3: the graph inline
    ":draw L",
    # 4: an error on the cell's second line
    "y = 1\nx = a * q",
    # 5: the backward pass, a frame per update
    ":trace L frames",
    # 6: a function and its derivative
    ":plot 3*x**2 - 4*x + 5 x=-2..3",
    # 7: descent with its curve
    "x = 3; M = (x - 1)**2\n:minimize M steps=20 lr=0.1 plot",
    # 8: files relative to the notebook's directory
    ":save session.mg\n:draw L lecture.svg\n:draw L format=png",
    # 9: a warning goes to stderr, the cell goes on
    "z = 0\nr = sqrt(z)\n:backward r\nz.grad",
    # 10: :load from the notebook's directory, into the same session
    ":reset\n:load session.mg\nL",
    # 11: help
    ":help tanh",
]


@pytest.fixture(scope="module")
def executed():
    env = KernelEnv()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "mgrad", "display_name": "mgrad", "language": "mgrad"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = NotebookClient(nb, kernel_name="mgrad", timeout=60, allow_errors=True,
                            resources={"metadata": {"path": env.notebook_dir}})
    client.execute()
    yield nb, env
    env.close()


def outputs(executed, i):
    return executed[0].cells[i].outputs


def stream(outs, name="stdout"):
    return "".join(o["text"] for o in outs if o["output_type"] == "stream" and o["name"] == name)


def test_kernel_info(executed):
    nb, _ = executed
    assert nb.metadata["language_info"]["name"] == "mgrad"
    assert nb.metadata["language_info"]["file_extension"] == ".mg"


def test_result_is_an_execute_result(executed):
    outs = outputs(executed, 0)
    assert [o["output_type"] for o in outs] == ["execute_result"]
    assert outs[0]["data"] == {"text/plain": "L = -8  (grad 1)"}
    assert outs[0]["execution_count"] == 1


def test_results_of_a_cell_together(executed):
    outs = outputs(executed, 1)
    assert len(outs) == 1
    assert outs[0]["data"]["text/plain"] == "a.grad = 6\nb.grad = -4"


def test_table_as_text_and_html(executed):
    (out,) = outputs(executed, 2)
    assert out["output_type"] == "execute_result"
    assert out["data"]["text/plain"].splitlines()[0].split() == ["node", "data", "grad"]
    page = out["data"]["text/html"]
    assert page.startswith("<table>")
    cells = re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", page)
    assert cells[:6] == ["node", "data", "grad", "a", "2", "6"]
    assert cells[-3:] == ["L", "-8", "1"]


def test_draw_shows_the_svg_inline(executed):
    (out,) = outputs(executed, 3)
    assert out["output_type"] == "display_data"
    svg = out["data"]["image/svg+xml"]
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:500]
    text = html.unescape(svg)
    assert "data -8.0000" in text and "grad 1.0000" in text
    assert out["data"]["text/plain"] == "L"


def test_error_with_caret_in_cell_lines(executed):
    nb, _ = executed
    outs = outputs(executed, 4)
    (err,) = [o for o in outs if o["output_type"] == "error"]
    assert err["ename"] == "Error"
    assert err["evalue"] == "undefined name 'q'; did you mean 'a'?"
    count = nb.cells[4].execution_count
    assert [ANSI.sub("", line) for line in err["traceback"]] == [
        f"<cell {count}>:2:9: error: undefined name 'q'; did you mean 'a'?",
        "x = a * q",
        "        ^",
    ]
    assert any("\x1b[" in line for line in err["traceback"])  # coloured, as a terminal shows it


def test_trace_frames_inline(executed):
    outs = outputs(executed, 5)
    kinds = [o["output_type"] for o in outs]
    assert kinds == ["stream", "display_data"] * 7
    assert outs[0]["text"] == "L.grad = 1\n"
    assert outs[-2]["text"].startswith("b.grad += a.data * ")
    for text_out, picture in zip(outs[::2], outs[1::2]):
        assert picture["data"]["text/plain"] == text_out["text"].rstrip("\n")
        assert "<svg" in picture["data"]["image/svg+xml"]


def test_plot_inline_png(executed):
    (out,) = outputs(executed, 6)
    assert out["output_type"] == "display_data"
    import base64
    png = base64.b64decode(out["data"]["image/png"])
    assert png.startswith(b"\x89PNG")
    assert "3*x**2 - 4*x + 5" in out["data"]["text/plain"]


def test_minimize_plot_inline(executed):
    outs = outputs(executed, 7)
    # The progress lines, the table of the leaves (an HTML table), the summary, the chart.
    assert [o["output_type"] for o in outs] == [
        "stream", "execute_result", "stream", "display_data"]
    assert "M = " in outs[0]["text"]
    assert "text/html" in outs[1]["data"] and "start" in outs[1]["data"]["text/plain"]
    assert "M: 4 → " in outs[2]["text"]
    assert "image/png" in outs[3]["data"]


def test_files_in_the_notebook_directory(executed):
    _, env = executed
    outs = outputs(executed, 8)
    assert re.fullmatch(r"saved \d+ statements to session.mg\ndrew L to lecture.svg \(svg\)\n",
                        stream(outs))
    assert os.path.exists(os.path.join(env.notebook_dir, "session.mg"))
    assert os.path.exists(os.path.join(env.notebook_dir, "lecture.svg"))
    assert "image/png" in outs[-1]["data"]


def test_warning_on_stderr(executed):
    outs = outputs(executed, 9)
    warning = ANSI.sub("", stream(outs, "stderr"))
    assert ": warning: " in warning
    assert outs[-1]["output_type"] == "execute_result"


def test_load_relative_to_the_notebook(executed):
    outs = outputs(executed, 10)
    # The same L, whose gradient :minimize M (replayed) set back to 0 as it did before.
    assert outs[-1]["data"]["text/plain"] == "L = -8  (grad 0)"


def test_help(executed):
    assert stream(outputs(executed, 11)).startswith("tanh(x)\n")
