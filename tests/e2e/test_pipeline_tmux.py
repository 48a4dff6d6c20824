"""End to end: the installed ct-tui in a real terminal (tmux) retrains the CT project."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from ct_tui.domain import tags

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

CT_TUI = Path(sys.executable).parent / "ct-tui"


class Tmux:
    """A tmux server of our own (its own socket), with one 80x24 window."""

    def __init__(self, command: str) -> None:
        self.socket = f"ct-tui-e2e-{uuid.uuid4().hex[:8]}"
        self.run("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", command)

    def run(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        if result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not on screen after {timeout} s:\n{screen}")

    def press(self, *keys: str) -> None:
        self.run("send-keys", "-t", "e2e", *keys)

    def alive(self) -> bool:
        result = subprocess.run(["tmux", "-L", self.socket, "has-session", "-t", "e2e"], capture_output=True)
        return result.returncode == 0

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        # kill-server leaves the socket file behind in tmux's folder.
        socket_dir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (socket_dir / self.socket).unlink(missing_ok=True)


def test_ct_tui_retrains_in_tmux(ct_project: Path) -> None:
    assert CT_TUI.exists(), f"{CT_TUI} is missing: install the package with `pip install -e .`"
    tmux = Tmux(f"{CT_TUI} --repo {ct_project}")
    try:
        first = tmux.wait_for("3 stages, 3 never run", timeout=30)
        for stage in ("data", "train", "evaluate"):
            assert stage in first

        tmux.press("r")
        tmux.wait_for("repro running", timeout=15)
        finished = tmux.wait_for("repro finished: exit code 0", timeout=240)
        assert "Traceback" not in finished
        tmux.wait_for("all up to date", timeout=30)

        tmux.press("q")
        deadline = time.monotonic() + 10
        while tmux.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not tmux.alive(), "ct-tui did not quit on q"
    finally:
        tmux.kill()

    lock = YAML(typ="safe").load((ct_project / "dvc.lock").read_text())
    assert set(lock["stages"]) == {"data", "train", "evaluate"}
    with sqlite3.connect(ct_project / "mlflow.db") as connection:
        runs = connection.execute("SELECT run_uuid, status FROM runs").fetchall()
        assert len(runs) == 1
        assert runs[0][1] == "FINISHED"
        run_tags = dict(connection.execute("SELECT key, value FROM tags WHERE run_uuid = ?", (runs[0][0],)))
    assert run_tags[tags.DATA_PATH] == "data/raw/train.csv"
    assert len(run_tags[tags.GIT_COMMIT]) == 40
