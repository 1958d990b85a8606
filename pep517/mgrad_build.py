"""mgrad's PEP 517 build backend: a wheel is what `cmake --install` puts in a prefix.

The C++ build is CMake's (CMakeLists.txt); this backend configures it for the running Python
with MGRAD_PYTHON_WHEEL=ON, builds the extension module and the executable, installs the CMake
components `python` (the packages mgrad and mgrad_kernel) and `cli` (the executable and the
modules it loads) into a staging directory, and zips that with the metadata of pyproject.toml's
[project] table. The version is CMakeLists.txt's `project(mgrad VERSION …)`.

It uses the standard library only (and tomli before Python 3.11), so it builds offline with
`--no-isolation`; docs/python.md, "The wheel", says why it is not scikit-build-core. Config
settings (`-C` for `python -m build`, `--config-settings` for pip), named as scikit-build-core
names them:

    build-dir=DIR          the CMake build directory (default: build/wheel-<python tag>)
    cmake.define.NAME=VAL  -DNAME=VAL for the configure step
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import zipfile
from typing import Dict, List, Optional, Tuple

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = os.path.abspath(os.getcwd())  # PEP 517: hooks run in the source tree's root
BACKEND = "mgrad_build"

# --- metadata --------------------------------------------------------------------------------


def _project() -> dict:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["project"]


def cmake_project() -> Dict[str, str]:
    """VERSION, DESCRIPTION and HOMEPAGE_URL of CMakeLists.txt's project() call."""
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        text = f.read()
    call = re.search(r"^project\(mgrad\b(.*?)\)", text, re.S | re.M)
    if call is None:
        raise RuntimeError("CMakeLists.txt has no project(mgrad …) call")
    found = {}
    for key in ("VERSION", "DESCRIPTION", "HOMEPAGE_URL"):
        m = re.search(key + r'\s+("([^"]*)"|(\S+))', call.group(1))
        if m:
            found[key] = m.group(2) if m.group(2) is not None else m.group(3)
    if "VERSION" not in found:
        raise RuntimeError("CMakeLists.txt's project(mgrad …) has no VERSION")
    return found


def version() -> str:
    return cmake_project()["VERSION"]


def _with_extra(requirement: str, extra: str) -> str:
    if ";" in requirement:
        spec, marker = requirement.split(";", 1)
        return f'{spec.strip()}; ({marker.strip()}) and extra == "{extra}"'
    return f'{requirement}; extra == "{extra}"'


def metadata() -> str:
    """The core metadata (METADATA, PKG-INFO), version 2.1, from pyproject.toml's [project]."""
    project = _project()
    known = {"name", "dynamic", "description", "readme", "license", "authors", "requires-python",
             "keywords", "classifiers", "dependencies", "optional-dependencies", "urls",
             "scripts"}
    unknown = set(project) - known
    if unknown:  # a field this backend would silently drop
        raise RuntimeError(f"pyproject.toml: {BACKEND} does not know [project] {sorted(unknown)}")
    if project.get("dynamic") != ["version"]:
        raise RuntimeError("pyproject.toml: only the version is dynamic (from CMakeLists.txt)")
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {version()}"]
    if "description" in project:
        lines.append(f"Summary: {project['description']}")
    for author in project.get("authors", []):
        if "email" in author:
            lines.append(f"Author-email: {author.get('name', '')} <{author['email']}>".strip())
        else:
            lines.append(f"Author: {author['name']}")
    if "license" in project:
        lines.append(f"License: {project['license']['text']}")
    if project.get("keywords"):
        lines.append("Keywords: " + ",".join(project["keywords"]))
    lines += [f"Classifier: {c}" for c in project.get("classifiers", [])]
    for label, url in project.get("urls", {}).items():
        lines.append(f"Project-URL: {label}, {url}")
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    lines += [f"Requires-Dist: {r}" for r in project.get("dependencies", [])]
    for extra, requirements in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f"Requires-Dist: {_with_extra(r, extra)}" for r in requirements]
    body = ""
    if "readme" in project:
        readme = project["readme"]
        if not isinstance(readme, str) or not readme.endswith(".md"):
            raise RuntimeError("pyproject.toml: readme is a Markdown file's name")
        lines.append("Description-Content-Type: text/markdown")
        with open(os.path.join(ROOT, readme), encoding="utf-8") as f:
            body = f.read()
    return "\n".join(lines) + "\n\n" + body


def entry_points() -> str:
    scripts = _project().get("scripts", {})
    if not scripts:
        return ""
    return "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items())


def wheel_tag() -> str:
    """interpreter-abi-platform for the running CPython: cp311-cp311-linux_x86_64."""
    if sys.implementation.name != "cpython":
        raise RuntimeError("mgrad's extension module is written for CPython")
    python = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    platform = re.sub(r"[-.]", "_", sysconfig.get_platform())
    return f"{python}-{python}{sys.abiflags}-{platform}"


def _dist_info_name() -> str:
    return f"{_project()['name']}-{version()}.dist-info"


def _write_dist_info(directory: str) -> str:
    """The .dist-info files every wheel of this version has (not WHEEL and RECORD)."""
    dist_info = os.path.join(directory, _dist_info_name())
    os.makedirs(dist_info, exist_ok=True)
    files = {"METADATA": metadata(), "entry_points.txt": entry_points(),
             "top_level.txt": "mgrad\nmgrad_kernel\n"}
    for name, text in files.items():
        if text:
            with open(os.path.join(dist_info, name), "w", encoding="utf-8") as f:
                f.write(text)
    shutil.copyfile(os.path.join(ROOT, "LICENSE"), os.path.join(dist_info, "LICENSE"))
    return dist_info


# --- the CMake build -------------------------------------------------------------------------


def _settings(config_settings: Optional[dict]) -> Tuple[str, List[str]]:
    config = config_settings or {}
    build_dir = config.get("build-dir") or os.path.join(
        "build", "wheel-" + wheel_tag().split("-")[0])
    defines = [f"-D{k[len('cmake.define.'):]}={v}" for k, v in config.items()
               if k.startswith("cmake.define.")]
    return os.path.join(ROOT, build_dir), defines


def _run(command: List[str]) -> None:
    print("+ " + " ".join(command), file=sys.stderr, flush=True)
    subprocess.run(command, check=True, stdout=sys.stderr)  # pip shows stderr on failure


def cmake_build(build_dir: str, defines: List[str], stage: str) -> None:
    """Configures, builds and installs the wheel's components into `stage`."""
    cache = os.path.join(build_dir, "CMakeCache.txt")
    if os.path.exists(cache):
        # Another interpreter's build (another venv of the same version): configure afresh, or
        # FindPython keeps the other one's headers and paths.
        with open(cache, encoding="utf-8", errors="replace") as f:
            cached = re.search(r"^Python3_EXECUTABLE:\w+=(.*)$", f.read(), re.M)
        if cached is None or cached.group(1) != sys.executable:
            os.remove(cache)
    cmake = os.environ.get("CMAKE", "cmake")
    _run([cmake, "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
          "-DMGRAD_PYTHON_WHEEL=ON", "-DMGRAD_PYTHON=ON", "-DMGRAD_BUILD_CLI=ON",
          "-DMGRAD_BUILD_TESTS=OFF", "-DMGRAD_BUILD_BENCH=OFF", "-DMGRAD_SHARED=OFF",
          "-DMGRAD_INSTALL=ON", f"-DPython3_EXECUTABLE={sys.executable}", *defines])
    jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
    _run([cmake, "--build", build_dir, "--target", "mgrad-python", "mgrad-cli",
          "--parallel", jobs])
    for component in ("python", "cli"):
        _run([cmake, "--install", build_dir, "--prefix", stage, "--component", component,
              "--strip"])
    for wanted in ("mgrad/__init__.py", "mgrad/mgrad", "mgrad_kernel/__main__.py"):
        if not os.path.exists(os.path.join(stage, wanted)):
            raise RuntimeError(f"the CMake install did not make {wanted}")


# --- archives --------------------------------------------------------------------------------


def _timestamp() -> int:
    """SOURCE_DATE_EPOCH if set (reproducible archives), else now."""
    return int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def _zip(wheel_path: str, root: str, dist_info: str) -> None:
    date = time.gmtime(max(_timestamp(), 315532800))[:6]  # zip has no dates before 1980
    files = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(directory, name)
            files.append((os.path.relpath(full, root).replace(os.sep, "/"), full))
    # RECORD last, the .dist-info after the packages (as the wheel spec recommends).
    record_name = f"{os.path.basename(dist_info)}/RECORD"
    files.sort(key=lambda f: (f[0].startswith(os.path.basename(dist_info) + "/"), f[0]))
    record = []
    with zipfile.ZipFile(wheel_path, "w", zipfile.ZIP_DEFLATED) as z:
        for arcname, full in files:
            with open(full, "rb") as f:
                data = f.read()
            info = zipfile.ZipInfo(arcname, date)
            info.external_attr = (os.stat(full).st_mode & 0o777 | 0o100000) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
            record.append(_record_line(arcname, data))
        record.append(f"{record_name},,")
        info = zipfile.ZipInfo(record_name, date)
        info.external_attr = 0o100644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, "\n".join(record) + "\n")


def _source_files() -> List[str]:
    """The files of the source tree: git's (tracked, and new ones not ignored) in a checkout,
    else every file but builds (an unpacked sdist)."""
    if os.path.exists(os.path.join(ROOT, ".git")):
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                                 "--exclude-standard"], cwd=ROOT, check=True,
                                capture_output=True).stdout.decode().split("\0")
        return sorted({f for f in listed if f and os.path.isfile(os.path.join(ROOT, f))})
    out = []
    for directory, dirnames, filenames in os.walk(ROOT):
        rel = os.path.relpath(directory, ROOT)
        if rel == ".":
            dirnames[:] = [d for d in dirnames if d not in ("build", "dist", ".git")
                           and not d.startswith("build-")]
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        out += [os.path.normpath(os.path.join(rel, f)) for f in filenames if f != "PKG-INFO"]
    return sorted(out)


# --- PEP 517 hooks ---------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return os.path.basename(_write_dist_info(metadata_directory))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    build_dir, defines = _settings(config_settings)
    tag = wheel_tag()
    with tempfile.TemporaryDirectory(prefix="mgrad-wheel-") as stage:
        cmake_build(build_dir, defines, stage)
        dist_info = _write_dist_info(stage)
        with open(os.path.join(dist_info, "WHEEL"), "w", encoding="utf-8") as f:
            f.write(f"Wheel-Version: 1.0\nGenerator: {BACKEND} {version()}\n"
                    f"Root-Is-Purelib: false\nTag: {tag}\n")
        name = f"{_project()['name']}-{version()}-{tag}.whl"
        os.makedirs(wheel_directory, exist_ok=True)
        _zip(os.path.join(wheel_directory, name), stage, dist_info)
    return name


def build_sdist(sdist_directory, config_settings=None):
    base = f"{_project()['name']}-{version()}"
    name = f"{base}.tar.gz"
    mtime = _timestamp()
    os.makedirs(sdist_directory, exist_ok=True)

    def add(tar: tarfile.TarFile, arcname: str, data: bytes, mode: int) -> None:
        info = tarfile.TarInfo(f"{base}/{arcname}")
        info.size, info.mtime, info.mode = len(data), mtime, mode
        info.uname = info.gname = ""
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(os.path.join(sdist_directory, name), "w:gz",
                      format=tarfile.PAX_FORMAT) as tar:
        for rel in _source_files():
            full = os.path.join(ROOT, rel)
            with open(full, "rb") as f:
                data = f.read()
            add(tar, rel, data, 0o755 if os.access(full, os.X_OK) else 0o644)
        add(tar, "PKG-INFO", metadata().encode("utf-8"), 0o644)
    return name
