"""Log a training run to MLflow with its lineage: git commit, dirty tree, data md5.

The tracking URI and the experiment come from ct-tui's own resolution, so the
pipeline and the app always open the same store.
"""

from __future__ import annotations

import hashlib
import subprocess
from typing import Any

import mlflow
import mlflow.sklearn
from ruamel.yaml import YAML

from ct_tui.domain import tags
from ct_tui.domain.project import Project, mask_uri, resolve_tracking_uri
from ct_tui.settings import load_settings
from pipeline.common import ROOT, TRAIN_CSV

# dvc.lock changes during every repro that reruns a stage, before this stage
# logs the run, so it does not count as an uncommitted change of the source.
_IGNORED_FOR_DIRTY = {"dvc.lock"}


def log_training_run(params: dict[str, Any], metrics: dict[str, float], model: Any) -> str:
    """Log params, metrics, lineage tags and the model; register it. Return the run id."""
    project = Project(root=ROOT, tracking_uri=resolve_tracking_uri(ROOT))
    settings = load_settings(ROOT)
    mlflow.set_tracking_uri(project.tracking_uri)
    experiment_name = settings.experiment or ROOT.name
    if mlflow.get_experiment_by_name(experiment_name) is None:
        mlflow.create_experiment(experiment_name, artifact_location=project.artifacts_uri)
    mlflow.set_experiment(experiment_name)

    commit = _git(["rev-parse", "HEAD"])
    lineage = {
        tags.GIT_COMMIT: commit or "",
        tags.GIT_DIRTY: "true" if _tree_is_dirty() else "false",
        tags.DATA_MD5: _data_md5(),
        tags.DATA_PATH: TRAIN_CSV.relative_to(ROOT).as_posix(),
    }
    if commit:
        lineage[tags.MLFLOW_GIT_COMMIT] = commit

    with mlflow.start_run() as run:
        mlflow.log_params(_flatten(params))
        mlflow.log_metrics(metrics)
        mlflow.set_tags(lineage)
        # Explicit requirements skip MLflow's import inference, which runs a
        # subprocess and adds seconds to every training run.
        mlflow.sklearn.log_model(
            model,
            name="model",
            registered_model_name=settings.model_name,
            pip_requirements=["scikit-learn", "pandas"],
        )
    print(f"evaluate: logged MLflow run {run.info.run_id} to {mask_uri(project.tracking_uri)}")
    return run.info.run_id


def _flatten(params: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def _git(args: list[str], strip: bool = True) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip() if strip else result.stdout


def _tree_is_dirty() -> bool:
    # Unstripped: each porcelain line is `XY PATH`, and X is a space for a
    # change not staged, as in ` M dvc.lock`.
    status = _git(["status", "--porcelain", "--untracked-files=no"], strip=False)
    if status is None:
        return False
    changed = {line[3:] for line in status.splitlines() if len(line) > 3}
    return bool(changed - _IGNORED_FOR_DIRTY)


def _data_md5() -> str:
    """Return the md5 that dvc.lock records for the training data, else hash the file."""
    lock_path = ROOT / "dvc.lock"
    path = TRAIN_CSV.relative_to(ROOT).as_posix()
    if lock_path.is_file():
        lock = YAML(typ="safe", pure=True).load(lock_path.read_text(encoding="utf-8")) or {}
        for stage in lock.get("stages", {}).values():
            for dep in stage.get("deps", []) + stage.get("outs", []):
                if dep.get("path") == path and dep.get("md5"):
                    return dep["md5"]
    return hashlib.md5(TRAIN_CSV.read_bytes()).hexdigest()
