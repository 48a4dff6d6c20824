"""Run every speed and memory measurement of ct-tui in one go.

Runs the Pipeline benchmark (start-up, log streaming, key latency, idle CPU)
and the Runs benchmark (20,000-run stores: first sorted page, scrolling,
memory, idle CPU), each printing its own table of figures beside the
references measured in the same run. Figures and the machine are recorded in
docs/benchmarks.md.

    .venv/bin/python bench/run_all.py            # full: about 10 to 15 minutes
    .venv/bin/python bench/run_all.py --quick    # shorter windows, fewer samples
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def run(title: str, args: list[str]) -> int:
    """Run one benchmark script with this Python and return its exit code."""
    print(f"\n=== {title}: {' '.join(args)}", flush=True)
    started = time.monotonic()
    code = subprocess.run([sys.executable, *args], cwd=BENCH_DIR.parent).returncode
    print(f"=== {title} finished in {time.monotonic() - started:.0f} s, exit code {code}", flush=True)
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples and short idle windows")
    parser.add_argument("--server", action="store_true", help="also measure the runs index of an mlflow server")
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    pipeline_args = [str(BENCH_DIR / "pipeline_bench.py")]
    runs_args = [str(BENCH_DIR / "runs_bench.py")]
    if args.quick:
        pipeline_args.append("--quick")
        runs_args += ["--runs", "20000", "--repeat", "1", "--idle", "10"]
    if args.server:
        runs_args.append("--server")

    codes = [run("Pipeline", pipeline_args), run("Runs", runs_args)]
    return max(codes)


if __name__ == "__main__":
    raise SystemExit(main())
