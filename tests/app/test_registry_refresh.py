"""The Registry screen reads the store again after a repro and when shown with old data.

A real repro takes many seconds, so these tests register the new version
with MlflowClient and rewrite dvc.lock as a repro would, then broadcast
ReproFinished the way the Pipeline screen does when `dvc repro` ends.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ct_tui.domain.project import open_project
from ct_tui.domain.tracking_client import make_client
from ct_tui.ui.messages import ReproFinished
from ct_tui.ui.screens import registry as registry_screen
from tests.app.registry_pilot import make_app, open_registry, select_version, text_of, wait_for, wait_for_screen
from tests.registry_store import DATA_MD5, MODEL, run_ids


def register_new_version(root: Path) -> None:
    """Do what a repro does to the store and dvc.lock: a version 4, and new data."""
    client = make_client(open_project(root))
    run_id = run_ids(root)["unregistered"]
    # A `models:/` source would be looked up through MLflow's global tracking
    # URI, which is not this store, so the version points at the run's artifacts.
    source = client.get_run(run_id).info.artifact_uri + "/model"
    client.create_model_version(MODEL, source=source, run_id=run_id)
    lock = root / "dvc.lock"
    lock.write_text(lock.read_text().replace(DATA_MD5, "0123456789abcdef" * 2))


async def test_reloads_after_repro_while_hidden(registry_project: Path) -> None:
    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        await select_version(pilot, table, 1)
        assert "matches dvc.lock" in text_of(app.screen.query_one("#version-detail"))
        registry = app.screen

        await pilot.press("1")
        await wait_for_screen(pilot, "PipelineScreen")
        register_new_version(registry_project)
        app.broadcast(lambda: ReproFinished(exit_code=0, cancelled=False))
        await pilot.pause(0.2)

        await pilot.press("4")
        assert app.screen is registry
        await wait_for(pilot, lambda: "4" in table.rows, "version 4 in the table")
        await select_version(pilot, table, 1)
        detail = text_of(app.screen.query_one("#version-detail"))
        assert "differs from dvc.lock" in detail
        assert "matches dvc.lock" not in detail
        assert "4 versions" in text_of(app.screen.query_one("#registry-status"))


async def test_reloads_after_repro_while_shown(registry_project: Path) -> None:
    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        register_new_version(registry_project)
        app.broadcast(lambda: ReproFinished(exit_code=0, cancelled=False))

        await wait_for(pilot, lambda: "4" in table.rows, "version 4 in the table")
        models = app.screen.query_one("#models")
        assert "(v4)" in str(models.get_option_at_index(0).prompt)


async def test_old_data_reloads_when_shown(registry_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        await pilot.press("1")
        await wait_for_screen(pilot, "PipelineScreen")
        # Another client registers a version; no ReproFinished reaches ct-tui.
        register_new_version(registry_project)

        await pilot.press("4")
        await pilot.pause(0.5)
        assert "4" not in table.rows, "data younger than RELOAD_AFTER is shown as it is"

        monkeypatch.setattr(registry_screen, "RELOAD_AFTER", timedelta(0))
        await pilot.press("1")
        await wait_for_screen(pilot, "PipelineScreen")
        await pilot.press("4")
        await wait_for(pilot, lambda: "4" in table.rows, "version 4 in the table")


async def test_first_version_appears_after_repro(ct_project: Path) -> None:
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        status = app.screen.query_one("#registry-status")
        await wait_for(pilot, lambda: "No registered models yet" in text_of(status), "the empty-registry message")

        await pilot.press("1")
        await wait_for_screen(pilot, "PipelineScreen")
        client = make_client(open_project(ct_project))
        client.create_registered_model(MODEL)
        client.create_model_version(MODEL, source=(ct_project / "model").as_uri())
        app.broadcast(lambda: ReproFinished(exit_code=0, cancelled=False))
        await pilot.pause(0.2)

        await pilot.press("4")
        table = app.screen.query_one("#versions")
        await wait_for(pilot, lambda: "1" in table.rows, "version 1 in the table")
        assert "1 version" in text_of(status)
