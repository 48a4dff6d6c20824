"""Benchmark the Pipeline screen as a user sees it: the installed ct-tui in tmux.

Prints, each as the median of several runs beside a reference measured in
the same run:

- first frame: launch of `ct-tui` until its screen shows in tmux, beside a
  shell that prints one word (what tmux itself costs);
- status on screen: launch until the stage summary shows, beside the wall
  time of `dvc status` on the same project;
- log drain: lines per second that reach the screen from a stage printing
  200,000 short lines, beside that stage printing to /dev/null;
- whole repro: `r` until the result shows, beside `dvc repro` with its
  output sent to /dev/null (both rerun the same always-changed stage);
- key latency: `2` then `1` pressed during the flood until the screen has
  switched, read from tmux every few milliseconds, beside the same with
  the app idle and with a bare Textual app of two screens;
- peak memory: the peak RSS (VmHWM) of the ct-tui process after a flood;
- idle CPU: CPU time of ct-tui and its children over a quiet window.

Run it from the repository root with the virtual environment's Python:

    .venv/bin/python bench/pipeline_bench.py            # 2 to 5 minutes
    .venv/bin/python bench/pipeline_bench.py --quick    # about 1 minute

It builds its projects in a temporary folder and never touches the
checkout. It starts its own tmux server on a socket of its own.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent
CT_TUI = BIN_DIR / "ct-tui"
PROJECT_FILES = ["pipeline", "params.yaml", "dvc.yaml", "pyproject.toml", ".gitignore"]
FLOOD_LINES = 200_000
POLL_SECONDS = 0.005

FLOOD_YAML = """\
stages:
  flood:
    cmd: python flood.py
    deps:
      - flood.py
    always_changed: true
"""
FLOOD_SCRIPT = f"for n in range({FLOOD_LINES}):\n    print(f'line {{n}}')\n"

BARE_APP = """\
from textual.app import App
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class First(Screen):
    def compose(self):
        yield Header()
        yield Static("Stages Log")
        yield Footer()


class Second(Screen):
    def compose(self):
        yield Header()
        yield Static("Other")
        yield Footer()


class Bare(App):
    MODES = {"first": First, "second": Second}
    DEFAULT_MODE = "first"
    BINDINGS = [("1", "switch_mode('first')", "First"), ("2", "switch_mode('second')", "Second")]


Bare().run()
"""
"""A Textual app with two trivial screens: what a screen switch costs Textual and tmux alone."""


def environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MLFLOW_", "CT_TUI_"))}
    env["PATH"] = str(BIN_DIR) + os.pathsep + env.get("PATH", "")
    env["DVC_NO_ANALYTICS"] = "1"
    return env


def run(args: list[str], cwd: Path, **options) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=environment(), check=True, capture_output=True, text=True, **options)


def make_git_project(root: Path) -> None:
    run(["git", "init", "-q", "-b", "main"], root)
    run(["git", "add", "-A"], root)
    run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "bench"], root)


def make_ct_project(root: Path) -> Path:
    """Copy the CT project to `root`, commit it and reproduce it once, so its stages are up to date."""
    root.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / name)
    (root / ".dvc").mkdir()
    for name in ("config", ".gitignore"):
        shutil.copy2(REPO_ROOT / ".dvc" / name, root / ".dvc" / name)
    make_git_project(root)
    run([sys.executable, "-m", "dvc", "repro"], root)
    return root


def make_flood_project(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "dvc.yaml").write_text(FLOOD_YAML)
    (root / "flood.py").write_text(FLOOD_SCRIPT)
    (root / ".gitignore").write_text("/.ct-tui/\n")
    make_git_project(root)
    run([sys.executable, "-m", "dvc", "init", "-q"], root)
    run(["git", "add", "-A"], root)
    run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "dvc"], root)
    return root


class Terminal:
    """One tmux server of our own with an 80x24 window running `command`."""

    def __init__(self, command: str, cwd: Path) -> None:
        self.socket = f"ct-tui-bench-{uuid.uuid4().hex[:8]}"
        self.started = time.perf_counter()
        subprocess.run(
            ["tmux", "-L", self.socket, "new-session", "-d", "-s", "bench", "-x", "80", "-y", "24", "-c", str(cwd), command],
            env=environment(),
            check=True,
        )

    def screen(self) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "capture-pane", "-p", "-t", "bench"], capture_output=True, text=True
        )
        return result.stdout

    def wait_for(self, predicate, timeout: float) -> float:
        """Poll the screen until `predicate(screen)` holds; return the time it first held."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            screen = self.screen()
            now = time.perf_counter()
            if predicate(screen):
                return now
            time.sleep(POLL_SECONDS)
        raise TimeoutError(f"the screen did not change as expected within {timeout} s:\n{self.screen()}")

    def press(self, key: str) -> float:
        now = time.perf_counter()
        subprocess.run(["tmux", "-L", self.socket, "send-keys", "-t", "bench", key], check=True)
        return now

    def pane_pid(self) -> int:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "display-message", "-p", "-t", "bench", "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(result.stdout.strip())

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        # kill-server leaves the socket file behind in tmux's folder.
        socket_dir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (socket_dir / self.socket).unlink(missing_ok=True)


def ct_tui_command(root: Path) -> str:
    return f"exec {CT_TUI} --repo {root}"


def on_pipeline(screen: str) -> bool:
    return "Stages" in screen and "Log" in screen


def status_shown(screen: str) -> bool:
    """Return whether the status line shows the stages' summary, such as `3 stages, all up to date`."""
    return " stages, " in screen or " stage, " in screen


def measure_shell_start(runs: int, cwd: Path) -> list[float]:
    times = []
    for _ in range(runs):
        terminal = Terminal("echo READY-TO-GO; exec sleep 60", cwd)
        try:
            times.append(terminal.wait_for(lambda screen: "READY-TO-GO" in screen, 10) - terminal.started)
        finally:
            terminal.close()
    return times


def measure_startup(root: Path, runs: int) -> tuple[list[float], list[float]]:
    first_frames, statuses = [], []
    for _ in range(runs):
        terminal = Terminal(ct_tui_command(root), root)
        try:
            first_frames.append(terminal.wait_for(on_pipeline, 20) - terminal.started)
            statuses.append(terminal.wait_for(status_shown, 30) - terminal.started)
        finally:
            terminal.close()
        time.sleep(0.5)
    return first_frames, statuses


def measure_dvc_status(root: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run([sys.executable, "-m", "dvc", "status"], root)
        times.append(time.perf_counter() - started)
    return times


def measure_plain_repro(root: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "dvc", "repro"],
            cwd=root,
            env={**environment(), "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        times.append(time.perf_counter() - started)
    return times


def measure_producer(root: Path, runs: int) -> list[float]:
    """Return lines per second of the flood script alone, printing to /dev/null."""
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "flood.py"], cwd=root, stdout=subprocess.DEVNULL, check=True)
        rates.append(FLOOD_LINES / (time.perf_counter() - started))
    return rates


@dataclass
class FloodRun:
    repro_seconds: float
    drain_rate: float
    peak_rss_mib: float


def measure_flood(root: Path, runs: int) -> list[FloodRun]:
    results = []
    last_line = f"line {FLOOD_LINES - 1}"
    for _ in range(runs):
        terminal = Terminal(ct_tui_command(root), root)
        try:
            terminal.wait_for(status_shown, 30)
            pressed = terminal.press("r")
            stage_started = terminal.wait_for(lambda screen: "stage 'flood'" in screen, 30)
            last_shown = terminal.wait_for(lambda screen: last_line in screen, 120)
            finished = terminal.wait_for(lambda screen: "repro finished" in screen or "repro failed" in screen, 60)
            screen = terminal.screen()
            if "repro failed" in screen:
                raise RuntimeError(f"the flood repro failed:\n{screen}")
            results.append(
                FloodRun(
                    repro_seconds=finished - pressed,
                    drain_rate=FLOOD_LINES / (last_shown - stage_started),
                    peak_rss_mib=peak_rss_mib(terminal.pane_pid()),
                )
            )
        finally:
            terminal.close()
        time.sleep(0.5)
    return results


def measure_key_latency(root: Path, runs: int, *, flood: bool, command: str | None = None) -> list[float]:
    """Press `2` and `1` in turn, during a flood or with the app idle; return each switch's latency.

    `command` replaces ct-tui with another app that switches screens on the same keys.
    """
    latencies = []
    for _ in range(runs):
        terminal = Terminal(command or ct_tui_command(root), root)
        try:
            terminal.wait_for(status_shown if command is None else on_pipeline, 30)
            if flood:
                terminal.press("r")
                terminal.wait_for(lambda screen: "stage 'flood'" in screen, 30)
            for _ in range(4):
                pressed = terminal.press("2")
                latencies.append(terminal.wait_for(lambda screen: not on_pipeline(screen), 10) - pressed)
                pressed = terminal.press("1")
                latencies.append(terminal.wait_for(on_pipeline, 10) - pressed)
            if flood:
                terminal.wait_for(lambda screen: "repro finished" in screen or "repro failed" in screen, 120)
        finally:
            terminal.close()
        time.sleep(0.5)
    return latencies


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM in /proc/{pid}/status")


def cpu_seconds(pid: int) -> float:
    """Return CPU seconds used by `pid` and its live children, from psutil when installed, else /proc."""
    try:
        import psutil
    except ImportError:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        return ticks / os.sysconf("SC_CLK_TCK")
    process = psutil.Process(pid)
    total = sum(process.cpu_times()[:4])
    for child in process.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.NoSuchProcess:
            continue
    return total


def measure_idle(root: Path, seconds: float, windows: int) -> list[float]:
    """Return the CPU use of an idle ct-tui, in percent of one core, for each window."""
    terminal = Terminal(ct_tui_command(root), root)
    try:
        terminal.wait_for(status_shown, 30)
        time.sleep(2.0)
        pid = terminal.pane_pid()
        shares = []
        for _ in range(windows):
            used, started = cpu_seconds(pid), time.perf_counter()
            time.sleep(seconds / windows)
            shares.append(100 * (cpu_seconds(pid) - used) / (time.perf_counter() - started))
        return shares
    finally:
        terminal.close()


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="samples per measurement (default 5)")
    parser.add_argument("--idle-seconds", type=float, default=60.0, help="length of the idle window in seconds")
    parser.add_argument("--quick", action="store_true", help="3 samples and a 10 s idle window")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    idle_seconds = 10.0 if args.quick else args.idle_seconds

    if shutil.which("tmux") is None:
        print("tmux is not installed; install it (apt-get install tmux) and run again", file=sys.stderr)
        return 2
    if not CT_TUI.exists():
        print(f"{CT_TUI} is missing; install ct-tui with `pip install -e .` first", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="ct-tui-bench-"))
    try:
        print(f"building projects in {workdir} …", flush=True)
        ct_root = make_ct_project(workdir / "ct-project")
        flood_root = make_flood_project(workdir / "flood")

        print("measuring start-up …", flush=True)
        shell = measure_shell_start(runs, ct_root)
        dvc_status = measure_dvc_status(ct_root, runs)
        first_frames, statuses = measure_startup(ct_root, runs)

        print("measuring the flood …", flush=True)
        producer = measure_producer(flood_root, runs)
        plain = measure_plain_repro(flood_root, runs)
        floods = measure_flood(flood_root, runs)
        latencies = measure_key_latency(flood_root, max(1, runs // 2), flood=True)
        idle_latencies = measure_key_latency(flood_root, max(1, runs // 2), flood=False)
        bare_app = workdir / "bare_app.py"
        bare_app.write_text(BARE_APP)
        bare_latencies = measure_key_latency(
            workdir, max(1, runs // 2), flood=False, command=f"exec {sys.executable} {bare_app}"
        )

        print(f"measuring idle CPU over {idle_seconds:.0f} s …", flush=True)
        idle = measure_idle(ct_root, idle_seconds, windows=6)
    finally:
        if args.keep:
            print(f"projects kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    repro = median([flood.repro_seconds for flood in floods])
    rows = [
        ("first frame (tmux)", f"{median(first_frames):.2f} s", f"shell echo {median(shell):.2f} s", "", "< 0.5 s"),
        (
            "stage status on screen",
            f"{median(statuses):.2f} s",
            f"dvc status {median(dvc_status):.2f} s",
            f"{median(statuses) - median(dvc_status):+.2f} s",
            "<= dvc status + 0.3 s",
        ),
        (
            f"log drain, {FLOOD_LINES:,} lines",
            f"{median([flood.drain_rate for flood in floods]):,.0f} lines/s",
            f"stage alone {median(producer):,.0f} lines/s",
            "",
            ">= 100,000 lines/s",
        ),
        ("whole repro of the flood", f"{repro:.2f} s", f"dvc repro >/dev/null {median(plain):.2f} s", f"{repro / median(plain):.2f}x", "<= 1.5x"),
        (
            "key latency in the flood",
            f"{median(latencies) * 1000:.0f} ms (max {max(latencies) * 1000:.0f})",
            f"idle {median(idle_latencies) * 1000:.0f} ms, bare Textual {median(bare_latencies) * 1000:.0f} ms",
            "",
            "< 100 ms",
        ),
        ("peak RSS after the flood", f"{max(flood.peak_rss_mib for flood in floods):.0f} MiB", "", "", "< 300 MiB"),
        ("idle CPU", f"{median(idle):.2f} %", f"max window {max(idle):.2f} %", f"{idle_seconds:.0f} s", "< 2 % of a core"),
    ]
    print()
    print(f"ct-tui pipeline benchmark: median of {runs} runs, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    header = ("measure", "ct-tui", "reference", "ratio", "target")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
