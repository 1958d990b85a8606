"""`%load_ext mgrad` on the ordinary Python kernel (ipykernel, what Colab, VS Code and JupyterLab
run), executed by nbclient: `%%mgrad` cells show what the mgrad kernel shows for the same cells
(tests/kernel/test_notebook.py's, run on both kernels here and compared), `%mgrad` runs a
line, sessions persist and have names, Python reaches them, an interrupt stops a cell.
Completion inside `%%mgrad` cells: ipython_completion.py."""

import json
import os
import re
import sys
import tempfile
import time

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kernel"))
from test_notebook import CELLS  # noqa: E402

ANSI = re.compile(r"\x1b\[[0-9;]*m")
pytestmark = pytest.mark.skipif(bool(os.environ.get("MGRAD_SANITIZED")),
                                reason="Jupyter kernels are not run under the sanitizers")


@pytest.fixture(scope="module")
def jupyter():
    """A scratch Jupyter: the kernels `python3` (ipykernel) and `mgrad` (the package's kernel),
    both on this Python, which finds this mgrad (the build tree's, or the venv's)."""
    with tempfile.TemporaryDirectory(prefix="mgrad-ipython-") as root:
        for name, sub in (("JUPYTER_DATA_DIR", "data"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                          ("JUPYTER_CONFIG_DIR", "config"), ("IPYTHONDIR", "ipython")):
            os.environ[name] = os.path.join(root, sub)
        os.environ["JUPYTER_PATH"] = os.path.join(root, "share")
        os.environ["JUPYTER_PLATFORM_DIRS"] = "0"
        os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        for name, module, language in (("python3", "ipykernel_launcher", "python"),
                                       ("mgrad", "mgrad_kernel", "mgrad")):
            spec_dir = os.path.join(root, "share", "kernels", name)
            os.makedirs(spec_dir)
            with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
                json.dump({"argv": [sys.executable, "-m", module, "-f", "{connection_file}"],
                           "display_name": name, "language": language,
                           "interrupt_mode": "signal"}, f)
        notebooks = os.path.join(root, "notebooks")
        for kernel in ("python3", "mgrad"):
            os.makedirs(os.path.join(notebooks, kernel))
        yield notebooks


def execute(directory, kernel, sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    NotebookClient(nb, kernel_name=kernel, timeout=60, allow_errors=True,
                   resources={"metadata": {"path": directory}}).execute()
    return nb


def comparable(output, cell_line_shift):
    """An output as both kernels should show it: an `execute_result` of the kernel is a
    `display_data` of the extension (a cell magic has no Out[n] of its own), and the
    extension's cells have the `%%mgrad` line above the code."""
    def where(text):  # <cell 12>:3 → <cell>:2 (the line in the code, without %%mgrad's)
        text = re.sub(r"<cell \d+>:(\d+)",
                      lambda m: f"<cell>:{int(m.group(1)) - cell_line_shift}", ANSI.sub("", text))
        return re.sub(r"<cell \d+>", "<cell>", text)

    out = dict(output)
    out.pop("execution_count", None)
    out.pop("metadata", None)
    if out["output_type"] == "execute_result":
        out["output_type"] = "display_data"
    if out["output_type"] == "error":
        out["traceback"] = [where(line) for line in out["traceback"]]
    if "data" in out and "image/svg+xml" in out["data"]:
        data = dict(out["data"])
        data["image/svg+xml"] = re.findall(r"<text[^>]*>([^<]*)</text>", data["image/svg+xml"])
        out["data"] = data
    if "data" in out and "image/png" in out["data"]:
        out["data"] = dict(out["data"], **{"image/png": "(a PNG)"})
    if out["output_type"] == "stream":
        out["text"] = where(out["text"])
    return out


@pytest.fixture(scope="module")
def both(jupyter):
    python = execute(os.path.join(jupyter, "python3"), "python3",
                     ["%load_ext mgrad"] + ["%%mgrad\n" + c for c in CELLS])
    kernel = execute(os.path.join(jupyter, "mgrad"), "mgrad", CELLS)
    return python, kernel


def test_load_ext_prints_nothing(both):
    python, _ = both
    assert python.cells[0].outputs == []


@pytest.mark.parametrize("i", range(len(CELLS)))
def test_a_cell_shows_what_the_kernel_shows(both, i):
    python, kernel = both
    mine = [comparable(o, 1) for o in python.cells[i + 1].outputs]
    theirs = [comparable(o, 0) for o in kernel.cells[i].outputs]
    assert mine == theirs


def test_error_is_raised_with_the_caret_in_the_cells_lines(both):
    python, _ = both
    cell = python.cells[1 + CELLS.index("y = 1\nx = a * q")]
    (err,) = [o for o in cell.outputs if o["output_type"] == "error"]
    assert err["ename"] == "Error" and err["evalue"] == "undefined name 'q'; did you mean 'a'?"
    assert [ANSI.sub("", line) for line in err["traceback"]] == [
        f"<cell {cell.execution_count}>:3:9: error: undefined name 'q'; did you mean 'a'?",
        "x = a * q",
        "        ^",
    ]


SESSIONS = [
    "%load_ext mgrad",
    "%%mgrad\na = 2; b = -3\nL = a*b\n:backward L",
    "%mgrad a.grad",                                                  # 2: one line
    "import mgrad\ns = mgrad.session()\nprint(s['a'].grad, s['L'].data, s.names())",
    "%%mgrad -s lab\nx = 3\ny = x**2\n:backward y\nx.grad",          # 4: a named session
    "lab = mgrad.session('lab')\nlab['w'] = 0.5\nprint(lab['x'].grad, 'x' in mgrad.session())",
    "%%mgrad --session=lab\nz = w * x\n:backward z\nw.grad",         # 6: Python's number
    "%mgrad -s lab w",
    "%mgrad a +",                                                     # 8: an error, one line
    "%mgrad :quit",
    "%mgrad a",                                                       # 10: a fresh session
    "%%mgrad extra words\na = 1",
    "print(get_ipython().find_cell_magic('mgrad').__doc__)",
    "%reload_ext mgrad\nprint(len(mgrad.session('lab')))",            # 13: loaded again
]


@pytest.fixture(scope="module")
def sessions(jupyter):
    return execute(os.path.join(jupyter, "python3"), "python3", SESSIONS)


def text(cell):
    out = []
    for o in cell.outputs:
        if o["output_type"] == "stream":
            out.append(ANSI.sub("", o["text"]))
        elif o["output_type"] in ("display_data", "execute_result"):
            out.append(o["data"]["text/plain"] + "\n")
        elif o["output_type"] == "error":
            out.append(f"{o['ename']}: {ANSI.sub('', chr(10).join(o['traceback']))}\n")
    return "".join(out)


def test_line_magic(sessions):
    assert text(sessions.cells[2]) == "-3\n"


def test_python_reads_the_default_session(sessions):
    assert text(sessions.cells[3]) == "-3.0 -6.0 ['a', 'b', 'L']\n"


def test_named_sessions_are_apart_and_python_hands_in_numbers(sessions):
    assert text(sessions.cells[4]) == "6\n"
    assert text(sessions.cells[5]) == "6.0 False\n"
    assert text(sessions.cells[6]) == "3\n"
    assert text(sessions.cells[7]) == "w = 0.5  (grad 3)\n"


def test_line_magic_error(sessions):
    assert text(sessions.cells[8]).startswith("Error: <%mgrad>:1:4: error: ")


def test_quit_then_a_fresh_session(sessions):
    assert text(sessions.cells[9]) == (
        ":quit ended the session 'default'; the next cell starts a fresh one\n")
    assert text(sessions.cells[10]).startswith("Error: <%mgrad>:1:1: error: undefined name 'a'")


def test_cell_magic_takes_only_a_session(sessions):
    assert "takes only -s NAME" in text(sessions.cells[11])


def test_help_and_reload(sessions):
    assert "%%mgrad [-s NAME]" in text(sessions.cells[12])
    assert text(sessions.cells[13]) == "4\n"


def test_cells_write_only_inside_the_notebook_directory(jupyter, tmp_path):
    """`%%mgrad` and `%mgrad` cells are the notebook's text, so they write as the mgrad kernel's
    cells do: inside the notebook's directory only (and MGRAD_ALLOW_WRITE's); Python's own
    calls on the session write anywhere."""
    directory = os.path.join(jupyter, "python3")
    nb = execute(directory, "python3", [
        "%load_ext mgrad",
        f'%%mgrad -s files\nw = 2\n:save "{tmp_path}/cell.mg"',
        f'%mgrad -s files :save "{tmp_path}/line.mg"',
        "%%mgrad -s files\n:save ../escape.mg",
        "%%mgrad -s files\n:save inside.mg",
        f"import mgrad\nmgrad.session('files').run(':save \"{tmp_path}/python.mg\"')",
    ])
    for i in (1, 2, 3):
        assert "a script may write only inside the current directory" in text(nb.cells[i]), i
    assert not (tmp_path / "cell.mg").exists() and not (tmp_path / "line.mg").exists()
    assert not os.path.exists(os.path.join(jupyter, "escape.mg"))
    assert os.path.exists(os.path.join(directory, "inside.mg"))
    assert (tmp_path / "python.mg").exists()


def test_interrupt_stops_a_cell_and_the_session_goes_on(jupyter):
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60,
                              cwd=os.path.join(jupyter, "python3"))
    try:
        kc.execute_interactive("%load_ext mgrad\n%mgrad x = 3; M = (x - 1)**2", timeout=60)
        msg_id = kc.execute("%mgrad :minimize M steps=10000000 lr=0.000001",
                            stop_on_error=False)
        while True:
            msg = kc.get_iopub_msg(timeout=30)
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"]["execution_state"] == "busy"):
                break
        time.sleep(0.5)
        started = time.monotonic()
        km.interrupt_kernel()
        while True:
            reply = kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        assert time.monotonic() - started < 5
        assert reply["content"]["status"] == "error"
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        assert re.match(r"interrupted after \d+ of 10000000 steps", reply["content"]["evalue"])
        values = []
        kc.execute_interactive("import mgrad; print(mgrad.session()['x'].data)", timeout=30,
                               output_hook=lambda m: values.append(m["content"].get("text")))
        assert 1 < float("".join(v for v in values if v)) < 3
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
