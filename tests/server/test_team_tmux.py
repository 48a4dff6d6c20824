"""End to end: the installed ct-tui in tmux against the team server and a hung one."""

from __future__ import annotations

import shlex
import shutil
import time
from pathlib import Path

import pytest

from tests.e2e.test_pipeline_tmux import CT_TUI, Tmux
from tests.faulty_servers import FaultyServer
from tests.server.conftest import ServerProject
from tests.server.mlflow_server import ADMIN_PASSWORD, ADMIN_USERNAME

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def ct_tui_command(root: Path, environ: dict[str, str]) -> str:
    assignments = " ".join(f"{name}={shlex.quote(value)}" for name, value in environ.items())
    return f"env {assignments} {CT_TUI} --repo {shlex.quote(str(root))}"


def wait_gone(tmux: Tmux, seconds: float) -> float:
    started = time.monotonic()
    while tmux.alive() and time.monotonic() - started < seconds:
        time.sleep(0.05)
    return time.monotonic() - started


def test_registry_over_server_masks_password(server_trained_project: ServerProject) -> None:
    server = server_trained_project.server
    uri = server.uri.replace("http://", f"http://{ADMIN_USERNAME}:{ADMIN_PASSWORD}@")
    tmux = Tmux(ct_tui_command(server_trained_project.root, {"MLFLOW_TRACKING_URI": uri}))
    try:
        tmux.wait_for("Pipeline", timeout=30)
        tmux.press("4")
        screen = tmux.wait_for(f"Versions of {server_trained_project.model_name}", timeout=30)
        assert ADMIN_PASSWORD not in screen
        tmux.press("q")
        assert wait_gone(tmux, 10) < 10, "ct-tui did not quit on q"
    finally:
        tmux.kill()

    log = (server_trained_project.root / ".ct-tui" / "ct-tui.log").read_text()
    assert f"{ADMIN_USERNAME}:***@127.0.0.1" in log
    assert ADMIN_PASSWORD not in log


def test_quit_at_once_while_server_hangs(ct_project: Path, silent_server: FaultyServer) -> None:
    tmux = Tmux(ct_tui_command(ct_project, {"MLFLOW_TRACKING_URI": silent_server.uri}))
    try:
        tmux.wait_for("Pipeline", timeout=30)
        tmux.press("4")
        deadline = time.monotonic() + 10
        while silent_server.accepted == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert silent_server.accepted >= 1, "the Registry screen made no request"
        tmux.press("q")
        # A call to this server would block for 10 s (5 s timeout, 2 attempts).
        assert wait_gone(tmux, 10) < 3
        assert not tmux.alive()
    finally:
        tmux.kill()
