"""Print how long the Params screen's domain calls take on a copy of the CT project.

Run from the repository root: `.venv/bin/python bench/params_bench.py`.
Each figure is the median of several calls, in milliseconds; the first
`load_params` call also imports DVC and is shown on its own.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.conftest import make_ct_project  # noqa: E402

RUNS = 7


def median_ms(call, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = make_ct_project(Path(folder) / "project")

        start = time.perf_counter()
        from ct_tui.domain.params import diff_params, load_params, plan_updates, save_value
        from ct_tui.domain.params.source import parse_params_file

        snapshot = load_params(root)
        first_load = (time.perf_counter() - start) * 1000

        raw = (root / "params.yaml").read_bytes()
        figures = [
            ("load_params, first call (imports DVC)", first_load),
            ("load_params", median_ms(lambda: load_params(root))),
            ("parse params.yaml only", median_ms(lambda: parse_params_file(root / "params.yaml", "params.yaml", raw))),
        ]

        values = iter(range(1000, 2000))

        def save_one() -> None:
            fresh = load_params(root)
            [param] = fresh.find("train.max_iter")
            save_value(fresh, param, str(next(values)))

        figures.append(("load_params + save_value", median_ms(save_one)))
        figures.append(("plan_updates (3 values)", median_ms(
            lambda: plan_updates(root, {"train.max_iter": "300", "seed": "7", "train.C_hyperparameter": "0.5"})
        )))
        figures.append(("diff_params (runs dvc params diff)", median_ms(lambda: diff_params(load_params(root)), runs=3)))

    width = max(len(name) for name, _ in figures)
    for name, milliseconds in figures:
        print(f"{name:<{width}}  {milliseconds:8.1f} ms")


if __name__ == "__main__":
    main()
