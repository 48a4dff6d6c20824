"""Run `dvc repro` (and `dvc push`) as a process group, stream its output, cancel it cleanly.

The command runs in a new session, so it and every child (the training
script included) share one process group that a cancel signals as a whole:
SIGINT first, as ctrl+c in a terminal would, then SIGTERM, then SIGKILL.
The full output is saved under `.ct-tui/logs/`, so the log of a failed run
can be read after the app has closed.
"""

from __future__ import annotations

import logging
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping, TextIO

from ct_tui.domain.dvc_commands import DvcCommand, RunResult
from ct_tui.domain.errors import DvcError
from ct_tui.domain.logstream import LineAssembler, OutputBuffer
from ct_tui.domain.process_group import group_alive, wait_group_gone
from ct_tui.domain.project import Project, secret_masker
from ct_tui.domain.repro_progress import StageProgress
from ct_tui.domain.tracking_client import subprocess_environ

try:
    import fcntl
except ImportError:  # Windows has no fcntl; the pipe keeps its default size there
    fcntl = None

log = logging.getLogger(__name__)

_OPEN_AUTHORITY = re.compile(r"(://)[^/\s@]*$")
"""The host part of a URI that a partial line ends in, which may still turn out to be `user:password@`."""

LOG_MAX_LINES = 10_000
"""Lines the log panel keeps; older ones are only in the log file."""

NOTIFY_INTERVAL = 1 / 30
"""Seconds between two output notifications to the UI: at most about 30 a second."""

READ_SIZE = 256 * 1024
"""Bytes read from the pipe at a time; large reads keep the reader ahead of a flooding stage."""

PIPE_SIZE = 1024 * 1024
"""Bytes of output the pipe buffers (Linux), so a stage keeps writing while the reader waits."""

SHORT_READ = 16 * 1024
"""A read shorter than this means output trickles in; the reader then waits `GATHER_SECONDS`."""

GATHER_SECONDS = 0.005
"""Pause after a short read so that a stage printing one line per write() is read in
large chunks: without it the reader wakes for every line and its Python work per
wake-up, not the data, costs the CPU."""

STOP_WAITS = {signal.SIGINT: 3.0, signal.SIGTERM: 3.0, signal.SIGKILL: 2.0}
"""Seconds to wait for the process group to exit after each signal of a cancel."""


def subprocess_env(project: Project, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the environment of a dvc command and of the stages it runs.

    Stage commands run `python`, which must be the Python ct-tui runs on, so
    its bin folder comes first in PATH. Python stages run unbuffered so their
    lines show as they are printed, and the training stage logs to the same
    MLflow store that ct-tui reads. ct-tui's own short MLflow HTTP timeouts are
    left out, so that training waits as long as MLflow's defaults allow.
    """
    env = subprocess_environ(None if base is None else dict(base))
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env["DVC_NO_ANALYTICS"] = "1"
    env["MLFLOW_TRACKING_URI"] = project.tracking_uri
    return env


class DvcRun:
    """One dvc command running in its own process group, its output read by a plain thread.

    The reader thread calls `on_output` when new output waits in `buffer`,
    at most about 30 times a second. It calls `on_finished` once the command
    has exited and its output is drained.
    """

    def __init__(
        self,
        project: Project,
        command: DvcCommand,
        on_output: Callable[[], None],
        on_finished: Callable[[RunResult], None],
        *,
        max_lines: int = LOG_MAX_LINES,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.project = project
        self.command = command
        self.buffer = OutputBuffer(max_lines)
        """Output not yet taken by the UI."""

        self.progress = StageProgress()
        """What the run did with each stage so far, read from DVC's output."""

        self._on_output = on_output
        self._on_finished = on_finished
        self._env = subprocess_env(project) if env is None else dict(env)
        # Stages print tracking URIs (MLflow prints run links with them), so
        # credentials are masked before output reaches the screen or the log.
        self._mask = secret_masker(self._env)
        self._process: subprocess.Popen[bytes] | None = None
        self._started = 0.0
        self._cancelled = False
        self._done = threading.Event()
        self._start_lock = threading.Lock()
        self._result: RunResult | None = None
        self._log_file: TextIO | None = None
        self.log_path = _new_log_path(project.logs_dir, command.log_suffix)
        """Where the full output is written."""

    @property
    def running(self) -> bool:
        """True from creation until the command has ended, failed to start or was stopped before it started."""
        return not self._done.is_set()

    @property
    def stage(self) -> str | None:
        """The stage DVC announced last, if any yet."""
        return self.progress.last_stage

    @property
    def pid(self) -> int | None:
        """Process id of dvc, which is also the id of its process group."""
        return self._process.pid if self._process is not None else None

    @property
    def result(self) -> RunResult | None:
        return self._result

    def start(self) -> None:
        """Start the command; raise DvcError when it cannot be started."""
        # The lock orders start() against a stop() from another thread, so a
        # run stopped before it started never starts.
        with self._start_lock:
            if self._cancelled:
                self._done.set()
                return
            self._open_log()
            argv = [sys.executable, "-m", "dvc", *self.command.args]
            log.info("starting %s in %s", self.command.title, self.project.root)
            self._started = time.monotonic()
            try:
                self._process = subprocess.Popen(
                    argv,
                    cwd=self.project.root,
                    env=self._env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except OSError as error:
                self._close_log()
                self._done.set()
                raise DvcError(f"cannot start {self.command.title}: {error}") from error
        _enlarge_pipe(self._process.stdout.fileno())
        threading.Thread(target=self._read, name=f"dvc-{self.command.kind}-reader", daemon=True).start()

    def _open_log(self) -> None:
        try:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log_file = self.log_path.open("w", encoding="utf-8", errors="replace")
        except OSError as error:
            self._done.set()
            raise DvcError(f"cannot write the log file {self.log_path}: {error}; check the folder's permissions") from error
        self._write_log([f"$ {self.command.title}"])

    def stop(self) -> None:
        """Cancel: signal the whole process group, escalating; block until it has exited."""
        with self._start_lock:
            self._cancelled = True
            process = self._process
        if process is None or self._done.is_set():
            return
        for signum, wait in STOP_WAITS.items():
            if not group_alive(process.pid):
                break
            log.info("sending %s to the process group %d of %s", signum.name, process.pid, self.command.title)
            try:
                os.killpg(process.pid, signum)
            except ProcessLookupError:
                break
            if wait_group_gone(process.pid, wait):
                break
        else:
            log.error("process group %d of %s survived SIGKILL", process.pid, self.command.title)
        self._done.wait(timeout=10.0)

    def wait(self, timeout: float | None = None) -> RunResult | None:
        """Block until the command has ended and its output is drained; return the result."""
        self._done.wait(timeout)
        return self._result

    def _read(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        tail: list[str] = []
        try:
            tail = self._pump(process.stdout.fileno())
        finally:
            self._finish(process, tail)

    def _finish(self, process: subprocess.Popen[bytes], tail: list[str]) -> None:
        """Record how the command ended, close the log file and hand over the last lines."""
        exit_code = process.wait()
        process.stdout.close()
        cancelled = self._cancelled
        interrupted = self.progress.finish(exit_code=exit_code, cancelled=cancelled)
        self._result = RunResult(
            command=self.command,
            exit_code=exit_code,
            seconds=time.monotonic() - self._started,
            cancelled=cancelled,
            stage=interrupted if cancelled else self.progress.last_stage,
            log_path=self.log_path,
            keyboard_interrupt=self.progress.keyboard_interrupt,
        )
        self._write_log([f"# {line}" for line in self._result.summary_lines()])
        self._close_log()
        self._deliver(tail, "")
        if cancelled:
            log.info("%s, exit code %s", self._result.describe(), exit_code)
        else:
            log.info("%s", self._result.describe())
        self._done.set()
        self._on_finished(self._result)

    def _pump(self, fd: int) -> list[str]:
        """Read until end of file, writing the log and handing lines to the buffer.

        Returns the lines not yet handed over.
        """
        assembler = LineAssembler()
        pending: list[str] = []
        partial = ""
        dirty = False
        last_notify = 0.0
        while True:
            if dirty:
                # Output waits for the UI: read more only until the next notification is due.
                timeout = NOTIFY_INTERVAL - (time.monotonic() - last_notify)
                if timeout > 0 and not select.select([fd], [], [], timeout)[0]:
                    self._deliver(pending, partial)
                    pending, dirty, last_notify = [], False, time.monotonic()
                    continue
            chunk = os.read(fd, READ_SIZE)
            if not chunk:
                break
            if len(chunk) < SHORT_READ:
                time.sleep(GATHER_SECONDS)
            lines = [self._mask(line) for line in assembler.feed(chunk)]
            if lines:
                self._write_log(lines)
                self.progress.feed(lines)
                pending.extend(lines)
            partial = _OPEN_AUTHORITY.sub(r"\1…", self._mask(assembler.partial))
            dirty = True
            if time.monotonic() - last_notify >= NOTIFY_INTERVAL:
                self._deliver(pending, partial)
                pending, dirty, last_notify = [], False, time.monotonic()
        tail = [self._mask(line) for line in assembler.finish()]
        self._write_log(tail)
        self.progress.feed(tail)
        return pending + tail

    def _write_log(self, lines: list[str]) -> None:
        if self._log_file is None or not lines:
            return
        try:
            self._log_file.write("\n".join(lines))
            self._log_file.write("\n")
        except OSError as error:
            # A full disk must not stop the run; the panel still shows the output.
            log.error("cannot write %s, the rest of the output is not saved: %s", self.log_path, error)
            self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            try:
                self._log_file.close()
            except OSError as error:
                log.error("cannot close %s: %s", self.log_path, error)
            self._log_file = None

    def _deliver(self, lines: list[str], partial: str) -> None:
        if self.buffer.put(lines, partial):
            self._on_output()


def _enlarge_pipe(fd: int) -> None:
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if set_size is None:
        return
    try:
        fcntl.fcntl(fd, set_size, PIPE_SIZE)
    except OSError as error:
        # The system's pipe-max-size may be lower; the default pipe still works, only slower.
        log.debug("cannot enlarge the output pipe to %d bytes: %s", PIPE_SIZE, error)


def _new_log_path(logs_dir: Path, suffix: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = logs_dir / f"{stamp}-{suffix}.log"
    counter = 1
    while path.exists():
        counter += 1
        path = logs_dir / f"{stamp}-{counter}-{suffix}.log"
    return path
