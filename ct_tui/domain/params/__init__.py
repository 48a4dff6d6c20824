"""Params files of a DVC project: read as DVC reads them, edited without touching anything else.

The public API, all blocking (call it from a worker thread):

- `load_params(root)` reads params.yaml and every params file named in
  dvc.yaml into a `ParamsSnapshot`: each `Param` with its value, type, the
  stages that declare it, anchors it shares and YAML 1.1 differences.
- `save_value(snapshot, param, text)` validates and writes one value.
- `plan_updates(root, values)` and `apply_updates(plan)` write many values
  at once, such as the params of an MLflow run.
- `diff_params(snapshot)` compares with git HEAD (`dvc params diff`) and
  with dvc.lock.
"""

from ct_tui.domain.params.diff import HeadChange, LockChange, ParamsDiff, diff_params
from ct_tui.domain.params.errors import (
    ParamsConflict,
    ParamsError,
    ParamsFileInvalid,
    ParamsWriteError,
    ValueRejected,
)
from ct_tui.domain.params.model import Param, ParamPath, ParamsFile, format_key, type_name
from ct_tui.domain.params.snapshot import (
    ParamsSnapshot,
    SaveResult,
    head_difference,
    load_params,
    revert_to_head,
    save_value,
)
from ct_tui.domain.params.stages import PipelineParams, StageParams, StageRerun, describe_reruns
from ct_tui.domain.params.store import SavedFile, undo_saved
from ct_tui.domain.params.updates import (
    ParamChange,
    ParamRejection,
    ParamsUpdatePlan,
    apply_updates,
    plan_updates,
)

__all__ = [
    "HeadChange",
    "LockChange",
    "Param",
    "ParamChange",
    "ParamPath",
    "ParamRejection",
    "ParamsConflict",
    "ParamsDiff",
    "ParamsError",
    "ParamsFile",
    "ParamsFileInvalid",
    "ParamsSnapshot",
    "ParamsUpdatePlan",
    "ParamsWriteError",
    "PipelineParams",
    "SaveResult",
    "SavedFile",
    "StageParams",
    "StageRerun",
    "ValueRejected",
    "apply_updates",
    "describe_reruns",
    "diff_params",
    "format_key",
    "head_difference",
    "load_params",
    "plan_updates",
    "revert_to_head",
    "save_value",
    "type_name",
    "undo_saved",
]
