"""The key metrics of a project: the keys of the DVC metrics files that dvc.yaml names."""

from __future__ import annotations

import json
import logging
import tomllib
from pathlib import Path

log = logging.getLogger(__name__)


def metrics_files(root: Path) -> list[Path]:
    """Return the metrics files that `root/dvc.yaml` declares (stage `metrics:` and top-level `metrics:`)."""
    dvc_yaml = root / "dvc.yaml"
    if not dvc_yaml.is_file():
        return []
    from ruamel.yaml import YAML, YAMLError

    try:
        document = YAML(typ="safe", pure=True).load(dvc_yaml.read_text(encoding="utf-8")) or {}
    except (YAMLError, OSError) as error:
        log.warning("cannot read %s: %s", dvc_yaml, error)
        return []
    entries: list = list(document.get("metrics") or [])
    for stage in (document.get("stages") or {}).values():
        if isinstance(stage, dict):
            entries += stage.get("metrics") or []
    paths: list[Path] = []
    for entry in entries:
        # An entry is a path, or a one-key mapping of the path to its options.
        if isinstance(entry, str):
            names = [entry]
        elif isinstance(entry, dict):
            names = list(entry)
        else:
            names = []
        for name in names:
            path = root / str(name)
            if path not in paths:
                paths.append(path)
    return paths


def key_metrics(root: Path) -> list[str]:
    """Return the numeric keys of the project's metrics files, in file order, nested keys joined by dots.

    DVC flattens nested metrics the same way (`train.loss`). Files that do not
    exist yet, or cannot be parsed, add nothing.
    """
    keys: list[str] = []
    for path in metrics_files(root):
        for key in _numeric_keys(_load(path)):
            if key not in keys:
                keys.append(key)
    return keys


def _load(path: Path) -> object:
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            return json.loads(text)
        if path.suffix == ".toml":
            return tomllib.loads(text)
        from ruamel.yaml import YAML

        return YAML(typ="safe", pure=True).load(text)
    except Exception as error:  # json, toml and YAML parsers raise unrelated error classes
        log.warning("cannot read metrics file %s: %s", path, error)
        return {}


def _numeric_keys(value: object, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        keys = []
        for key, item in value.items():
            keys += _numeric_keys(item, f"{prefix}{key}.")
        return keys
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [prefix[:-1]]
    return []
