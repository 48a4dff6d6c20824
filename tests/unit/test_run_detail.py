"""Run detail read through MlflowClient, compare of runs, and the project's key metrics."""

from __future__ import annotations

import json
import math
from pathlib import Path

from mlflow.tracking import MlflowClient

from ct_tui.domain.metrics_file import key_metrics
from ct_tui.domain.project import open_project
from ct_tui.domain.run_detail import compare_runs, format_metric, load_run_detail
from ct_tui.domain.runs_query import RunRow


def run_row(name: str, params: dict[str, str], metrics: dict[str, float]) -> RunRow:
    return RunRow(name, "1", name, "FINISHED", 0, 1000, "active", params=params, metrics=metrics)


def test_compare_marks_only_the_differing_param() -> None:
    first = run_row("a", {"seed": "42", "train.C_hyperparameter": "1.0"}, {"accuracy": 0.9})
    second = run_row("b", {"seed": "42", "train.C_hyperparameter": "0.5"}, {"accuracy": 0.9})
    compared = compare_runs([first, second])
    differing = [(value.section, value.key) for value in compared if value.differs]
    assert differing == [("param", "train.C_hyperparameter")]
    assert [value.values for value in compared if value.key == "train.C_hyperparameter"] == [("1.0", "0.5")]


def test_compare_counts_a_missing_value_and_nan() -> None:
    first = run_row("a", {"seed": "42"}, {"accuracy": math.nan, "f1": 0.5})
    second = run_row("b", {}, {"accuracy": math.nan})
    compared = {value.key: value for value in compare_runs([first, second])}
    assert compared["seed"].differs
    assert compared["f1"].differs
    assert not compared["accuracy"].differs
    assert compared["accuracy"].values == ("NaN", "NaN")


def test_metric_format() -> None:
    assert format_metric(0.956522) == "0.9565"
    assert format_metric(123456.0) == "1.235e+05"
    assert format_metric(float("inf")) == "inf"


def test_key_metrics_from_dvc_yaml(tmp_path: Path) -> None:
    (tmp_path / "dvc.yaml").write_text(
        "metrics:\n  - eval/scores.json\nstages:\n  evaluate:\n    cmd: x\n    metrics:\n      - metrics.json:\n          cache: false\n"
    )
    (tmp_path / "metrics.json").write_text(json.dumps({"accuracy": 0.9, "nested": {"loss": 0.1}, "name": "x", "flag": True}))
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "scores.json").write_text(json.dumps({"auc": 0.8, "accuracy": 0.9}))
    assert key_metrics(tmp_path) == ["auc", "accuracy", "nested.loss"]


def test_key_metrics_missing_file_is_empty(ct_project: Path) -> None:
    assert key_metrics(ct_project) == []


def test_detail_of_trained_run(trained_project: Path) -> None:
    project = open_project(trained_project)
    run = MlflowClient(project.tracking_uri).search_runs(["1"])[0]
    detail = load_run_detail(project, run.info.run_id)
    assert key_metrics(trained_project) == ["accuracy", "f1", "roc_auc"]
    assert sorted(detail.histories) == ["accuracy", "f1", "roc_auc"]
    assert detail.histories["accuracy"][0].value == run.data.metrics["accuracy"]
    assert detail.run.params["train.C_hyperparameter"] == "1.0"
    assert detail.run.tags["ct.git_dirty"] == "false"
    assert [model.name for model in detail.logged_models] == ["model"]
    assert [version.label for version in detail.model_versions] == ["ct-model v1"]
    assert detail.lineage.commit_in_repo is True
    assert detail.lineage.data_matches_lock is True
