"""Params files and stages come from dvc.yaml as DVC reads it; plans write only what they list."""

from __future__ import annotations

from pathlib import Path

import pytest

from ct_tui.domain.params import (
    ParamsConflict,
    apply_updates,
    describe_reruns,
    diff_params,
    load_params,
    plan_updates,
    save_value,
)

from tests.conftest import dvc, git
from tests.unit.params_support import changed_lines

EXTRA_STAGES = """
  tune:
    cmd: echo tune
    params:
      - conf/model.yaml:
          - depth
      - conf/model.yaml:
          - missing_key
  report:
    foreach: [a, b]
    do:
      cmd: echo ${item}
      params:
        - conf/model.yaml:
            - width
  whole:
    cmd: echo whole
    params:
      - conf/extra.yaml:
"""

MODEL_YAML = b"# model shape\ndepth: 4\nwidth: [64, 32]\nnotes: none yet\n"


@pytest.fixture
def multi_file_project(ct_project: Path) -> Path:
    (ct_project / "conf").mkdir()
    (ct_project / "conf" / "model.yaml").write_bytes(MODEL_YAML)
    (ct_project / "conf" / "extra.yaml").write_bytes(b"alpha: 1\nbeta:\n  gamma: two\n")
    with (ct_project / "dvc.yaml").open("a") as handle:
        handle.write(EXTRA_STAGES)
    git(ct_project, "add", "-A")
    git(ct_project, "commit", "-q", "-m", "Add stages with other params files")
    return ct_project


def stages_of(snapshot, file: str, key: str) -> tuple[str, ...]:
    [param] = [param for param in snapshot.file(file).params if param.key == key]
    return param.stages


def test_declared_files_loaded(multi_file_project: Path) -> None:
    snapshot = load_params(multi_file_project)

    assert [params_file.name for params_file in snapshot.files] == [
        "params.yaml",
        "conf/model.yaml",
        "conf/extra.yaml",
    ]


def test_stages_per_key(multi_file_project: Path) -> None:
    snapshot = load_params(multi_file_project)

    assert stages_of(snapshot, "params.yaml", "seed") == ("data", "train", "evaluate")
    assert stages_of(snapshot, "params.yaml", "train.max_iter") == ("train",)
    assert stages_of(snapshot, "conf/model.yaml", "depth") == ("tune",)
    assert stages_of(snapshot, "conf/model.yaml", "width") == ("report@a", "report@b")
    assert stages_of(snapshot, "conf/model.yaml", "width[1]") == ("report@a", "report@b")
    assert stages_of(snapshot, "conf/extra.yaml", "beta.gamma") == ("whole",)


def test_unused_key_marked(multi_file_project: Path) -> None:
    snapshot = load_params(multi_file_project)

    [notes] = [param for param in snapshot.file("conf/model.yaml").params if param.key == "notes"]

    assert not notes.used


def test_missing_declared_key_reported(multi_file_project: Path) -> None:
    snapshot = load_params(multi_file_project)

    assert "stage tune declares missing_key, which is not in conf/model.yaml" in snapshot.problems


def test_never_run_stages_rerun(multi_file_project: Path) -> None:
    snapshot = load_params(multi_file_project)

    reruns = {rerun.stage: rerun.reason for rerun in snapshot.reruns}

    assert reruns["data"] == "never run"
    assert reruns["report@a"] == "never run"


def test_edit_makes_train_rerun(trained_project: Path) -> None:
    snapshot = load_params(trained_project)
    assert snapshot.reruns == []
    [param] = snapshot.find("train.C_hyperparameter")

    save_value(snapshot, param, "0.5")
    after = load_params(trained_project)

    assert [(rerun.stage, rerun.reason) for rerun in after.reruns] == [
        ("train", "params changed: train.C_hyperparameter"),
        ("evaluate", "after train"),
    ]
    assert describe_reruns(after.reruns).startswith("Will rerun: train (params changed")
    status = dvc(trained_project, "status", "--json").stdout
    assert '"train.C_hyperparameter": "modified"' in status


def test_diff_against_head_and_lock(trained_project: Path) -> None:
    snapshot = load_params(trained_project)
    [param] = snapshot.find("train.max_iter")
    save_value(snapshot, param, "300")

    diff = diff_params(load_params(trained_project))

    assert diff.head_error is None
    assert [(c.file, c.key, c.old, c.new) for c in diff.vs_head] == [("params.yaml", "train.max_iter", 200, 300)]
    assert [(c.stage, c.key, c.status, c.locked, c.current) for c in diff.vs_lock] == [
        ("train", "train.max_iter", "modified", 200, 300)
    ]


def test_plan_sorts_values(ct_project: Path) -> None:
    before = (ct_project / "params.yaml").read_bytes()

    plan = plan_updates(
        ct_project,
        {
            "train.C_hyperparameter": "0.5",
            "train.max_iter": "300",
            "seed": "42",
            "data.batches": "abc",
            "model.depth": "3",
        },
    )

    assert [(c.key, c.file, c.old, c.new) for c in plan.changes] == [
        ("train.C_hyperparameter", "params.yaml", 1.0, 0.5),
        ("train.max_iter", "params.yaml", 200, 300),
    ]
    assert [r.key for r in plan.rejected] == ["data.batches"]
    assert "expected an int" in plan.rejected[0].reason
    assert plan.unknown == ("model.depth",)
    assert plan.unchanged == ("seed",)
    assert "-  C_hyperparameter: 1.0\n+  C_hyperparameter: 0.5\n" in plan.diff
    assert (ct_project / "params.yaml").read_bytes() == before


def test_apply_writes_only_planned_values(ct_project: Path) -> None:
    path = ct_project / "params.yaml"
    before = path.read_bytes()
    plan = plan_updates(ct_project, {"train.C_hyperparameter": "0.5", "train.max_iter": 300, "seed": "42"})

    apply_updates(plan)

    assert changed_lines(before, path.read_bytes()) == [
        (12, b"  C_hyperparameter: 1.0", b"  C_hyperparameter: 0.5"),
        (14, b"  max_iter: 200", b"  max_iter: 300"),
    ]


def test_apply_in_other_file(multi_file_project: Path) -> None:
    path = multi_file_project / "conf" / "model.yaml"
    plan = plan_updates(multi_file_project, {"conf/model.yaml:depth": "6", "width": "[128, 32]"})

    apply_updates(plan)

    assert path.read_bytes() == MODEL_YAML.replace(b"depth: 4", b"depth: 6").replace(b"[64, 32]", b"[128, 32]")


def test_apply_refuses_after_disk_change(ct_project: Path) -> None:
    path = ct_project / "params.yaml"
    plan = plan_updates(ct_project, {"train.C_hyperparameter": "0.5"})
    other = path.read_bytes().replace(b"seed: 42", b"seed: 7")
    path.write_bytes(other)

    with pytest.raises(ParamsConflict):
        apply_updates(plan)

    assert path.read_bytes() == other


def test_plan_rejects_list_length_change(multi_file_project: Path) -> None:
    plan = plan_updates(multi_file_project, {"width": "[1, 2, 3]"})

    assert not plan.has_changes
    assert "has 2 items and the new list has 3" in plan.rejected[0].reason
