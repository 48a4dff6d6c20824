"""The app's executor: results and errors as usual, and a shutdown that does not wait long."""

import threading
import time

import pytest

from ct_tui.ui.thread_executor import DaemonThreadExecutor


def test_result_and_error_reach_future() -> None:
    executor = DaemonThreadExecutor()
    assert executor.submit(lambda x: x * 2, 21).result(timeout=5) == 42
    failing = executor.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failing.result(timeout=5)
    executor.shutdown()


def test_tasks_run_in_daemon_threads() -> None:
    executor = DaemonThreadExecutor()
    daemon = executor.submit(lambda: threading.current_thread().daemon).result(timeout=5)
    assert daemon is True
    executor.shutdown()


def test_shutdown_leaves_stuck_task_behind() -> None:
    release = threading.Event()
    executor = DaemonThreadExecutor(grace=0.2)
    future = executor.submit(release.wait, 30)
    started = time.monotonic()
    executor.shutdown(wait=True)
    assert time.monotonic() - started < 1
    assert not future.done()
    release.set()
    assert future.result(timeout=5) is True


def test_shutdown_waits_for_quick_task() -> None:
    executor = DaemonThreadExecutor(grace=2)
    future = executor.submit(time.sleep, 0.2)
    executor.shutdown(wait=True)
    assert future.done()


def test_submit_after_shutdown_raises() -> None:
    executor = DaemonThreadExecutor()
    executor.shutdown()
    with pytest.raises(RuntimeError):
        executor.submit(print)
