"""Pilot tests of the Registry screen on a real SQLite store with three versions."""

from __future__ import annotations

import socket
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from ct_tui.domain.audit import read_history
from ct_tui.domain.project import open_project
from ct_tui.domain.registry import read_aliases
from ct_tui.domain.tracking_client import make_client
from ct_tui.ui.widgets.store_status import StoreStatus
from tests.app.registry_pilot import make_app, open_registry, select_version, text_of, wait_for, wait_for_screen
from tests.conftest import git
from tests.registry_store import MODEL


def alias_of(root: Path, alias: str = "champion") -> int | None:
    return read_aliases(open_project(root), MODEL).get(alias)


async def test_versions_show_metrics_aliases_lineage(registry_project: Path) -> None:
    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)

        assert table.row_count == 3
        assert [str(cell) for cell in table.get_row("1")[:4]] == ["1", "champion", "0.9000", "0.8800"]
        assert str(table.get_row("3")[2]) == "0.8500"
        status = text_of(app.screen.query_one("#registry-status"))
        assert "3 versions" in status
        assert "aliases champion → v1" in status
        await select_version(pilot, table, 2)
        detail = text_of(app.screen.query_one("#version-detail"))
        head = git(registry_project, "rev-parse", "HEAD").strip()
        assert f"commit {head[:8]} Train the first model" in detail
        assert "matches dvc.lock" in detail
        assert "no lineage warnings" in detail


async def test_promote_history_and_rollback(registry_project: Path) -> None:
    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        await select_version(pilot, table, 2)

        await pilot.press("p")
        await wait_for_screen(pilot, "TextInputDialog")
        await pilot.press("enter")
        dialog = await wait_for_screen(pilot, "PromoteDialog")
        assert text_of(dialog.query_one("#promote-title")) == "Promote ct-model v2 to champion (now on v1)"
        assert "The gate passed." in text_of(dialog.query_one("#promote-gate"))
        await pilot.press("y")
        await wait_for(pilot, lambda: str(table.get_row("2")[1]) == "champion", "champion on v2 in the table")
        assert alias_of(registry_project) == 2

        await pilot.press("h")
        history = await wait_for_screen(pilot, "HistoryDialog")
        rows = history.query_one("#history-table")
        assert rows.row_count == 1
        assert [str(cell) for cell in rows.get_row_at(0)[1:4]] == ["promote", "champion", "v1 → v2"]
        await pilot.press("escape")

        await pilot.press("b")
        await wait_for_screen(pilot, "TextInputDialog")
        await pilot.press("enter")
        dialog = await wait_for_screen(pilot, "PromoteDialog")
        assert text_of(dialog.query_one("#promote-title")) == "Roll back ct-model alias champion: v2 → v1"
        await pilot.press("y")
        await wait_for(pilot, lambda: str(table.get_row("1")[1]) == "champion", "champion back on v1")
        assert alias_of(registry_project) == 1


async def test_worse_candidate_needs_typed_override(registry_project: Path) -> None:
    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        await select_version(pilot, table, 3)

        await pilot.press("p")
        await wait_for_screen(pilot, "TextInputDialog")
        await pilot.press("enter")
        dialog = await wait_for_screen(pilot, "PromoteDialog")
        assert "did not pass" in text_of(dialog.query_one("#promote-gate"))
        await pilot.press("y", "enter")
        await pilot.pause(0.3)
        assert app.screen is dialog
        assert alias_of(registry_project) == 1

        await pilot.press("escape")
        await pilot.pause(0.3)
        assert alias_of(registry_project) == 1

        await pilot.press("p")
        await wait_for_screen(pilot, "TextInputDialog")
        await pilot.press("enter")
        await wait_for_screen(pilot, "PromoteDialog")
        await pilot.press(*"override", "enter")
        await wait_for(pilot, lambda: str(table.get_row("3")[1]) == "champion", "champion on v3")
        record = read_history(make_client(open_project(registry_project)), MODEL)[0]
        assert record.overridden is True
        assert record.gate["passed"] is False


async def test_alias_moved_meanwhile_shows_new_holder(registry_project: Path) -> None:
    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        await select_version(pilot, table, 2)
        await pilot.press("p")
        await wait_for_screen(pilot, "TextInputDialog")
        await pilot.press("enter")
        first = await wait_for_screen(pilot, "PromoteDialog")
        assert "(now on v1)" in text_of(first.query_one("#promote-title"))

        make_client(open_project(registry_project)).set_registered_model_alias(MODEL, "champion", "3")
        await pilot.press("y")

        await wait_for(pilot, lambda: app.screen is not first and type(app.screen).__name__ == "PromoteDialog", "the dialog shown again")
        second = app.screen
        assert text_of(second.query_one("#promote-title")) == "Promote ct-model v2 to champion (now on v3)"
        assert "now points at v3, not v1" in text_of(second.query_one("#promote-notice"))
        assert alias_of(registry_project) == 3
        await pilot.press("n")
        await pilot.pause(0.3)
        assert alias_of(registry_project) == 3
        assert read_history(make_client(open_project(registry_project)), MODEL) == []


async def test_dangling_alias_shown_as_dangling(registry_project: Path) -> None:
    make_client(open_project(registry_project)).delete_model_version(MODEL, "3")
    # MLflow 3 deletes a version's aliases with it; a dangling alias, as a
    # registry migrated from an older MLflow can hold, is written directly.
    with sqlite3.connect(registry_project / "mlflow.db") as connection:
        connection.execute("INSERT INTO registered_model_aliases (alias, version, name) VALUES ('staging', 3, ?)", (MODEL,))

    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        assert table.row_count == 2
        status = text_of(app.screen.query_one("#registry-status"))
        assert "dangling staging → v3 (version deleted)" in status
        assert "aliases champion → v1" in status
        assert type(app.screen).__name__ == "RegistryScreen"


async def test_store_failure_keeps_last_data(registry_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "2")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        # A tracking server that stopped: nothing listens on this port any more.
        app.project = replace(app.project, tracking_uri=f"http://127.0.0.1:{closed_port}")
        await pilot.press("r")

        status = app.screen.query_one(StoreStatus)
        await wait_for(pilot, lambda: status.stale, "the stale mark")
        line = str(status.describe())
        assert line.startswith("Stale data from ")
        assert "cannot connect to the tracking server" in line
        assert line.endswith("r retry")
        assert table.row_count == 3
        assert str(table.get_row("1")[1]) == "champion"


async def test_unknown_alias_shows_error_dialog(registry_project: Path) -> None:
    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_registry(pilot)
        await pilot.press("b")
        await wait_for_screen(pilot, "TextInputDialog")
        app.screen.query_one("#text-input").value = ""
        await pilot.press(*"prod", "enter")

        dialog = await wait_for_screen(pilot, "ErrorDialog")
        body = text_of(dialog.query_one(".dialog-body"))
        assert "alias 'prod' not found on model 'ct-model'; its aliases: champion (v1)" in body
        await pilot.press("escape")
        await wait_for_screen(pilot, "RegistryScreen")


async def test_removing_alias_asks_and_records(registry_project: Path) -> None:
    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        await select_version(pilot, table, 1)
        await pilot.press("x")
        alias_input = await wait_for_screen(pilot, "TextInputDialog")
        assert alias_input.query_one("#text-input").value == "champion"
        await pilot.press("enter")
        dialog = await wait_for_screen(pilot, "PromoteDialog")
        assert text_of(dialog.query_one("#promote-title")) == "Remove alias champion of ct-model (now on v1)"
        await pilot.press("y")

        await wait_for(pilot, lambda: str(table.get_row("1")[1]) == "", "champion gone from v1")
        assert alias_of(registry_project) is None
        record = read_history(make_client(open_project(registry_project)), MODEL)[0]
        assert (record.action, record.from_version, record.to_version) == ("remove", 1, None)
