"""The wheel as a user gets it, run in the virtual environment it was installed into
(make_venv.py): its metadata says what pyproject.toml and CMakeLists.txt say, it holds what the
package needs and no path of the machine that built it, and the package, its `mgrad` command,
`python -m mgrad`, drawing, plotting and the live view work from there.

$MGRAD_SOURCE_DIR is the source tree, $MGRAD_WHEEL_DIR the directory holding the wheel.
"""

import base64
import glob
import hashlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import urllib.request
import zipfile

import pytest

import mgrad

SOURCE = os.environ["MGRAD_SOURCE_DIR"]
WHEEL = glob.glob(os.path.join(os.environ["MGRAD_WHEEL_DIR"], "mgrad-*.whl"))[0]
BIN = os.path.dirname(sys.executable)
MGRAD = os.path.join(BIN, "mgrad")
PACKAGE = os.path.dirname(mgrad.__file__)


def cmake_project(key):
    text = open(os.path.join(SOURCE, "CMakeLists.txt")).read()
    call = re.search(r"^project\(mgrad\b(.*?)\)", text, re.S | re.M).group(1)
    m = re.search(key + r'\s+(?:"([^"]*)"|(\S+))', call)
    return m.group(1) if m.group(1) is not None else m.group(2)


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def test_it_is_the_venvs_package():
    assert sys.prefix != sys.base_prefix, "not run in a virtual environment"
    assert PACKAGE.startswith(sys.prefix + os.sep)
    others = [p for p in sys.path if os.path.isfile(os.path.join(p, "mgrad", "__init__.py"))
              and os.path.realpath(p) != os.path.realpath(os.path.dirname(PACKAGE))]
    assert not others, "another mgrad (a build tree's?) is on the path"


def test_metadata_has_one_source():
    meta = importlib.metadata.metadata("mgrad")
    assert meta["Version"] == cmake_project("VERSION") == mgrad.__version__
    assert meta["Summary"] == cmake_project("DESCRIPTION")
    assert f"Homepage, {cmake_project('HOMEPAGE_URL')}" in meta.get_all("Project-URL")
    assert meta["License"] == "MIT"
    assert meta["Requires-Python"]
    assert set(meta.get_all("Provides-Extra")) == {"notebook", "test"}
    assert not [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
    # The long description is the README, and it says what drawing needs from the system.
    assert "libgvc6" in meta.get_payload() and "%load_ext mgrad" in meta.get_payload()
    entry = importlib.metadata.entry_points(group="console_scripts")["mgrad"]
    assert entry.value == "mgrad.__main__:main"


def test_wheel_files_and_record():
    with zipfile.ZipFile(WHEEL) as z:
        names = set(z.namelist())
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/RECORD"))
        for wanted in ("mgrad/__init__.py", "mgrad/__main__.py", "mgrad/_executable.py",
                       "mgrad/py.typed", "mgrad/mgrad", "mgrad/libmgrad-graphviz.so",
                       "mgrad/libmgrad-plplot.so", "mgrad/libmgrad-view.so",
                       "mgrad_kernel/__main__.py", f"{dist_info}/LICENSE"):
            assert wanted in names
        assert any(re.fullmatch(r"mgrad/_core\.cpython-\d+.*\.so", n) for n in names)
        assert z.getinfo("mgrad/mgrad").external_attr >> 16 & 0o111
        record = z.read(f"{dist_info}/RECORD").decode().splitlines()
        assert len(record) == len(names)
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            if path.endswith("/RECORD"):
                continue
            data = z.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode() and int(size) == len(data), path


def test_binaries_name_no_build_directory():
    # Relocatable: no RPATH into the build tree, no path of it compiled in.
    for name in os.listdir(PACKAGE):
        path = os.path.join(PACKAGE, name)
        if not os.path.isfile(path) or open(path, "rb").read(4) != b"\x7fELF":
            continue
        dynamic = run(["readelf", "-d", path], check=True).stdout
        assert "RPATH" not in dynamic and "RUNPATH" not in dynamic, name
        data = open(path, "rb").read()
        assert b"build-via-sdist" not in data and b"/build/wheel-" not in data, name


def test_the_command_and_python_m_mgrad(tmp_path):
    version = run([MGRAD, "--version"], check=True).stdout
    assert version.startswith(f"mgrad {mgrad.__version__}\n")
    assert run([sys.executable, "-m", "mgrad", "--version"], check=True).stdout == version
    assert run([MGRAD, "-c", "a = 2; b = a*3; :backward b; a.grad"]).stdout == "3\n"
    script = tmp_path / "script.mg"
    script.write_text("x = 3\ny = x**2\n:backward y\nx.grad\nz = nope\n")
    done = run([sys.executable, "-m", "mgrad", str(script)])
    assert done.stdout == "6\n"
    assert "undefined name 'nope'" in done.stderr and done.returncode == 1


def test_a_closed_pipe_ends_the_command_quietly():
    # Python ignores SIGPIPE; the executable it starts must not inherit that.
    out = run(["bash", "-c", f'"{MGRAD}" -c "$(printf "1;%.0s" $(seq 60000))" | head -c 1 '
               '>/dev/null; echo "${PIPESTATUS[0]}"'])
    assert out.stdout.strip() == "141", out  # killed by SIGPIPE, as any program in a pipe
    assert out.stderr == ""


def test_drawing_plotting_and_the_view_load_their_modules_from_the_package(tmp_path):
    x = mgrad.Value(3.0, label="x")
    y = (x * x).tanh()
    y.backward()
    assert "data 3.0000" in mgrad.draw_dot(y).source
    assert mgrad.draw_dot(y, format="png").data[:4] == b"\x89PNG"
    out = run([MGRAD, "-c", f":plot x**2 x=-1..1 {tmp_path}/p.png"], check=True)
    assert open(tmp_path / "p.png", "rb").read(4) == b"\x89PNG", out
    # :draw, from the command and from a Session (a file, and a picture in memory).
    out = run([MGRAD, "-c", f"a = 2; b = a*a; :draw b {tmp_path}/d.png"], check=True)
    assert open(tmp_path / "d.png", "rb").read(4) == b"\x89PNG", out
    session = mgrad.Session(pictures=True)
    drawn = session.run(f"a = 2\nb = tanh(a*a)\n:draw b {tmp_path}/s.svg\n:draw b")
    assert drawn.ok, drawn
    assert b"<svg" in open(tmp_path / "s.svg", "rb").read()
    pictures = [e for e in drawn.events if isinstance(e, mgrad.Picture)]
    assert len(pictures) == 1 and pictures[0].format == "svg" and b"tanh" in pictures[0].data
    script = tmp_path / "v.mg"
    script.write_text("a = 2\n")
    view = subprocess.Popen([MGRAD, "--view", str(script)], stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    try:
        address = view.stderr.readline().split()[-1]
        assert address.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(address, timeout=30) as page:
            assert page.status == 200 and b"<html" in page.read().lower()
    finally:
        view.terminate()
        view.wait(30)


def test_without_graphviz_drawing_says_what_to_install(tmp_path):
    # The package without its Graphviz module behaves as it does where Graphviz's libraries are
    # missing: the first picture fails at once, naming the package to install; DOT needs nothing.
    copy = tmp_path / "mgrad"
    shutil.copytree(PACKAGE, copy)
    os.remove(copy / "libmgrad-graphviz.so")
    code = ("import mgrad\n"
            "x = mgrad.Value(2.0, label='x'); y = x * x\n"
            "assert 'digraph' in mgrad.draw_dot(y, format='dot').source\n"
            "try:\n    mgrad.draw_dot(y)\nexcept mgrad.Error as e:\n    print(e)\n")
    out = run([sys.executable, "-c", code], check=True, cwd=tmp_path,
              env=dict(os.environ, PYTHONPATH=str(tmp_path)))
    assert "needs Graphviz's libraries" in out.stdout
    assert "apt install libgvc6" in out.stdout and "brew install graphviz" in out.stdout


@pytest.mark.parametrize("module", ["mgrad_kernel", "IPython"])
def test_notebook_parts_import(module):
    __import__(module)
