"""Registering the model a run logged, on a real SQLite store."""

from __future__ import annotations

import pytest

from ct_tui.domain.project import open_project
from ct_tui.domain.registration import register_run_model
from ct_tui.domain.registry import RegistryInputError
from ct_tui.domain.tracking_client import make_client
from tests.registry_store import MODEL, run_ids


def test_register_unregistered_run_creates_version(registry_project) -> None:
    project = open_project(registry_project)
    run_id = run_ids(registry_project)["unregistered"]

    first = register_run_model(project, run_id, MODEL)
    again = register_run_model(project, run_id, MODEL)

    assert (first.version, first.created) == (4, True)
    assert (again.version, again.created) == (4, False)
    client = make_client(project)
    version = client.get_model_version(MODEL, "4")
    assert version.run_id == run_id
    logged_id = client.get_run(run_id).outputs.model_outputs[0].model_id
    assert version.source == client.get_logged_model(logged_id).artifact_location


def test_register_already_registered_run_returns_it(registry_project) -> None:
    project = open_project(registry_project)
    result = register_run_model(project, run_ids(registry_project)["train-2"], MODEL)
    assert (result.version, result.created) == (2, False)


def test_register_into_new_model_creates_it(registry_project) -> None:
    project = open_project(registry_project)
    result = register_run_model(project, run_ids(registry_project)["train-1"], "other-model")
    assert (result.model, result.version, result.created) == ("other-model", 1, True)


def test_register_rejects_runs_without_model(registry_project) -> None:
    project = open_project(registry_project)
    ids = run_ids(registry_project)
    make_client(project).delete_run(ids["unregistered"])
    cases = [
        (ids["no-model"], "logged no model"),
        ("0" * 32, "not found in the tracking store"),
        (ids["unregistered"], "is deleted"),
    ]
    for run_id, expected in cases:
        with pytest.raises(RegistryInputError) as raised:
            register_run_model(project, run_id, MODEL)
        assert expected in str(raised.value)
