"""A team server that is not started, or stops mid-session and restarts.

The screens keep the last data, marked stale with the time it was fetched and
the reason; a retry after the server is back recovers without restarting
ct-tui. Uses the compose file's server without basic-auth, seeded directly
through the MLflow client, because these tests stop and start it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ct_tui.ui.widgets.store_status import StoreStatus
from ct_tui.ui.widgets.versions_table import VersionsTable
from tests.app.registry_pilot import make_app, open_registry, text_of, wait_for, wait_for_screen
from tests.runs_app import make_app as runs_app
from tests.runs_app import open_runs, settle, status_text
from tests.server.mlflow_server import MlflowServer

EXPERIMENT = "ct-project"
MODEL = "ct-model"
"""The experiment and model named in the CT project's [tool.ct-tui] settings."""


@pytest.fixture(scope="module")
def seeded_server(restartable_server: MlflowServer) -> MlflowServer:
    """The restartable server with two runs and versions 1 and 2 of MODEL, champion on 1."""
    from mlflow.tracking import MlflowClient

    restartable_server.start()
    client = MlflowClient(restartable_server.uri)
    experiment_id = client.create_experiment(EXPERIMENT)
    client.create_registered_model(MODEL)
    for accuracy in (0.90, 0.95):
        run = client.create_run(experiment_id)
        client.log_metric(run.info.run_id, "accuracy", accuracy)
        client.log_param(run.info.run_id, "train.C_hyperparameter", str(accuracy))
        client.set_terminated(run.info.run_id)
        client.create_model_version(MODEL, f"{run.info.artifact_uri}/model", run_id=run.info.run_id)
    client.set_registered_model_alias(MODEL, "champion", "1")
    return restartable_server


@pytest.fixture
def server(seeded_server: MlflowServer, use_server, short_http_timeouts) -> Iterator[MlflowServer]:
    """The seeded server, running at the start and the end of the test; ct-tui's timeouts set."""
    seeded_server.start()
    use_server(seeded_server.client_environ())
    yield seeded_server
    seeded_server.start()


def store_status(app) -> StoreStatus:
    return app.screen.query_one(StoreStatus)


async def test_registry_stale_then_recovers(server: MlflowServer, ct_project: Path) -> None:
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        assert table.row_count == 2

        server.stop()
        await pilot.press("f5")
        await wait_for(pilot, lambda: store_status(app).stale, "the stale mark")
        line = str(store_status(app).describe())
        assert line.startswith("Stale data from ")
        assert f"cannot connect to the tracking server at {server.uri}" in line
        assert line.endswith("r retry")
        assert table.row_count == 2
        assert str(table.get_row("1")[1]) == "champion"

        # Still responsive: other screens open and come back.
        await pilot.press("2")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ParamsScreen", "the Params screen")
        await pilot.press("4")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "RegistryScreen", "the Registry screen")

        server.start()
        await pilot.press("f5")
        await wait_for(pilot, lambda: not store_status(app).stale, "fresh data")
        assert store_status(app).display is False
        assert table.row_count == 2


async def test_registry_before_server_starts(server: MlflowServer, ct_project: Path) -> None:
    server.stop()
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await wait_for(pilot, lambda: store_status(app).error is not None, "the load failure")
        line = str(store_status(app).describe())
        assert line.startswith("Not loaded: cannot connect to the tracking server")
        assert store_status(app).has_class("-failed")

        server.start()
        await pilot.press("f5")
        table = app.screen.query_one(VersionsTable)
        await wait_for(pilot, lambda: table.row_count == 2, "the versions after the retry")
        assert store_status(app).error is None


async def test_runs_stale_then_recovers(server: MlflowServer, ct_project: Path) -> None:
    app = runs_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_runs(pilot)
        assert len(table.rows) == 2

        server.stop()
        await pilot.press("f5")
        # The Runs screen hands the failure to the app's error dialog as well.
        dialog = await wait_for_screen(pilot, "ErrorDialog")
        assert f"cannot connect to the tracking server at {server.uri}" in text_of(dialog.query_one(".dialog-body"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "RunsScreen", "the Runs screen")
        assert "stale" in status_text(pilot)
        assert f"cannot connect to the tracking server at {server.uri}" in status_text(pilot)
        assert len(table.rows) == 2

        server.start()
        await pilot.press("f5")
        await wait_for(pilot, lambda: "stale" not in status_text(pilot), "fresh runs")
        await settle(pilot)
        assert len(table.rows) == 2
        assert status_text(pilot).startswith("2 runs")
