"""Typed settings of ct-tui, read from one place.

Order of precedence, lowest first: the defaults below, the `[tool.ct-tui]`
table of the project's `pyproject.toml`, a `ct-tui.toml` at the project root
(its keys at top level), then environment variables `CT_TUI_<KEY>` in upper
case (`CT_TUI_GATE_METRIC=f1`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

GATE_DIRECTIONS = ("higher", "lower")


class SettingsError(ValueError):
    """A settings file or variable contains a value ct-tui cannot use."""


@dataclass(frozen=True)
class Settings:
    """Project settings that DVC and MLflow do not provide."""

    experiment: str = ""
    """MLflow experiment of the project's runs. Empty: the experiment with the latest run."""

    model_name: str = "ct-model"
    """Registered model that training registers versions of and promotion acts on."""

    alias: str = "champion"
    """Registry alias that promotion moves by default."""

    gate_metric: str = "accuracy"
    """Metric the promotion gate compares between candidate and current holder."""

    gate_direction: str = "higher"
    """`higher` or `lower`: which way of `gate_metric` is better."""

    runs_order_by: str = ""
    """Order of the Runs screen when it opens, in MLflow's `order_by` syntax
    (`metrics.accuracy DESC`). Empty: newest first."""

    def __post_init__(self) -> None:
        if self.gate_direction not in GATE_DIRECTIONS:
            raise SettingsError(
                f"invalid gate_direction {self.gate_direction!r}: use 'higher' or 'lower'"
            )
        if not self.model_name:
            raise SettingsError("model_name is empty: set it to a registered model name")
        if not self.alias:
            raise SettingsError("alias is empty: set it to an alias such as 'champion'")


def load_settings(root: Path, environ: dict[str, str] | None = None) -> Settings:
    """Read the settings of the project at `root`; see the module docstring for the order."""
    env = os.environ if environ is None else environ
    values: dict[str, str] = {}
    names = {field.name for field in fields(Settings)}

    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        table = _read_toml(pyproject).get("tool", {}).get("ct-tui", {})
        values.update(_known(table, names, f"{pyproject} [tool.ct-tui]"))

    own_file = root / "ct-tui.toml"
    if own_file.is_file():
        values.update(_known(_read_toml(own_file), names, str(own_file)))

    for name in names:
        variable = f"CT_TUI_{name.upper()}"
        if variable in env:
            values[name] = env[variable]

    return replace(Settings(), **values)


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"invalid TOML in {path}: {error}; fix the file or remove it") from error


def _known(table: dict, names: set[str], source: str) -> dict[str, str]:
    unknown = sorted(set(table) - names)
    if unknown:
        raise SettingsError(
            f"unknown setting {unknown[0]!r} in {source}; known settings: {', '.join(sorted(names))}"
        )
    for key, value in table.items():
        if not isinstance(value, str):
            raise SettingsError(f"setting {key!r} in {source} must be a string, got {value!r}")
    return dict(table)
