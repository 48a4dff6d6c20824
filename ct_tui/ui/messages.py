"""App-wide events, broadcast by the App to the base screen of every open mode."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message


@dataclass
class ParamsSaved(Message):
    """A params file was written by ct-tui; stage status may have changed."""

    path: Path


@dataclass
class ReproStarted(Message):
    """`dvc repro` started; new MLflow runs may appear while it runs."""

    stage: str | None


@dataclass
class ReproFinished(Message):
    """`dvc repro` ended, successfully or not."""

    exit_code: int | None
    cancelled: bool


@dataclass
class RegistryChanged(Message):
    """A registered model version or alias was created, moved or removed by ct-tui."""

    model_name: str
