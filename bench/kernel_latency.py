#!/usr/bin/python3
"""How long the Jupyter kernel makes a user wait: the kernel's start (from launch until it
answers kernel_info, as a notebook waits for it after opening or restarting) and the round trip
of two small cells (`L`, a result; `:draw L`, an SVG), through jupyter_client.

    bench/kernel_latency.py BUILD_DIR [STARTS] [CELLS]     (defaults 5 starts, 20 cells each)

The kernelspec is installed by BUILD_DIR's mgrad into a scratch prefix. Prints medians.
"""

import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    os.environ["MGRAD"] = os.path.join(os.path.abspath(sys.argv[1]), "src", "cli", "mgrad")
    starts_wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    cells_wanted = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    sys.path.insert(0, os.path.join(ROOT, "tests", "kernel"))
    from kernel_env import KernelEnv
    from jupyter_client.manager import start_new_kernel

    env = KernelEnv()
    starts, results, draws = [], [], []
    quiet = {"output_hook": lambda msg: None, "timeout": 30}
    try:
        for _ in range(starts_wanted):
            t = time.monotonic()
            km, kc = start_new_kernel(kernel_name="mgrad", startup_timeout=60)
            starts.append(time.monotonic() - t)
            kc.execute_interactive("a = 2; b = -3; c = 10; f = -2\nL = (a*b + c) * f\n"
                                   ":backward L", **quiet)
            for _ in range(cells_wanted):
                t = time.monotonic()
                kc.execute_interactive("L", **quiet)
                results.append(time.monotonic() - t)
                t = time.monotonic()
                kc.execute_interactive(":draw L", **quiet)
                draws.append(time.monotonic() - t)
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    finally:
        env.close()
    print(f"kernel start   median {statistics.median(starts):.2f} s "
          f"(min {min(starts):.2f}, max {max(starts):.2f}; {len(starts)} starts)")
    print(f"cell 'L'       median {1000 * statistics.median(results):.1f} ms ({len(results)} cells)")
    print(f"cell ':draw L' median {1000 * statistics.median(draws):.1f} ms ({len(draws)} cells)")


if __name__ == "__main__":
    main()
