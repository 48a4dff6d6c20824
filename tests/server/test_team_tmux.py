"""End to end: the installed ct-tui in tmux against the team server, password in the URI."""

from __future__ import annotations

import shlex
import shutil
import time
from pathlib import Path

import pytest

from tests.e2e.test_pipeline_tmux import CT_TUI, Tmux
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
