"""The stat-based file watcher: what counts as a change, pausing, and its thread."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ct_tui.domain.watch import FileWatcher


def test_check_reports_rewritten_file(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("a: 1\n")
    watcher = FileWatcher(lambda paths: None)
    watcher.watch([params])

    assert watcher.check() == []
    params.write_text("a: 22\n")
    assert watcher.check() == [params]
    assert watcher.check() == []


def test_check_reports_same_size_rewrite(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("a: 1\n")
    watcher = FileWatcher(lambda paths: None)
    watcher.watch([params])
    stat = params.stat()

    params.write_text("a: 2\n")
    os.utime(params, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    assert watcher.check() == [params]


def test_check_reports_created_and_deleted(tmp_path: Path) -> None:
    out = tmp_path / "model.pkl"
    watcher = FileWatcher(lambda paths: None)
    watcher.watch([out])

    out.write_bytes(b"model")
    assert watcher.check() == [out]
    out.unlink()
    assert watcher.check() == [out]


def test_watch_keeps_known_versions(tmp_path: Path) -> None:
    first = tmp_path / "dvc.yaml"
    second = tmp_path / "dvc.lock"
    first.write_text("stages: {}\n")
    second.write_text("schema: '2.0'\n")
    watcher = FileWatcher(lambda paths: None)
    watcher.watch([first])

    first.write_text("stages:\n  a: {}\n")
    watcher.watch([first, second])

    assert watcher.check() == [first]


def test_resync_forgets_changes(tmp_path: Path) -> None:
    lock = tmp_path / "dvc.lock"
    lock.write_text("one\n")
    watcher = FileWatcher(lambda paths: None)
    watcher.watch([lock])

    lock.write_text("two, longer\n")
    watcher.resync()

    assert watcher.check() == []


def test_thread_calls_back_and_pauses(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("a: 1\n")
    changed = threading.Event()
    reported: list[list[Path]] = []

    def on_change(paths: list[Path]) -> None:
        reported.append(paths)
        changed.set()

    watcher = FileWatcher(on_change, interval=0.05)
    watcher.watch([params])
    watcher.start()
    try:
        params.write_text("a: 333\n")
        assert changed.wait(2.0)
        assert reported == [[params]]

        watcher.pause()
        changed.clear()
        params.write_text("a: 4444\n")
        assert not changed.wait(0.3)
    finally:
        watcher.stop()
