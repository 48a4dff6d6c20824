"""Params files and their nodes, as ct-tui shows and edits them: one `Param` per node."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ParamPath = tuple["str | int", ...]
"""The location of a value in its file: mapping keys and list indexes from the top."""

SCALAR = "scalar"
LIST = "list"
MAPPING = "mapping"


def format_key(path: ParamPath) -> str:
    """Return the dotted name DVC uses for `path`, with list items as `[i]`.

    `("train", "layers", 1)` becomes `train.layers[1]`.
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def type_name(value: Any) -> str:
    """Return the YAML name of the type of a value read from a params file."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, datetime.datetime):
        return "timestamp"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


@dataclass(frozen=True)
class Param:
    """One node of a params file: a scalar, a list or a mapping."""

    file: str
    """The params file, relative to the project root, with `/` separators."""

    path: ParamPath
    """Mapping keys and list indexes from the top of the file."""

    kind: str
    """`scalar`, `list` or `mapping`."""

    value: Any
    """The value as DVC reads it (YAML 1.2 through ruamel.yaml)."""

    source: str = ""
    """A scalar's text exactly as written, without its anchor or tag."""

    span: tuple[int, int] | None = None
    """Start and end of `source` in the decoded file text, in characters."""

    insert_prefix: str = ""
    """Text put before a new value that replaces an empty one (`key:` becomes `key: 5`)."""

    style: str | None = None
    """The scalar style: None for plain, `"` or `'` for quoted, `|` or `>` for block."""

    anchor: str | None = None
    """The anchor name of the shared value, on its definition and on its aliases."""

    alias_of: ParamPath | None = None
    """On an alias, or inside one, the path of the value it repeats."""

    shared_with: tuple[ParamPath, ...] = ()
    """Every other path that reads this same value through an anchor and aliases."""

    yaml11_note: str | None = None
    """The value or key that YAML 1.1 readers such as PyYAML read differently, or None."""

    read_only: str | None = None
    """The reason ct-tui cannot edit this value in place, or None when it can."""

    stages: tuple[str, ...] = ()
    """The DVC stages that declare this param, or one of its parents or children."""

    @property
    def key(self) -> str:
        return format_key(self.path)

    @property
    def name(self) -> str:
        """The last part of the path, as shown in the tree."""
        last = self.path[-1]
        return f"[{last}]" if isinstance(last, int) else str(last)

    @property
    def type_name(self) -> str:
        return type_name(self.value)

    @property
    def interpolated(self) -> bool:
        """True for a string with `${...}`, which DVC and Hydra may interpolate."""
        return isinstance(self.value, str) and "${" in self.value

    @property
    def used(self) -> bool:
        return bool(self.stages)

    @property
    def editable(self) -> bool:
        return self.kind == SCALAR and self.read_only is None and self.span is not None

    @property
    def shared(self) -> bool:
        return bool(self.shared_with)


@dataclass(frozen=True)
class ParamsFile:
    """One params file as loaded: its exact bytes, its data and its params."""

    path: Path
    """Absolute path of the file."""

    name: str
    """The path relative to the project root, with `/` separators."""

    raw: bytes
    """The bytes read from disk; a save is rejected when the file no longer contains them."""

    text: str
    """`raw` decoded as UTF-8; `Param.span` indexes into it."""

    data: Any
    """The whole file as DVC reads it."""

    params: tuple[Param, ...] = ()
    """Every node, parents before children, in document order."""

    _by_path: dict[ParamPath, Param] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_path", {param.path: param for param in self.params})

    def get(self, path: ParamPath) -> Param | None:
        return self._by_path.get(tuple(path))
