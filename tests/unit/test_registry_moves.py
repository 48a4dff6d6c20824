"""Promote, roll back and remove aliases on a real SQLite store with three versions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ct_tui.domain.audit import read_history
from ct_tui.domain.comparison import plan_text
from ct_tui.domain.project import open_project
from ct_tui.domain.promotion import (
    AliasMoved,
    GateRefused,
    apply_move,
    plan_promotion,
    plan_removal,
    plan_rollback,
)
from ct_tui.domain.registry import RegistryInputError, read_aliases, read_model
from ct_tui.domain.tracking_client import make_client
from ct_tui.settings import load_settings
from tests.conftest import git
from tests.registry_store import MODEL


@pytest.fixture
def opened(registry_project: Path):
    project = open_project(registry_project)
    return project, load_settings(project.root)


def test_promote_moves_alias_and_records_both(opened) -> None:
    project, settings = opened
    plan = plan_promotion(project, settings, MODEL, 2, "champion")
    assert plan.holder_version == 1
    assert plan.gate.passed

    record = apply_move(project, settings, plan)

    assert read_aliases(project, MODEL)["champion"] == 2
    assert record.from_version == 1
    assert record.to_version == 2
    assert record.action == "promote"
    assert record.overridden is False
    assert record.gate["metric"] == "accuracy"
    assert record.user and record.host
    history = read_history(make_client(project), MODEL)
    assert [(item.from_version, item.to_version) for item in history] == [(1, 2)]
    version_tags = make_client(project).get_model_version(MODEL, "2").tags
    assert '"to_version": 2' in version_tags["ct.last_alias_move.champion"]


def test_rollback_returns_to_previous_version(opened) -> None:
    project, settings = opened
    apply_move(project, settings, plan_promotion(project, settings, MODEL, 2, "champion"))

    plan = plan_rollback(project, settings, MODEL, "champion")
    assert plan.to_version == 1
    assert plan.holder_version == 2
    record = apply_move(project, settings, plan)

    assert read_aliases(project, MODEL)["champion"] == 1
    assert record.action == "rollback"
    history = read_history(make_client(project), MODEL, "champion")
    assert [item.action for item in history] == ["rollback", "promote"]
    assert (history[0].from_version, history[0].to_version) == (2, 1)


def test_gate_refuses_worse_candidate_without_override(opened) -> None:
    project, settings = opened
    plan = plan_promotion(project, settings, MODEL, 3, "champion")
    assert plan.needs_override
    assert "worse than" in plan.gate.metric_reason

    with pytest.raises(GateRefused, match="0.8500 is worse than 0.9000"):
        apply_move(project, settings, plan)
    assert read_aliases(project, MODEL)["champion"] == 1

    record = apply_move(project, settings, plan, override=True)
    assert read_aliases(project, MODEL)["champion"] == 3
    assert record.overridden is True
    assert record.gate["passed"] is False
    stored = read_history(make_client(project), MODEL)[0]
    assert stored.overridden is True


def test_gate_direction_lower_flips_verdict(registry_project: Path) -> None:
    project = open_project(registry_project)
    settings = load_settings(project.root, {"CT_TUI_GATE_DIRECTION": "lower"})
    assert not plan_promotion(project, settings, MODEL, 3, "champion").needs_override
    assert plan_promotion(project, settings, MODEL, 2, "champion").needs_override


def test_lineage_warning_needs_override(opened) -> None:
    project, settings = opened
    run_id = make_client(project).get_model_version(MODEL, "2").run_id
    make_client(project).set_tag(run_id, "ct.git_dirty", "true")
    (project.root / "dvc.lock").write_text((project.root / "dvc.lock").read_text().replace("5d41", "0000"))

    plan = plan_promotion(project, settings, MODEL, 2, "champion")

    assert plan.gate.metric_passed
    assert plan.needs_override
    warnings = " | ".join(plan.gate.warnings)
    assert "uncommitted changes" in warnings
    assert "differs from the current dvc.lock" in warnings


def test_deleted_source_run_and_foreign_commit_warn(opened) -> None:
    project, settings = opened
    client = make_client(project)
    run_id = client.get_model_version(MODEL, "2").run_id
    client.set_tag(run_id, "ct.git_commit", "f" * 40)
    client.delete_run(run_id)

    plan = plan_promotion(project, settings, MODEL, 2, "champion")

    warnings = " | ".join(plan.gate.warnings)
    assert f"source run {run_id[:8]} deleted" in warnings
    assert "commit ffffffff is not in this repository" in warnings
    assert plan.needs_override


def test_alias_moved_meanwhile_is_not_overwritten(opened) -> None:
    project, settings = opened
    plan = plan_promotion(project, settings, MODEL, 2, "champion")
    make_client(project).set_registered_model_alias(MODEL, "champion", "3")

    with pytest.raises(AliasMoved) as raised:
        apply_move(project, settings, plan)

    assert read_aliases(project, MODEL)["champion"] == 3
    assert "now points at v3, not v1" in str(raised.value)
    fresh = raised.value.fresh_plan
    assert fresh.holder_version == 3
    assert fresh.to_version == 2
    assert read_history(make_client(project), MODEL) == []


def test_dangling_alias_is_reported_not_raised(opened) -> None:
    project, settings = opened
    make_client(project).delete_model_version(MODEL, "3")
    # MLflow 3 deletes a version's aliases with it, so a dangling alias (as a
    # registry migrated from an older MLflow can hold) is written directly.
    with sqlite3.connect(project.root / "mlflow.db") as connection:
        connection.execute(
            "INSERT INTO registered_model_aliases (alias, version, name) VALUES ('staging', 3, ?)", (MODEL,)
        )

    detail = read_model(project, MODEL, "accuracy")

    assert detail.dangling == {"staging": 3}
    assert [info.version for info in detail.versions] == [2, 1]
    plan = plan_promotion(project, settings, MODEL, 2, "staging")
    assert plan.holder_dangling
    assert "v3 (dangling)" in plan_text(plan)
    apply_move(project, settings, plan)
    assert read_aliases(project, MODEL)["staging"] == 2


def test_remove_alias_recorded_and_rolled_back(opened) -> None:
    project, settings = opened
    record = apply_move(project, settings, plan_removal(project, settings, MODEL, "champion"))

    assert "champion" not in read_aliases(project, MODEL)
    assert (record.action, record.from_version, record.to_version) == ("remove", 1, None)

    apply_move(project, settings, plan_rollback(project, settings, MODEL, "champion"))
    assert read_aliases(project, MODEL)["champion"] == 1


def test_bad_input_names_value_and_choices(opened) -> None:
    project, settings = opened
    cases = [
        (lambda: plan_promotion(project, settings, "ct-modle", 2, "champion"), "registered models: ct-model"),
        (lambda: plan_promotion(project, settings, MODEL, 9, "champion"), "existing versions: 1, 2, 3"),
        (lambda: plan_promotion(project, settings, MODEL, 1, "champion"), "already holds alias 'champion'"),
        (lambda: plan_promotion(project, settings, MODEL, 2, "latest"), "reserved by MLflow"),
        (lambda: plan_removal(project, settings, MODEL, "prod"), "its aliases: champion (v1)"),
        (lambda: plan_rollback(project, settings, MODEL, "champion"), "no recorded move of alias 'champion'"),
    ]
    for call, expected in cases:
        with pytest.raises(RegistryInputError) as raised:
            call()
        assert expected in str(raised.value)


def test_rollback_refused_after_outside_move(opened) -> None:
    project, settings = opened
    apply_move(project, settings, plan_promotion(project, settings, MODEL, 2, "champion"))
    make_client(project).set_registered_model_alias(MODEL, "champion", "3")

    with pytest.raises(RegistryInputError, match="changed outside ct-tui"):
        plan_rollback(project, settings, MODEL, "champion")


def test_version_lineage_summary(opened) -> None:
    project, settings = opened
    head = git(project.root, "rev-parse", "HEAD").strip()

    detail = read_model(project, MODEL, settings.gate_metric)

    assert detail.metric_names == ["accuracy", "f1"]
    newest = detail.versions[0]
    assert newest.version == 3
    assert newest.lineage.commit == head
    assert newest.lineage.commit_info.subject == "Train the first model"
    assert newest.lineage.data_matches_lock is True
    assert newest.warnings == []
    assert detail.version(1).aliases == ("champion",)
    assert not detail.has_stages


def test_legacy_stage_shown_only_when_set(opened) -> None:
    project, settings = opened
    assert read_model(project, MODEL).has_stages is False

    make_client(project).transition_model_version_stage(MODEL, "1", "Production")

    detail = read_model(project, MODEL)
    assert detail.has_stages is True
    assert detail.version(1).stage == "Production"
    assert detail.version(2).stage is None
