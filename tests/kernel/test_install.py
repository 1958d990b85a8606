"""`mgrad jupyter install|uninstall`: the kernelspec it writes, where, and that Jupyter lists it."""

import json
import os
import struct
import subprocess
import sys

import pytest

from kernel_env import MGRAD, KernelEnv, launcher_python, native_executable


@pytest.fixture(scope="module")
def env():
    e = KernelEnv()
    yield e
    e.close()


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_kernelspec_files(env):
    spec = json.load(open(os.path.join(env.spec_dir, "kernel.json")))
    assert spec["display_name"] == "mgrad"
    assert spec["language"] == "mgrad"
    assert spec["interrupt_mode"] == "signal"
    # As `deno jupyter --install` does: the executable itself starts the kernel.
    assert spec["argv"] == [native_executable(), "jupyter", "kernel", "-f", "{connection_file}"]
    # Installed from a wheel's `mgrad` command, the kernel runs on that command's Python (the
    # venv's); the executable of `cmake --install` knows its own.
    python = launcher_python()
    assert spec.get("env") == ({"MGRAD_PYTHON_EXECUTABLE": python} if python else None)
    assert png_size(os.path.join(env.spec_dir, "logo-32x32.png")) == (32, 32)
    assert png_size(os.path.join(env.spec_dir, "logo-64x64.png")) == (64, 64)
    assert "<svg" in open(os.path.join(env.spec_dir, "logo-svg.svg")).read()
    assert env.spec_dir in env.install_output


def test_jupyter_lists_it(env):
    # `jupyter kernelspec list`, with the Python the tests run on (Debian's python3-jupyter-core).
    listing = subprocess.run([sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
                             check=True, capture_output=True, text=True).stdout
    specs = json.loads(listing)["kernelspecs"]
    assert specs["mgrad"]["resource_dir"] == env.spec_dir
    assert specs["mgrad"]["spec"]["display_name"] == "mgrad"


def test_user_install_and_uninstall(env, tmp_path):
    data = tmp_path / "data"
    user_env = dict(os.environ, JUPYTER_DATA_DIR=str(data))
    out = subprocess.run([MGRAD, "jupyter", "install", "--user"], env=user_env, check=True,
                         capture_output=True, text=True).stdout
    spec_dir = data / "kernels" / "mgrad"
    assert str(spec_dir) in out
    assert (spec_dir / "kernel.json").exists()
    # Installing again replaces it.
    subprocess.run([MGRAD, "jupyter", "install"], env=user_env, check=True, capture_output=True)
    subprocess.run([MGRAD, "jupyter", "uninstall"], env=user_env, check=True, capture_output=True)
    assert not spec_dir.exists()
    again = subprocess.run([MGRAD, "jupyter", "uninstall"], env=user_env, capture_output=True,
                           text=True)
    assert again.returncode == 1 and "there is no mgrad kernel" in again.stderr


def test_usage_errors(env):
    both = subprocess.run([MGRAD, "jupyter", "install", "--user", "--prefix", "/tmp/x"],
                          capture_output=True, text=True)
    assert both.returncode != 0 and "excludes" in both.stderr
    nothing = subprocess.run([MGRAD, "jupyter"], capture_output=True, text=True)
    assert nothing.returncode != 0
