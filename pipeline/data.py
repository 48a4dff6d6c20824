"""Data stage: write the rows that have arrived so far to data/raw/train.csv.

The breast-cancer set ships inside scikit-learn, so this needs no network.
Its rows are shuffled once with the seed and cut into `data.n_batches`
batches; `data.batches` is the number of them that have arrived.
"""

from __future__ import annotations

import math

from sklearn.datasets import load_breast_cancer

from pipeline.common import TARGET, TRAIN_CSV, load_params


def main() -> None:
    params = load_params()
    batches = params["data"]["batches"]
    n_batches = params["data"]["n_batches"]
    if not 1 <= batches <= n_batches:
        raise SystemExit(
            f"invalid data.batches {batches}: it must be between 1 and data.n_batches ({n_batches})"
        )

    dataset = load_breast_cancer(as_frame=True)
    frame = dataset.frame.rename(columns={"target": TARGET})
    frame = frame.sample(frac=1.0, random_state=params["seed"]).reset_index(drop=True)
    batch_rows = math.ceil(len(frame) / n_batches)
    arrived = frame.iloc[: batches * batch_rows]

    TRAIN_CSV.parent.mkdir(parents=True, exist_ok=True)
    arrived.to_csv(TRAIN_CSV, index=False)
    print(f"data: {batches} of {n_batches} batches arrived, {len(arrived)} rows -> {TRAIN_CSV.name}")


if __name__ == "__main__":
    main()
