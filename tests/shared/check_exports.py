#!/usr/bin/env python3
"""Fails when libmgrad.so exports a symbol outside mgrad's public API.

usage: check_exports.py NM LIBRARY

The library is built with hidden visibility and exports what include/mgrad marks MGRAD_API. So:
  - every symbol the library defines itself (T, D, B, R: functions, data) is in namespace mgrad,
    or is a typeinfo/vtable of an mgrad type;
  - nothing names {fmt}, nlohmann/json, an anonymous namespace, mgrad::detail (but the label
    table and the tape's buffer, which the engine's inline functions use) or a pimpl (Session::Impl);
  - weak template instantiations (W, V, u) may be of the standard library's templates: the
    compiler gives them the visibility of std, which is default, and each user may instantiate
    them again (harmless, and not ours to hide);
  - the API a program needs is there (Value, Graph, Session, the standard commands, Error).
"""
import re
import subprocess
import sys

FORBIDDEN = [
    re.compile(r"\bfmt::"),
    re.compile(r"\bnlohmann::"),
    re.compile(r"\(anonymous namespace\)"),
    re.compile(r"\bmgrad::detail::(?!LabelTable\b|TapeBuffer<)"),
    re.compile(r"\bSession::Impl\b"),
]
OURS = re.compile(r"^(?:(?:typeinfo|typeinfo name|vtable|VTT|construction vtable) for |"
                  r"(?:guard variable|TLS init function|TLS wrapper function) for )?mgrad::")
REQUIRED = [
    "mgrad::Session::Session(",
    "mgrad::Graph::backward(",
    "mgrad::Graph::",
    "mgrad::Session::run(",
    "mgrad::add_standard_commands(",
    "typeinfo for mgrad::Error",
    "mgrad::MLP::MLP(",
]


def main() -> int:
    nm, library = sys.argv[1], sys.argv[2]
    listing = subprocess.run([nm, "-D", "--defined-only", "-C", library], check=True,
                             capture_output=True, text=True).stdout
    bad = []
    names = []
    for line in listing.splitlines():
        parts = line.split(" ", 2)
        if len(parts) != 3:
            continue
        kind, name = parts[1], parts[2]
        names.append(name)
        if any(p.search(name) for p in FORBIDDEN):
            bad.append(f"{kind} {name}  (internal)")
        elif kind in "TDBRtdbr" and not OURS.match(name):
            bad.append(f"{kind} {name}  (not in namespace mgrad)")
    missing = [r for r in REQUIRED if not any(r in n for n in names)]
    for b in bad:
        print("exported:", b)
    for m in missing:
        print("missing:", m)
    print(f"{len(names)} symbols exported, {len(bad)} outside the public API, "
          f"{len(missing)} of the API missing")
    return 1 if bad or missing else 0


if __name__ == "__main__":
    sys.exit(main())
