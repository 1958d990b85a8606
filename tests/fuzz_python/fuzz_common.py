"""What the Python fuzz targets share: hypothesis settings sized by the environment, a watchdog
that fails a hung call.

MGRAD_FUZZ_EXAMPLES sets each property's number of examples (ctest's default keeps each target
under a minute). Each run draws a fresh seed; pytest's --hypothesis-seed=N fixes it, and a
failure prints its example and a @reproduce_failure blob.
"""

from __future__ import annotations

import faulthandler
import os
import sys
from contextlib import contextmanager

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("MGRAD_FUZZ_EXAMPLES", "100"))
SANITIZED = bool(os.environ.get("MGRAD_SANITIZED"))

# No example database (it would be written beside the tests), no deadline (the machine is
# shared; hangs are the watchdog's), and the health checks that object to slow or filtered
# data generation off: the strategies are hostile on purpose.
settings.register_profile(
    "mgrad-fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=False,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)
settings.load_profile("mgrad-fuzz")

# A call that takes longer than this is a hang: the watchdog dumps every thread's stack and
# ends the process (a failure ctest reports), since a native call cannot be interrupted.
HANG_SECONDS = float(os.environ.get("MGRAD_FUZZ_HANG_SECONDS", "60" if SANITIZED else "20"))


@contextmanager
def watchdog(seconds: float = HANG_SECONDS):
    faulthandler.dump_traceback_later(seconds, exit=True, file=sys.stderr)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()

