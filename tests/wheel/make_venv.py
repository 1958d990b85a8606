#!/usr/bin/env python3
"""make_venv.py PYTHON VENV WHEEL_DIR: a fresh virtual environment of PYTHON with the wheel in
WHEEL_DIR installed as a user installs it (pip, no index, no build tree on the path).

Nothing can be downloaded here, so what the tests import (pytest, NumPy, PyTorch, IPython,
ipykernel, nbclient …) comes from the Python this script runs on (Debian's): a .pth file in
the venv appends the directories those packages are in to the venv's path, after its own
site-packages, so the venv's mgrad is the one imported.
"""

import glob
import importlib.util
import os
import shutil
import subprocess
import sys

# What tests/python, tests/kernel and tests/wheel import besides mgrad and the standard library.
TEST_PACKAGES = ["pytest", "numpy", "torch", "jedi", "IPython", "ipykernel", "jupyter_client",
                 "jupyter_core", "nbclient", "nbformat", "zmq"]


def package_dirs():
    dirs = []
    for name in TEST_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue  # the tests that need it skip or fail on their own
        directory = os.path.dirname(os.path.dirname(spec.origin))
        if directory not in dirs:
            dirs.append(directory)
    return dirs


def main():
    python, venv, wheel_dir = sys.argv[1:4]
    wheels = glob.glob(os.path.join(wheel_dir, "mgrad-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one mgrad wheel in {wheel_dir}, found {wheels}")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", venv], check=True)
    vpython = os.path.join(venv, "bin", "python")
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    subprocess.run([vpython, "-m", "pip", "install", "--no-index", "--no-deps", "-q", wheels[0]],
                   check=True, env=env)
    site = subprocess.run([vpython, "-c", "import sysconfig; print(sysconfig.get_path('platlib'))"],
                          check=True, capture_output=True, text=True, env=env).stdout.strip()
    with open(os.path.join(site, "mgrad-tests-system-packages.pth"), "w") as f:
        f.write("".join(d + "\n" for d in package_dirs()))
    version = subprocess.run([vpython, "-c", "import sys; print(sys.version.split()[0])"],
                             check=True, capture_output=True, text=True, env=env).stdout.strip()
    print(f"{venv}: Python {version} ({python}), {os.path.basename(wheels[0])}")


if __name__ == "__main__":
    main()
