"""Evaluate stage: score the model on the held-out rows, write metrics.json, log the run."""

from __future__ import annotations

import json
import pickle

import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from pipeline.common import METRICS_JSON, MODEL_PKL, TRAIN_CSV, load_params, split
from pipeline.tracking import log_training_run


def main() -> None:
    params = load_params()
    frame = pd.read_csv(TRAIN_CSV)
    _, x_test, _, y_test = split(frame, params["train"]["test_size"], params["seed"])
    with MODEL_PKL.open("rb") as handle:
        model = pickle.load(handle)

    predicted = model.predict(x_test)
    metrics = {
        "accuracy": round(float(accuracy_score(y_test, predicted)), 6),
        "f1": round(float(f1_score(y_test, predicted)), 6),
        "roc_auc": round(float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1])), 6),
    }
    METRICS_JSON.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    print("evaluate: " + ", ".join(f"{name}={value:.4f}" for name, value in metrics.items()))

    log_training_run(params, metrics, model)


if __name__ == "__main__":
    main()
