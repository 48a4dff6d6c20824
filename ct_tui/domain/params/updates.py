"""Apply many param values at once, such as an MLflow run's params: plan first, then write.

`plan_updates` validates every value against the params files as they are on
disk and returns the exact new bytes of each file with a unified diff, writing
nothing. `apply_updates` writes those bytes with the same checks as a single
edit: only the edited values change, a file changed on disk since the plan is
not overwritten, and each write is atomic.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ct_tui.domain.params.edit import Edit, plan_text
from ct_tui.domain.params.errors import ParamsConflict, ParamsError, ValueRejected
from ct_tui.domain.params.model import LIST, MAPPING, Param, format_key
from ct_tui.domain.params.snapshot import ParamsSnapshot, load_params
from ct_tui.domain.params.store import conflict_message, unified_diff, write_checked
from ct_tui.domain.params.values import value_from_object
from ct_tui.domain.params.yaml11 import same_value

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParamChange:
    """A param that the plan changes."""

    key: str
    """The dotted name, as in dvc.yaml and MLflow: `train.C_hyperparameter`, `train.layers[1]`."""

    file: str
    """The params file, relative to the project root."""

    old: Any
    new: Any
    text: str
    """The YAML text written for the new value."""

    note: str | None = None
    """A warning about the change (an anchor that other keys share, a quoted string), or None."""


@dataclass(frozen=True)
class ParamRejection:
    """A value the plan will not write, and why."""

    key: str
    value: Any
    reason: str


@dataclass(frozen=True)
class FileUpdate:
    """The bytes a params file has now and the bytes the plan writes."""

    path: Path
    name: str
    before: bytes
    after: bytes


@dataclass(frozen=True)
class ParamsUpdatePlan:
    """The changes, rejections and new file bytes of a set of values; `apply_updates` writes them."""

    root: Path
    changes: tuple[ParamChange, ...]
    rejected: tuple[ParamRejection, ...]
    unknown: tuple[str, ...]
    """Keys found in no params file of the project."""

    unchanged: tuple[str, ...]
    """Keys whose value is already the requested one."""

    diff: str
    """A unified diff of every file the plan changes."""

    files: tuple[FileUpdate, ...]

    @property
    def has_changes(self) -> bool:
        return bool(self.files)


def plan_updates(root: Path, values: dict[str, Any]) -> ParamsUpdatePlan:
    """Plan writing `values` (dotted key to a value or MLflow's string) into the params files.

    A key may name its file, `conf/model.yaml:depth`; otherwise params.yaml
    is searched first, then the other params files. Reads files and runs DVC:
    call it from a worker thread.
    """
    snapshot = load_params(root)
    planner = _Planner(snapshot)
    for key, value in values.items():
        planner.add(key, value)
    return planner.finish()


def apply_updates(plan: ParamsUpdatePlan) -> None:
    """Write a plan's files; raise ParamsConflict, writing nothing, if any changed since the plan.

    When a later file fails to write, the files already written are put back.
    """
    for update in plan.files:
        current = update.path.read_bytes() if update.path.exists() else b""
        if current != update.before:
            raise ParamsConflict(conflict_message(update.name, update.before, current))
    written = []
    try:
        for update in plan.files:
            write_checked(update.path, update.name, update.before, update.after)
            written.append(update)
    except ParamsError:
        for update in reversed(written):
            write_checked(update.path, update.name, update.after, update.before)
        raise
    log.info("applied %d param changes to %s", len(plan.changes), ", ".join(u.name for u in plan.files))


class _Planner:
    def __init__(self, snapshot: ParamsSnapshot) -> None:
        self.snapshot = snapshot
        self.edits: dict[str, list[tuple[str, Edit]]] = {}
        self.rejected: list[ParamRejection] = []
        self.unknown: list[str] = []
        self.unchanged: list[str] = []

    def add(self, key: str, value: Any) -> None:
        param = self._lookup(key)
        if param is None:
            self.unknown.append(key)
            return
        if param.kind == MAPPING:
            self.rejected.append(ParamRejection(key, value, f"{key} is a mapping; give each of its keys instead"))
            return
        if param.kind == LIST:
            self._add_list(key, param, value)
            return
        self._add_scalar(key, param, value)

    def _lookup(self, key: str) -> Param | None:
        file, _, name = key.rpartition(":")
        if file and any(params_file.name == file for params_file in self.snapshot.files):
            found = [param for param in self.snapshot.find(name) if param.file == file]
        else:
            found = self.snapshot.find(key)
        return found[0] if found else None

    def _add_scalar(self, key: str, param: Param, value: Any) -> None:
        if not param.editable:
            self.rejected.append(ParamRejection(key, value, f"{key} cannot be edited here: {param.read_only}"))
            return
        try:
            new = value_from_object(param, value)
        except ValueRejected as error:
            self.rejected.append(ParamRejection(key, value, str(error)))
            return
        if same_value(new.value, param.value):
            self.unchanged.append(key)
            return
        self.edits.setdefault(param.file, []).append((key, Edit(param, new)))

    def _add_list(self, key: str, param: Param, value: Any) -> None:
        items = _as_list(value)
        old = param.value
        if items is None:
            self.rejected.append(ParamRejection(key, value, f"{value!r} is not a list; expected a list such as {old!r}"))
            return
        if len(items) != len(old):
            self.rejected.append(
                ParamRejection(
                    key, value, f"{key} has {len(old)} items and the new list has {len(items)}; change its length in a text editor"
                )
            )
            return
        before = len(self.edits.get(param.file, []))
        rejected_before = len(self.rejected)
        for index, item in enumerate(items):
            item_param = self.snapshot.param(param.file, (*param.path, index))
            if item_param is None or item_param.kind != "scalar":
                self.rejected.append(ParamRejection(key, value, f"{key} holds lists or mappings; edit it item by item"))
                return
            self._add_scalar(format_key(item_param.path), item_param, item)
        unchanged_items = len(self.edits.get(param.file, [])) == before and len(self.rejected) == rejected_before
        if unchanged_items:
            self.unchanged.append(key)

    def finish(self) -> ParamsUpdatePlan:
        changes: list[ParamChange] = []
        files: list[FileUpdate] = []
        diffs: list[str] = []
        for file, keyed_edits in self.edits.items():
            edits = self._one_edit_per_value(keyed_edits)
            if not edits:
                continue
            params_file = self.snapshot.file(file)
            try:
                planned = plan_text(params_file, [edit for _, edit in edits])
            except ParamsError as error:
                self.rejected.extend(ParamRejection(key, edit.new.value, str(error)) for key, edit in edits)
                continue
            after = planned.text.encode("utf-8")
            files.append(FileUpdate(params_file.path, file, params_file.raw, after))
            diffs.append(unified_diff(file, params_file.raw, after, "now", "after the update"))
            for key, edit in edits:
                changes.append(
                    ParamChange(
                        key, file, edit.param.value, edit.new.value, planned.written[edit.param.path], _note(edit)
                    )
                )
        return ParamsUpdatePlan(
            self.snapshot.root,
            tuple(changes),
            tuple(self.rejected),
            tuple(self.unknown),
            tuple(self.unchanged),
            "".join(diffs),
            tuple(files),
        )

    def _one_edit_per_value(self, keyed_edits: list[tuple[str, Edit]]) -> list[tuple[str, Edit]]:
        """Keep one edit per span: keys that share an anchor must ask for the same value."""
        by_span: dict[tuple[int, int], list[tuple[str, Edit]]] = {}
        for key, edit in keyed_edits:
            by_span.setdefault(edit.param.span, []).append((key, edit))  # type: ignore[arg-type]
        one_per_span = []
        for group in by_span.values():
            values = [edit.new.value for _, edit in group]
            if all(same_value(values[0], other) for other in values[1:]):
                one_per_span.append(group[0])
                continue
            keys = ", ".join(key for key, _ in group)
            for key, edit in group:
                self.rejected.append(
                    ParamRejection(key, edit.new.value, f"{keys} share one value through an anchor but were given different values")
                )
        return one_per_span


def _as_list(value: Any) -> list[Any] | None:
    if isinstance(value, (list, tuple)):
        return list(value)
    if not isinstance(value, str):
        return None
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    # MLflow stores a list as Python writes it, `[64, 64, 32]` or `['a', 'b']`,
    # which reads as a YAML flow sequence.
    try:
        parsed = YAML(typ="safe", pure=True).load(value)
    except YAMLError:
        return None
    return parsed if isinstance(parsed, list) else None


def _note(edit: Edit) -> str | None:
    notes = []
    if edit.param.shared_with:
        others = ", ".join(format_key(path) for path in edit.param.shared_with)
        notes.append(f"also changes {others}, which share this value")
    if edit.new.note:
        notes.append(edit.new.note)
    return "; ".join(notes) or None
