"""Build params snapshots from text, without DVC, for the params unit tests."""

from __future__ import annotations

from pathlib import Path

from ct_tui.domain.params import Param, ParamsSnapshot, PipelineParams
from ct_tui.domain.params.source import parse_params_file


def snapshot_of(path: Path) -> ParamsSnapshot:
    """Load one params file the way `load_params` does, with no stages declared."""
    params_file = parse_params_file(path, path.name, path.read_bytes())
    return ParamsSnapshot(path.parent, (params_file,), PipelineParams())


def param_at(snapshot: ParamsSnapshot, *path: str | int) -> Param:
    param = snapshot.files[0].get(tuple(path))
    assert param is not None, f"no param at {path}"
    return param


def changed_lines(before: bytes, after: bytes) -> list[tuple[int, bytes, bytes]]:
    """Return (line number, old line, new line) for each line that differs; both must have as many lines."""
    old_lines = before.split(b"\n")
    new_lines = after.split(b"\n")
    assert len(old_lines) == len(new_lines), "the edit added or removed lines"
    return [
        (number, old, new)
        for number, (old, new) in enumerate(zip(old_lines, new_lines), start=1)
        if old != new
    ]
