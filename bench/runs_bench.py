"""Benchmark of the Runs screen against MLflow's own client, side by side in one run.

Run from the repository root: `.venv/bin/python bench/runs_bench.py` (add
`--server` to measure the index of a tracking server too; `--runs 20000` for
one store size only). For each store of 3 params and 3 metrics per run it prints:

- ct-tui's time from pressing `3` to the first page on screen, sorted by
  `metrics.accuracy DESC` and newest first, measured through the app with
  Textual's headless driver, each in a fresh interpreter (median of --repeat);
- a bare `MlflowClient.search_runs` of the same page in a fresh interpreter,
  with and without the time to import mlflow;
- scrolling through every run: the longest event-loop stall, the time taken,
  peak memory; then CPU use while idle.

With `--server`, an `mlflow server` on 127.0.0.1 serves the same store, and
the first build of ct-tui's local index is timed against MLflow's own paged
listing of all runs.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.runs_store import build_store  # noqa: E402

PYTHON = sys.executable
PROBE = str(REPO_ROOT / "bench" / "runs_probe.py")
PAGE = 200
"""Rows of the first page, as the Runs screen reads them."""

SORT = "metrics.accuracy DESC"

BARE_SEARCH = """
import json, sys, time
started = time.perf_counter()
from mlflow.tracking import MlflowClient
client = MlflowClient(sys.argv[1])
imported = time.perf_counter()
order_by = [sys.argv[2]] if sys.argv[2] else None
runs = client.search_runs(["1"], order_by=order_by, max_results=int(sys.argv[3]))
done = time.perf_counter()
print(json.dumps({"call_s": done - imported, "total_s": done - started, "first_row": runs[0].info.run_id}))
"""

BARE_LISTING = """
import json, sys, time
from mlflow.entities import ViewType
from mlflow.tracking import MlflowClient
client = MlflowClient(sys.argv[1])
client.search_experiments()
started = time.perf_counter()
count, token = 0, None
while True:
    page = client.search_runs(["1"], "", ViewType.ALL, max_results=1000, page_token=token)
    count += len(page)
    token = page.token
    if not token:
        break
print(json.dumps({"listing_s": time.perf_counter() - started, "runs": count}))
"""

INDEX_BUILD = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from ct_tui.domain.project import Project
from ct_tui.domain.runs_index import IndexedRunsStore
store = IndexedRunsStore(Project(Path(sys.argv[2]), sys.argv[1]))
store._remote.client().search_experiments()
started = time.perf_counter()
store.sync("1")
print(json.dumps({"build_s": time.perf_counter() - started}))
"""


def make_project(folder: Path, runs: int) -> Path:
    """Create a minimal DVC project with `runs` generated runs in its `mlflow.db`."""
    root = folder / f"project-{runs}"
    (root / ".dvc").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.ct-tui]\nexperiment = "ct-project"\n')
    started = time.perf_counter()
    build_store(root / "mlflow.db", runs)
    print(f"built a store of {runs:,} runs in {time.perf_counter() - started:.1f} s", flush=True)
    return root


def run_json(args: list[str], env: dict[str, str] | None = None) -> dict:
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{args[:3]} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def probe(root: Path, order_by: str, *extra: str, tracking_uri: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "CT_TUI_"))}
    env["CT_TUI_RUNS_ORDER_BY"] = order_by
    if tracking_uri:
        env["MLFLOW_TRACKING_URI"] = tracking_uri
    return run_json([PYTHON, PROBE, str(root), *extra], env)


def median_probe(root: Path, order_by: str, repeat: int, tracking_uri: str | None = None) -> tuple[float, dict]:
    results = [probe(root, order_by, tracking_uri=tracking_uri) for _ in range(repeat)]
    return statistics.median(item["first_page_s"] for item in results), results[0]


def bare_search(uri: str, order_by: str, repeat: int) -> tuple[float, float, str]:
    results = [run_json([PYTHON, "-c", BARE_SEARCH, uri, order_by, str(PAGE)]) for _ in range(repeat)]
    return (
        statistics.median(item["call_s"] for item in results),
        statistics.median(item["total_s"] for item in results),
        results[0]["first_row"],
    )


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def start_server(store: Path, folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "mlflow"), "server",
            "--backend-store-uri", f"sqlite:///{store}",
            "--default-artifact-root", str(folder / "artifacts"),
            "--host", "127.0.0.1", "--port", str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "server.log", "w"),
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as response:
                if response.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"mlflow server did not start; see {folder / 'server.log'}")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def row(name: str, ours: str, theirs: str, ratio: str = "") -> None:
    print(f"  {name:<44} {ours:>12} {theirs:>14} {ratio:>8}", flush=True)


def bench_store(folder: Path, runs: int, args: argparse.Namespace) -> None:
    root = make_project(folder, runs)
    uri = f"sqlite:///{root / 'mlflow.db'}"
    print(f"\n{runs:,} runs, embedded SQLite store")
    row("measure", "ct-tui", "MLflow client", "ratio")

    sorted_s, sorted_probe = median_probe(root, SORT, args.repeat)
    call_s, total_s, best = bare_search(uri, SORT, args.bare_repeat)
    assert sorted_probe["first_row"] == best, "ct-tui's first row must be MLflow's best run"
    row("first page sorted by accuracy (s)", f"{sorted_s:.3f}", f"{call_s:.3f}", f"{call_s / sorted_s:.0f}x")
    row("  same, MLflow incl. import in a fresh process (s)", "", f"{total_s:.3f}")
    newest_s, _ = median_probe(root, "", args.repeat)
    call_s, total_s, _ = bare_search(uri, "", args.repeat)
    row("first page newest first (s)", f"{newest_s:.3f}", f"{call_s:.3f}")
    row("  same, MLflow incl. import in a fresh process (s)", "", f"{total_s:.3f}")
    row("mlflow imported before the first page", str(sorted_probe["mlflow_imported_at_first_page"]), "")

    full = probe(root, SORT, "--scroll", "--idle", str(args.idle))
    row(f"scroll through all {full['rows_loaded']:,} runs (s)", f"{full['scroll_all_s']:.2f}", "")
    row("  longest event-loop stall while scrolling (ms)", f"{full['max_stall_ms']:.0f}", "")
    row("peak memory with every run loaded (MiB)", f"{full['peak_rss_mib']:.0f}", "")
    row(f"idle CPU over {args.idle:.0f} s (% of a core)", f"{full['idle_cpu_percent']:.2f}", "")

    if args.server:
        bench_server(folder, root, runs, args)


def bench_server(folder: Path, root: Path, runs: int, args: argparse.Namespace) -> None:
    server, url = start_server(root / "mlflow.db", folder)
    try:
        print(f"\n{runs:,} runs, tracking server {url} (SQLite backend)")
        row("measure", "ct-tui", "MLflow client", "ratio")
        run_json([PYTHON, "-c", BARE_LISTING, url])  # the server's first requests are slower: warm it up
        listings, builds = [], []
        for attempt in range(args.repeat):
            listings.append(run_json([PYTHON, "-c", BARE_LISTING, url])["listing_s"])
            index_root = folder / f"index-{runs}-{attempt}"
            (index_root / ".dvc").mkdir(parents=True)
            builds.append(run_json([PYTHON, "-c", INDEX_BUILD, url, str(index_root), str(REPO_ROOT)])["build_s"])
        listing, build = statistics.median(listings), statistics.median(builds)
        row("index first build vs paged listing of all (s)", f"{build:.2f}", f"{listing:.2f}", f"{listing / build:.2f}x")
        (index_root / "pyproject.toml").write_text('[tool.ct-tui]\nexperiment = "ct-project"\n')
        sorted_s, _ = median_probe(index_root, SORT, args.repeat, tracking_uri=url)
        newest_s, _ = median_probe(index_root, "", args.repeat, tracking_uri=url)
        row("first page sorted by accuracy, index built (s)", f"{sorted_s:.3f}", "")
        row("first page newest first, index built (s)", f"{newest_s:.3f}", "")
        full = probe(index_root, SORT, "--scroll", "--idle", str(args.idle), tracking_uri=url)
        row("  longest event-loop stall while scrolling (ms)", f"{full['max_stall_ms']:.0f}", "")
        row("peak memory with every run loaded (MiB)", f"{full['peak_rss_mib']:.0f}", "")
        row(f"idle CPU over {args.idle:.0f} s (% of a core)", f"{full['idle_cpu_percent']:.2f}", "")
    finally:
        stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, action="append", help="store size; repeatable (default: 5000 and 20000)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh-process repetitions of each app timing")
    parser.add_argument("--bare-repeat", type=int, default=1, help="repetitions of MLflow's sorted search (slow)")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle CPU measurement")
    parser.add_argument("--server", action="store_true", help="also measure the index of an mlflow server")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="ct-tui-runs-bench-") as folder:
        for runs in args.runs or [5_000, 20_000]:
            bench_store(Path(folder), runs, args)


if __name__ == "__main__":
    main()
