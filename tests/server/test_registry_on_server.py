"""Promotion and rollback against the team server, as with the embedded SQLite store."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ct_tui.domain.audit import read_history
from ct_tui.domain.project import Project, open_project
from ct_tui.domain.registry import read_aliases, read_model
from ct_tui.domain.tracking_client import make_client
from ct_tui.settings import Settings, load_settings
from tests.app.registry_pilot import make_app, open_registry, select_version, wait_for, wait_for_screen
from tests.server.conftest import ServerProject


@dataclass(frozen=True)
class ServerModel:
    """A registered model of its own on the team server, copied from the trained project's."""

    project: Project
    settings: Settings
    name: str
    better: int
    """The version with the higher accuracy; the champion alias starts on the other one."""

    worse: int


@pytest.fixture
def server_model(server_trained_project: ServerProject, use_server, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerModel]:
    """Versions 1 and 2 of the trained model, copied to a model only this test moves, then deleted."""
    name = f"ct-model-{secrets.token_hex(3)}"
    use_server(server_trained_project.environ())
    monkeypatch.setenv("CT_TUI_MODEL_NAME", name)
    project = open_project(server_trained_project.root)
    client = make_client(project)
    for version in ("1", "2"):
        client.copy_model_version(f"models:/{server_trained_project.model_name}/{version}", name)
    accuracy = {
        int(version.version): client.get_run(version.run_id).data.metrics["accuracy"]
        for version in client.search_model_versions(f"name = '{name}'")
    }
    better = max(accuracy, key=accuracy.get)
    worse = min(accuracy, key=accuracy.get)
    assert accuracy[better] != accuracy[worse], "the two trainings gave equal accuracy"
    client.set_registered_model_alias(name, "champion", str(worse))
    yield ServerModel(project, load_settings(project.root), name, better, worse)
    # Its versions would show on the shared runs' Models column in later tests.
    client.delete_registered_model(name)


def test_versions_read_with_lineage(server_model: ServerModel) -> None:
    detail = read_model(server_model.project, server_model.name, "accuracy")
    assert sorted(info.version for info in detail.versions) == [1, 2]
    assert detail.aliases == {"champion": server_model.worse}
    for info in detail.versions:
        assert info.run_state == "active"
        assert info.lineage.commit_in_repo is True
        assert info.lineage.dirty is False
        assert info.lineage.data_matches_lock is True
        assert info.warnings == []


async def test_screen_promotes_and_rolls_back(server_model: ServerModel) -> None:
    app = make_app(server_model.project.root)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        assert app.settings.model_name == server_model.name
        better, worse = str(server_model.better), str(server_model.worse)
        assert str(table.get_row(worse)[1]) == "champion"

        await select_version(pilot, table, server_model.better)
        await pilot.press("p")
        await wait_for_screen(pilot, "TextInputDialog")
        await pilot.press("enter")
        await wait_for_screen(pilot, "PromoteDialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: str(table.get_row(better)[1]) == "champion", "champion on the better version")

        await pilot.press("b")
        await wait_for_screen(pilot, "TextInputDialog")
        await pilot.press("enter")
        await wait_for_screen(pilot, "PromoteDialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: str(table.get_row(worse)[1]) == "champion", "champion back on the worse version")

    assert read_aliases(server_model.project, server_model.name)["champion"] == server_model.worse
    history = read_history(make_client(server_model.project), server_model.name, "champion")
    assert [entry.action for entry in history] == ["rollback", "promote"]
    assert (history[1].from_version, history[1].to_version) == (server_model.worse, server_model.better)
