"""Train stage: fit a scaled LogisticRegression and save it to model/ml_service.pkl."""

from __future__ import annotations

import pickle

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pipeline.common import MODEL_PKL, TRAIN_CSV, load_params, split


def main() -> None:
    params = load_params()
    train_params = params["train"]
    frame = pd.read_csv(TRAIN_CSV)
    x_train, _, y_train, _ = split(frame, train_params["test_size"], params["seed"])

    model = make_pipeline(
        StandardScaler(),
        LogisticRegression(
            C=train_params["C_hyperparameter"],
            max_iter=train_params["max_iter"],
            random_state=params["seed"],
        ),
    )
    print(f"train: fitting on {len(x_train)} rows, C={train_params['C_hyperparameter']}")
    model.fit(x_train, y_train)

    MODEL_PKL.parent.mkdir(parents=True, exist_ok=True)
    with MODEL_PKL.open("wb") as handle:
        pickle.dump(model, handle)
    print(f"train: saved {MODEL_PKL.relative_to(MODEL_PKL.parent.parent)}")


if __name__ == "__main__":
    main()
