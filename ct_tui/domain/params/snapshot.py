"""Load every params file the pipeline uses, and save, undo and revert edits to them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from ct_tui.domain.params.edit import Edit, plan_text
from ct_tui.domain.params.errors import ParamsConflict, ParamsError, ParamsFileInvalid
from ct_tui.domain.params.model import Param, ParamPath, ParamsFile
from ct_tui.domain.params.source import parse_params_file
from ct_tui.domain.params.stages import (
    DEFAULT_PARAMS_FILE,
    PipelineParams,
    StageRerun,
    read_pipeline_params,
    stages_to_rerun,
)
from ct_tui.domain.params.store import SavedFile, head_bytes, unified_diff, write_checked
from ct_tui.domain.params.values import validate_text

log = logging.getLogger(__name__)

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ParamsSnapshot:
    """Every params file of a project as loaded at one moment, with the stages that use them."""

    root: Path
    files: tuple[ParamsFile, ...]
    pipeline: PipelineParams
    problems: tuple[str, ...] = ()
    """Files that could not be read and declared keys that are missing, as messages."""

    @property
    def source_paths(self) -> list[Path]:
        """The files this snapshot was read from: params.yaml, each declared params file, dvc.yaml.

        Declared files that are missing are included, so that creating one can be noticed.
        """
        names = [DEFAULT_PARAMS_FILE, "dvc.yaml", *self.pipeline.files, *(f.name for f in self.files)]
        return [self.root / name for name in dict.fromkeys(names)]

    @property
    def reruns(self) -> list[StageRerun]:
        return stages_to_rerun(self.pipeline)

    def file(self, name: str) -> ParamsFile:
        for params_file in self.files:
            if params_file.name == name:
                return params_file
        raise ParamsError(f"{name} is not a params file of this project")

    def param(self, file: str, path: ParamPath) -> Param | None:
        return self.file(file).get(path)

    def find(self, key: str) -> list[Param]:
        """Return the params named `key` (dotted, as in dvc.yaml) in every file, default file first."""
        found = [param for params_file in self.files for param in params_file.params if param.key == key]
        return sorted(found, key=lambda param: param.file != DEFAULT_PARAMS_FILE)


@dataclass(frozen=True)
class SaveResult:
    """A saved edit: the file change, to undo it, and what the user should know."""

    saved: SavedFile
    written: str
    """The YAML text now in the file for the value."""

    note: str | None = None


def load_params(root: Path) -> ParamsSnapshot:
    """Read params.yaml and every params file named in dvc.yaml, with each param's stages.

    Reads files and runs DVC: call it from a worker thread.
    """
    pipeline = read_pipeline_params(root)
    problems: list[str] = [pipeline.error] if pipeline.error else []
    names = [DEFAULT_PARAMS_FILE] if (root / DEFAULT_PARAMS_FILE).is_file() else []
    names += [name for name in pipeline.files if name not in names]

    files = []
    for name in names:
        path = root / name
        if not name.endswith(YAML_SUFFIXES):
            # NOTE: DVC also reads JSON, TOML and Python params files; ct-tui only edits YAML.
            problems.append(f"{name}: only YAML params files are shown and edited by ct-tui")
            continue
        try:
            params_file = parse_params_file(path, name, path.read_bytes())
        except FileNotFoundError:
            problems.append(f"{name} is declared in dvc.yaml but does not exist")
            continue
        except ParamsFileInvalid as error:
            problems.append(str(error))
            continue
        except OSError as error:
            problems.append(f"cannot read {name}: {error}")
            continue
        files.append(_with_stages(params_file, pipeline))

    for declaration in pipeline.declarations:
        loaded = next((f for f in files if f.name == declaration.file), None)
        if loaded is None:
            continue
        for key in declaration.keys:
            if not any(param.key == key for param in loaded.params):
                problems.append(f"stage {declaration.stage} declares {key}, which is not in {declaration.file}")
    return ParamsSnapshot(root, tuple(files), pipeline, tuple(dict.fromkeys(problems)))


def _with_stages(params_file: ParamsFile, pipeline: PipelineParams) -> ParamsFile:
    params = tuple(
        replace(param, stages=pipeline.stages_using(params_file.name, param.path)) for param in params_file.params
    )
    return replace(params_file, params=params)


def save_value(snapshot: ParamsSnapshot, param: Param, text: str, *, allow_type_change: bool = False) -> SaveResult:
    """Validate `text` as the new value of `param` and write it; only that value's bytes change.

    Raises ValueRejected (nothing written), ParamsConflict when the file
    changed on disk since `snapshot` was loaded, or ParamsWriteError.
    """
    params_file = snapshot.file(param.file)
    loaded = params_file.get(param.path)
    if loaded is None or loaded.span != param.span or loaded.source != param.source:
        # `param` comes from another load of the file, so its span may point elsewhere.
        raise ParamsConflict(
            f"{param.key} in {param.file} changed after it was loaded for editing, so nothing was written; "
            "edit it again"
        )
    new = validate_text(param, text, allow_type_change=allow_type_change)
    planned = plan_text(params_file, [Edit(param, new)])
    data = planned.text.encode("utf-8")
    written = planned.written[param.path]
    write_checked(params_file.path, params_file.name, params_file.raw, data)
    old_text = param.source or "(empty)"
    description = f"{param.key}: {old_text} → {written}"
    log.info("saved %s in %s", description, params_file.name)
    undo_description = f"{param.key}: {written} → {old_text}"
    saved = SavedFile(params_file.path, params_file.name, params_file.raw, data, description, undo_description)
    return SaveResult(saved, written, new.note)


def head_difference(snapshot: ParamsSnapshot, name: str) -> tuple[bytes, str, str]:
    """Return the file's bytes at git HEAD, the commit's short hash, and a diff from the loaded file."""
    params_file = snapshot.file(name)
    data, commit = head_bytes(snapshot.root, name)
    diff = unified_diff(name, params_file.raw, data, "now", f"HEAD {commit}")
    return data, commit, diff


def revert_to_head(snapshot: ParamsSnapshot, name: str, head: bytes, commit: str) -> SavedFile:
    """Write the file as it is in git HEAD, if it still contains what `snapshot` loaded."""
    params_file = snapshot.file(name)
    write_checked(params_file.path, name, params_file.raw, head)
    log.info("reverted %s to HEAD %s", name, commit)
    return SavedFile(
        params_file.path,
        name,
        params_file.raw,
        head,
        f"{name} reverted to HEAD {commit}",
        f"the revert of {name} to HEAD {commit}",
    )
