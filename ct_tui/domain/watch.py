"""Notice changes to a set of files with a cheap stat check, instead of polling DVC.

One daemon thread stats every watched file once a second (by default) and
calls back when any of them was created, removed or rewritten. Stat of a
few dozen files costs microseconds, so an idle app stays idle, and nothing
runs dvc unless a file changed.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Callable, Iterable

log = logging.getLogger(__name__)

CHECK_INTERVAL = 1.0
"""Seconds between two stat checks: a change outside the app is noticed within this time."""

_Signature = tuple[int, int, int] | None


def signature(path: Path) -> _Signature:
    """Return what identifies a version of a file: modification time, size, inode; None if missing.

    NOTE: for a folder this detects entries added or removed at its top level,
    not a file rewritten deeper inside it.
    """
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


class FileWatcher:
    """Call `on_change(paths)` from a daemon thread when watched files change."""

    def __init__(
        self, on_change: Callable[[list[Path]], None], interval: float = CHECK_INTERVAL, *, name: str = "file-watcher"
    ) -> None:
        self._on_change = on_change
        self._interval = interval
        self._name = name
        self._lock = threading.Lock()
        self._signatures: dict[Path, _Signature] = {}
        self._paused = False
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, paths: Iterable[Path]) -> None:
        """Watch exactly `paths`; a path already watched keeps the version seen before.

        Keeping known versions means a change made while the status was being
        read is still reported at the next check.
        """
        requested = set(paths)
        with self._lock:
            known = self._signatures
            self._signatures = {path: known[path] if path in known else signature(path) for path in requested}

    def resync(self) -> None:
        """Take the current version of every watched file as seen, reporting nothing."""
        with self._lock:
            self._signatures = {path: signature(path) for path in self._signatures}

    def pause(self) -> None:
        """Stop reporting changes (while ct-tui itself runs dvc and rewrites these files)."""
        self._paused = True

    def resume(self) -> None:
        self._paused = False

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def check(self) -> list[Path]:
        """Return the watched files that changed since the last check, and remember their new versions."""
        with self._lock:
            paths = list(self._signatures)
        changed: list[Path] = []
        current = {path: signature(path) for path in paths}
        with self._lock:
            for path, version in current.items():
                if path in self._signatures and self._signatures[path] != version:
                    self._signatures[path] = version
                    changed.append(path)
        return changed

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            if self._paused:
                continue
            changed = self.check()
            if changed:
                log.info("changed outside ct-tui: %s", ", ".join(str(path) for path in changed[:5]))
                self._on_change(changed)
