"""Time the Registry screen's store calls on a SQLite store with many versions.

Usage: python bench/registry_bench.py [VERSIONS ...]   (default: 10 100 500)

For each count it builds a fresh store in a temporary folder, with one run
per version that has three metrics, three params and lineage tags but no
model files. It then prints the median of five calls of each of
`read_model` (what the screen loads for one model), `plan_promotion` and
`apply_move` (a promotion with its audit record). MLflow's bare
`get_registered_model` is timed alongside for reference.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 5


def build_store(root: Path, versions: int) -> None:
    from mlflow import MlflowClient

    (root / ".dvc").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(uri, uri)
    experiment = client.create_experiment("bench", artifact_location=(root / "artifacts").as_uri())
    client.create_registered_model("bench-model")
    for number in range(versions):
        run = client.create_run(experiment)
        run_id = run.info.run_id
        for index, name in enumerate(("accuracy", "f1", "roc_auc")):
            client.log_metric(run_id, name, 0.5 + (number * 7 + index) % 50 / 100)
        for name in ("train.C", "train.max_iter", "data.batches"):
            client.log_param(run_id, name, str(number % 5))
        client.set_tag(run_id, "ct.git_commit", "0" * 40)
        client.set_tag(run_id, "ct.git_dirty", "false")
        client.set_terminated(run_id)
        client.create_model_version("bench-model", f"{run.info.artifact_uri}/model", run_id=run_id)
    client.set_registered_model_alias("bench-model", "champion", "1")


def median_seconds(call) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(counts: list[int]) -> None:
    from ct_tui.domain.project import Project
    from ct_tui.domain.promotion import apply_move, plan_promotion
    from ct_tui.domain.registry import read_model
    from ct_tui.domain.tracking_client import make_client
    from ct_tui.settings import Settings

    settings = Settings()
    print(f"{'versions':>8}  {'get_registered_model':>20}  {'read_model':>10}  {'plan_promotion':>14}  {'apply_move':>10}")
    for count in counts:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            build_store(root, count)
            project = Project(root=root, tracking_uri=f"sqlite:///{root / 'mlflow.db'}")
            client = make_client(project)
            bare = median_seconds(lambda: client.get_registered_model("bench-model"))
            read = median_seconds(lambda: read_model(project, "bench-model", "accuracy"))
            plan = median_seconds(lambda: plan_promotion(project, settings, "bench-model", count, "champion"))
            targets = iter(range(2, 2 + REPEATS))

            def promote_next() -> None:
                apply_move(project, settings, plan_promotion(project, settings, "bench-model", next(targets), "champion"), override=True)

            move = median_seconds(promote_next)
            print(f"{count:>8}  {bare:>19.3f}s  {read:>9.3f}s  {plan:>13.3f}s  {move:>9.3f}s")


if __name__ == "__main__":
    main([int(value) for value in sys.argv[1:]] or [10, 100, 500])
