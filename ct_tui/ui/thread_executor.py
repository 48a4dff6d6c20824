"""An executor for the app's thread workers that never holds up quitting.

Textual 8 runs a thread worker with `loop.run_in_executor(None, ...)`, that is
on the event loop's default ThreadPoolExecutor. `asyncio.run` waits for that
pool to finish before `App.run` returns, and the interpreter joins its threads
again at exit. So a worker blocked in an HTTP call to a hung tracking server
keeps ct-tui on screen after `q` until the call times out. The executor here
runs each task in a daemon thread of its own and, at shutdown, waits only a
short grace period for tasks still running.

A thread per task also means hung calls never use up a fixed pool and starve
other workers, such as the pipeline status.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 0.5
"""How long shutdown waits, in total, for tasks still running before it returns."""


class DaemonThreadExecutor(ThreadPoolExecutor):
    """Run every task in a new daemon thread; let shutdown leave stuck tasks behind.

    It subclasses ThreadPoolExecutor only because `loop.set_default_executor`
    requires one; none of the pool's threads or queues are used.
    """

    def __init__(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        super().__init__(max_workers=1, thread_name_prefix="ct-tui-worker")
        self._grace = grace
        self._running: set[threading.Thread] = set()
        self._running_lock = threading.Lock()
        self._count = 0
        self._closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if self._closed:
            raise RuntimeError("cannot submit a task after the executor was shut down")
        future: Future = Future()

        def run() -> None:
            try:
                if not future.set_running_or_notify_cancel():
                    return
                try:
                    result = fn(*args, **kwargs)
                except BaseException as error:  # the caller awaits it through the future
                    future.set_exception(error)
                else:
                    future.set_result(result)
            finally:
                with self._running_lock:
                    self._running.discard(threading.current_thread())

        with self._running_lock:
            self._count += 1
            thread = threading.Thread(target=run, name=f"ct-tui-worker-{self._count}", daemon=True)
            self._running.add(thread)
        thread.start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking tasks; wait up to the grace period for running ones, never longer."""
        self._closed = True
        if not wait:
            return
        deadline = time.monotonic() + self._grace
        with self._running_lock:
            threads = list(self._running)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        stuck = [thread.name for thread in threads if thread.is_alive()]
        if stuck:
            log.info("left %d worker thread(s) running at shutdown: %s", len(stuck), ", ".join(stuck))
