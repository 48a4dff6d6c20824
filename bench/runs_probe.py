"""Drive ct-tui headless on one project and print what the Runs screen cost, as JSON.

Run by bench/runs_bench.py in a fresh interpreter per measurement:
`python bench/runs_probe.py ROOT [--scroll] [--idle SECONDS]`.
The order of the Runs screen comes from CT_TUI_RUNS_ORDER_BY.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from ct_tui.domain.project import open_project  # noqa: E402
from ct_tui.settings import load_settings  # noqa: E402
from ct_tui.ui.app import CtTuiApp  # noqa: E402
from ct_tui.ui.widgets.runs_table import RunsTable  # noqa: E402

TICK_S = 0.005
"""Sleep of the stall probe: a wake-up later than this means the event loop was blocked."""


def peak_rss_mib() -> float:
    """Return this process's peak resident memory (VmHWM).

    Not `ru_maxrss`: Linux keeps that across exec, so a child started by a
    large parent would report the parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--scroll", action="store_true", help="scroll to the last run, loading every page")
    parser.add_argument("--idle", type=float, default=0.0, help="seconds to sit idle afterwards, measuring CPU")
    args = parser.parse_args()

    project = open_project(args.root)
    app = CtTuiApp(project, load_settings(project.root))
    result: dict[str, object] = {}

    async def watch_stalls(stalls: list[float]) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(TICK_S)
            stalls.append(time.perf_counter() - before - TICK_S)

    # The first page is on screen when the table renders a line of a run;
    # Pilot's press() returns later, once the app is idle.
    drawn: dict[str, float] = {}
    render_line = RunsTable.render_line

    def timed_render_line(table: RunsTable, y: int):
        if table.rows and "at" not in drawn:
            drawn["at"] = time.perf_counter()
            drawn["mlflow"] = "mlflow" in sys.modules
        return render_line(table, y)

    RunsTable.render_line = timed_render_line

    async def drive(pilot) -> None:
        await pilot.pause()
        result["mlflow_imported_at_first_frame"] = "mlflow" in sys.modules
        started = time.perf_counter()
        await pilot.press("3")
        table = app.screen.query_one(RunsTable)
        while "at" not in drawn:
            await asyncio.sleep(0.002)
        result["first_page_s"] = drawn["at"] - started
        result["first_row"] = table.rows[0].key
        result["mlflow_imported_at_first_page"] = drawn["mlflow"]

        if args.scroll:
            stalls: list[float] = []
            probe = asyncio.create_task(watch_stalls(stalls))
            started = time.perf_counter()
            while table.has_more or any(worker.is_running for worker in app.workers):
                await pilot.press("end")
                await asyncio.sleep(0.01)
            result["scroll_all_s"] = time.perf_counter() - started
            probe.cancel()
            result["rows_loaded"] = len(table.rows)
            result["max_stall_ms"] = max(stalls) * 1000 if stalls else 0.0

        if args.idle:
            await pilot.pause(0.5)
            before = resource.getrusage(resource.RUSAGE_SELF)
            wall = time.perf_counter()
            await asyncio.sleep(args.idle)
            after = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            result["idle_cpu_percent"] = 100 * cpu / (time.perf_counter() - wall)

        result["peak_rss_mib"] = peak_rss_mib()
        app.exit()

    app.run(headless=True, size=(80, 24), auto_pilot=drive)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
