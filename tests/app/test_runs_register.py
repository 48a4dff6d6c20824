"""`g` on the Runs screen registers the model a run logged."""

from __future__ import annotations

import asyncio
from pathlib import Path

from mlflow.tracking import MlflowClient

from ct_tui.ui.screens.dialogs import ConfirmDialog
from tests.runs_app import make_app, open_runs, settle


def _versions(store_uri: str) -> list[tuple[str, str]]:
    client = MlflowClient(tracking_uri=store_uri, registry_uri=store_uri)
    return [(v.version, v.run_id) for v in client.search_model_versions("name='ct-model'")]


async def test_register_unregistered_run_model(trained_project: Path) -> None:
    store_uri = f"sqlite:///{trained_project / 'mlflow.db'}"
    [(version, run_id)] = _versions(store_uri)
    MlflowClient(tracking_uri=store_uri, registry_uri=store_uri).delete_model_version("ct-model", version)
    assert _versions(store_uri) == []

    app = make_app(trained_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_runs(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        for _ in range(100):
            if _versions(store_uri):
                break
            await asyncio.sleep(0.1)
        await settle(pilot)

    registered = _versions(store_uri)
    assert len(registered) == 1
    assert registered[0][1] == run_id
