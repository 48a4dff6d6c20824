"""Paths and parameters shared by the pipeline stages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
"""The project root: DVC runs every stage from here."""

TRAIN_CSV = ROOT / "data" / "raw" / "train.csv"
MODEL_PKL = ROOT / "model" / "ml_service.pkl"
METRICS_JSON = ROOT / "metrics.json"
TARGET = "target"


def load_params() -> dict[str, Any]:
    """Read params.yaml the way DVC does: YAML 1.2 through ruamel.yaml."""
    yaml = YAML(typ="safe", pure=True)
    with (ROOT / "params.yaml").open(encoding="utf-8") as handle:
        return yaml.load(handle)


def split(frame, test_size: float, seed: int):
    """Split rows into train and test sets, stratified, the same in every stage."""
    from sklearn.model_selection import train_test_split

    features = frame.drop(columns=[TARGET])
    return train_test_split(
        features, frame[TARGET], test_size=test_size, random_state=seed, stratify=frame[TARGET]
    )
