"""Credentials in the tracking URI or the environment never reach the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from ct_tui.domain.errors import TrackingError
from ct_tui.domain.project import open_project
from ct_tui.settings import load_settings
from ct_tui.ui.app import CtTuiApp
from ct_tui.ui.screens.dialogs import ErrorDialog

URI_PASSWORD = "uri-secret-pw"
ENV_PASSWORD = "env-secret-pw"


@pytest.fixture
def app(ct_project: Path, monkeypatch: pytest.MonkeyPatch) -> CtTuiApp:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://alice:{URI_PASSWORD}@127.0.0.1:9")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", ENV_PASSWORD)
    project = open_project(ct_project)
    return CtTuiApp(project, load_settings(project.root))


def screen_text(app: CtTuiApp) -> str:
    texts = [str(widget.render()) for widget in app.screen.query(Static)]
    return "\n".join([app.title, app.sub_title, *texts])


async def test_header_masks_uri(app: CtTuiApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "alice:***@127.0.0.1:9" in app.sub_title
        assert URI_PASSWORD not in screen_text(app)


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError(f"request to http://alice:{URI_PASSWORD}@127.0.0.1:9 failed, auth {ENV_PASSWORD}"),
        TrackingError(f"store at http://alice:{URI_PASSWORD}@127.0.0.1:9 failed"),
    ],
    ids=["unexpected", "tracking"],
)
async def test_error_dialog_masks_secrets(app: CtTuiApp, error: Exception) -> None:
    def fail() -> None:
        raise error

    async with app.run_test(size=(80, 24)) as pilot:
        app.run_worker(fail, thread=True, exit_on_error=False)
        await pilot.pause(0.3)
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        text = screen_text(app)
        assert "alice:***@" in text
        assert URI_PASSWORD not in text
        assert ENV_PASSWORD not in text
