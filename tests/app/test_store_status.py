"""StoreStatus: hidden while fresh, stale with the fetch time after a failure, retry key named."""

from __future__ import annotations

from datetime import datetime

from textual.app import App, ComposeResult

from ct_tui.ui.widgets.store_status import StoreStatus, format_fetch_time

FETCHED = datetime(2024, 5, 1, 14, 2, 31)


class StatusApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StoreStatus(id="status")


async def test_hidden_until_failure() -> None:
    app = StatusApp()
    async with app.run_test(size=(80, 24)) as pilot:
        status = app.query_one(StoreStatus)
        status.show_loading()
        await pilot.pause()
        assert status.display is True
        assert str(status.describe()) == "Loading…"

        status.show_loaded(FETCHED)
        await pilot.pause()
        assert status.display is False
        assert status.stale is False


async def test_stale_after_failure() -> None:
    app = StatusApp()
    async with app.run_test(size=(80, 24)) as pilot:
        status = app.query_one(StoreStatus)
        status.show_loaded(FETCHED)
        status.show_failed(RuntimeError("cannot connect to the tracking server at http://127.0.0.1:5000"))
        await pilot.pause()
        line = str(status.describe())
        assert status.display is True
        assert status.stale is True
        assert status.has_class("-stale")
        assert line.startswith("Stale data from 2024-05-01 14:02: ")
        assert "cannot connect to the tracking server" in line
        assert line.endswith("F5 retry")


async def test_failed_without_data() -> None:
    app = StatusApp()
    async with app.run_test(size=(80, 24)) as pilot:
        status = app.query_one(StoreStatus)
        status.show_loading()
        status.show_failed("the tracking server requires credentials")
        await pilot.pause()
        assert status.stale is False
        assert status.has_class("-failed")
        assert str(status.describe()).startswith("Not loaded: the tracking server requires credentials")


async def test_retry_then_recovery() -> None:
    app = StatusApp()
    async with app.run_test(size=(80, 24)) as pilot:
        status = app.query_one(StoreStatus)
        status.show_loaded(FETCHED)
        status.show_failed("cannot connect")
        status.show_loading()
        await pilot.pause()
        assert str(status.describe()).endswith("retrying…")
        assert status.stale is True

        status.show_loaded()
        await pilot.pause()
        assert status.display is False
        assert status.error is None


async def test_failure_text_masked(monkeypatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "env-secret-pw")
    app = StatusApp()
    async with app.run_test(size=(80, 24)) as pilot:
        status = app.query_one(StoreStatus)
        status.show_failed("http://bob:uri-secret@host failed with env-secret-pw")
        await pilot.pause()
        line = str(status.describe())
        assert "uri-secret" not in line
        assert "env-secret-pw" not in line
        assert "bob:***@host" in line


def test_fetch_time_today_shows_seconds() -> None:
    now = datetime(2024, 5, 1, 18, 0, 0)
    assert format_fetch_time(FETCHED, now) == "14:02:31"
    assert format_fetch_time(FETCHED, datetime(2024, 5, 2, 9, 0)) == "2024-05-01 14:02"
