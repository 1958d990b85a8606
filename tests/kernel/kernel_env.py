"""The mgrad kernelspec installed by `mgrad jupyter install --prefix` into a scratch prefix, and
an environment in which Jupyter finds it there (JUPYTER_PATH) and writes nothing outside the
scratch directory. The kernel tests share this.

The mgrad executable is $MGRAD (ctest sets it).
"""

import os
import subprocess
import tempfile

MGRAD = os.environ.get("MGRAD", "mgrad")


class KernelEnv:
    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="mgrad-kernel-")
        self.root = self._dir.name
        self.prefix = os.path.join(self.root, "prefix")
        self.notebook_dir = os.path.join(self.root, "notebook")
        os.makedirs(self.notebook_dir)
        for name, sub in (("JUPYTER_DATA_DIR", "data"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                          ("JUPYTER_CONFIG_DIR", "config"), ("IPYTHONDIR", "ipython")):
            os.environ[name] = os.path.join(self.root, sub)
        os.environ["JUPYTER_PATH"] = os.path.join(self.prefix, "share", "jupyter")
        os.environ["JUPYTER_PLATFORM_DIRS"] = "0"
        self.install_output = subprocess.run(
            [MGRAD, "jupyter", "install", "--prefix", self.prefix], check=True,
            capture_output=True, text=True).stdout

    @property
    def spec_dir(self) -> str:
        return os.path.join(self.prefix, "share", "jupyter", "kernels", "mgrad")

    def close(self) -> None:
        self._dir.cleanup()
