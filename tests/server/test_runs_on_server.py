"""The Runs screen against the team server: list, sort, lineage, compare, as with SQLite."""

from __future__ import annotations

import pytest
from mlflow.tracking import MlflowClient
from textual.widgets import DataTable, Static

from ct_tui.ui.screens.run_compare import RunCompareScreen
from ct_tui.ui.screens.run_detail import RunDetailScreen
from tests.app.test_runs_screen import choose_sort
from tests.runs_app import column_cells, make_app, open_runs, plain, settle, status_text
from tests.server.conftest import SECOND_C, ServerProject


@pytest.fixture
def server_runs(server_trained_project: ServerProject, use_server) -> ServerProject:
    """The trained project with this process pointed at its server as the admin."""
    use_server(server_trained_project.environ())
    return server_trained_project


def runs_by_accuracy(project: ServerProject) -> list[str]:
    client = MlflowClient(project.server.uri)
    experiment = client.get_experiment_by_name(project.experiment)
    runs = client.search_runs([experiment.experiment_id], order_by=["metrics.`accuracy` DESC"])
    return [run.info.run_id for run in runs]


async def test_runs_listed_and_sorted(server_runs: ServerProject) -> None:
    expected = runs_by_accuracy(server_runs)
    app = make_app(server_runs.root)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_runs(pilot)
        assert len(table.rows) == 2
        assert status_text(pilot).startswith("2 runs")
        # The settings' model shows as a bare version; copies of it by other tests with their name.
        models = [cell.split(", ") for cell in column_cells(table, "Models")]
        assert sorted(version for cell in models for version in cell if version in ("v1", "v2")) == ["v1", "v2"]

        await choose_sort(pilot, "accuracy ↓ highest first")
        assert [row.key for row in table.rows] == expected
        assert "sorted by accuracy ↓" in status_text(pilot)


async def test_lineage_of_server_run(server_runs: ServerProject) -> None:
    app = make_app(server_runs.root)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_runs(pilot)
        table.cursor_row = 0
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunDetailScreen)
        await pilot.press("l")
        lineage = plain(app.screen.query_one("#detail-lineage", Static))
        assert "in this repository" in lineage
        assert "clean at training time" in lineage
        assert "same as the current dvc.lock" in lineage
        assert f"Models   {server_runs.model_name} v" in lineage


async def test_compare_shows_changed_param(server_runs: ServerProject) -> None:
    app = make_app(server_runs.root)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_runs(pilot)
        await pilot.press("space", "space", "C")
        await settle(pilot)
        assert isinstance(app.screen, RunCompareScreen)
        table = app.screen.query_one(DataTable)
        await pilot.press("d")
        keys = [row.value for row in table.rows]
        params = [key for key in keys if key.startswith("param:")]
        assert params == ["param:train.C_hyperparameter"]
        row = table.get_row_at(keys.index("param:train.C_hyperparameter"))
        assert sorted(str(cell) for cell in row[1:]) == sorted(["1.0", SECOND_C])
