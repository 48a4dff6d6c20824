"""Screens stay responsive while the tracking server accepts connections and never responds."""

from __future__ import annotations

from pathlib import Path

from ct_tui.ui.widgets.store_status import StoreStatus
from tests.app.registry_pilot import make_app, wait_for
from tests.faulty_servers import FaultyServer


def store_status(app) -> StoreStatus:
    return app.screen.query_one(StoreStatus)


async def test_registry_on_silent_server_stays_responsive(ct_project: Path, silent_server: FaultyServer, monkeypatch, short_http_timeouts) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", silent_server.uri)
    # Shorter than ct-tui's own 5 s and 2 attempts, to keep the test quick.
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "2")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await wait_for(pilot, lambda: silent_server.accepted >= 1, "the registry's request", timeout=5)
        await pilot.press("2")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ParamsScreen", "the Params screen", timeout=1)
        await pilot.press("4")
        await wait_for(
            pilot, lambda: store_status(app).error is not None, "the timeout message", timeout=10
        )
        assert "did not respond within 2 s (1 attempt)" in str(store_status(app).describe())


async def test_runs_on_silent_server_stays_responsive(ct_project: Path, silent_server: FaultyServer, monkeypatch, short_http_timeouts) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", silent_server.uri)
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: silent_server.accepted >= 1, "the Runs screen's request", timeout=5)
        await pilot.press("2")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ParamsScreen", "the Params screen", timeout=1)
        await pilot.press("3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "RunsScreen", "the Runs screen", timeout=1)
