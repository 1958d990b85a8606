"""install_check.py SITE STAGED: SITE (e.g. /usr/local/lib/python3.11/dist-packages) is on this
Python's default path, and the package installed under STAGED (the same directory inside a
DESTDIR) is complete and works."""
import os
import subprocess
import sys

site, staged = sys.argv[1], sys.argv[2]
if site not in sys.path:
    sys.exit(f"{site} is not on {sys.executable}'s path: {sys.path}")
files = sorted(os.listdir(os.path.join(staged, "mgrad")))
for wanted in ("__init__.py", "__init__.pyi", "__main__.py", "_executable.py", "_core.pyi",
               "nn.py", "nn.pyi", "engine.py", "notebook.py", "ipython.py", "completion.py",
               "py.typed", "session.py", "draw.py", "errors.py"):
    if wanted not in files:
        sys.exit(f"{wanted} is not installed: {files}")
if not any(f.startswith("_core.") and f.endswith(".so") for f in files):
    sys.exit(f"the extension module is not installed: {files}")
sys.path.insert(0, staged)
import mgrad  # noqa: E402

if not mgrad.__file__.startswith(staged):
    sys.exit(f"imported {mgrad.__file__}, not the installed copy")
x = mgrad.Value(3.0, label="x")
y = (x * x).tanh()
y.backward()
assert "data 3.0000" in mgrad.draw_dot(y).source
assert mgrad.Session().run("a = 2; a * 3").results[0].data == 6.0
# `python -m mgrad` runs the executable installed in <prefix>/bin, found from the package.
ran = subprocess.run([sys.executable, "-m", "mgrad", "-c", "a = 2; a * 3"], capture_output=True,
                     text=True, env=dict(os.environ, PYTHONPATH=staged))
if ran.stdout != "a * 3 = 6  (grad 0)\n":
    sys.exit(f"python -m mgrad printed {ran.stdout!r} {ran.stderr!r}")
print(f"mgrad {mgrad.__version__} installed in {site}: ok")
