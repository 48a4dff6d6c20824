"""What the Runs screen requests from a tracking store, and the rows it gets back.

Sort keys and the query are plain values, so that a query can be built and
its `order_by` written without importing mlflow. The filter string is parsed
with MLflow's own SearchUtils, in `parse_filter`, which imports mlflow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ct_tui.domain.errors import TrackingError

ATTRIBUTE = "attribute"
METRIC = "metric"
PARAM = "param"
TAG = "tag"

_KIND_PREFIXES = {
    "metric": METRIC,
    "metrics": METRIC,
    "param": PARAM,
    "params": PARAM,
    "parameter": PARAM,
    "parameters": PARAM,
    "tag": TAG,
    "tags": TAG,
    "attribute": ATTRIBUTE,
    "attributes": ATTRIBUTE,
    "attr": ATTRIBUTE,
    "run": ATTRIBUTE,
}
"""Entity prefixes that MLflow's search syntax accepts, with the kind each names."""

ORDERABLE_ATTRIBUTES = ("start_time", "end_time", "status", "run_name", "run_id", "user_id", "artifact_uri")
"""Run attributes MLflow can order by (`RunInfo.get_orderable_attributes`, MLflow 3.x)."""

_ATTRIBUTE_ALIASES = {"created": "start_time", "Created": "start_time", "run name": "run_name", "Run name": "run_name", "Run Name": "run_name"}

FILTER_EXAMPLE = "metrics.accuracy > 0.8 and params.`train.C_hyperparameter` = '1.0'"
"""A valid MLflow filter string, shown in help and error messages."""


@dataclass(frozen=True)
class SortKey:
    """One `order_by` clause: what to sort on and in which direction."""

    kind: str
    """ATTRIBUTE, METRIC, PARAM or TAG."""

    key: str
    """Attribute name (`start_time`) or metric, param or tag key."""

    ascending: bool = False

    def to_order_by(self) -> str:
        """Return the clause in MLflow's `order_by` syntax, such as ``metrics.`f1` DESC``."""
        prefix = {ATTRIBUTE: "attributes", METRIC: "metrics", PARAM: "params", TAG: "tags"}[self.kind]
        key = self.key if self.kind == ATTRIBUTE else f"`{self.key}`"
        return f"{prefix}.{key} {'ASC' if self.ascending else 'DESC'}"

    @property
    def label(self) -> str:
        """The key and an arrow, such as `accuracy ↓`, for status lines."""
        arrow = "↑" if self.ascending else "↓"
        name = self.key.replace("_", " ") if self.kind == ATTRIBUTE else self.key
        return f"{name} {arrow}"


def parse_order_by(text: str) -> SortKey:
    """Parse one MLflow `order_by` clause (``metrics.accuracy DESC``) without importing mlflow.

    Accepts the prefixes and quoting that MLflow accepts: ``params.`a b` ASC``,
    ``metric."x"``, a bare attribute such as ``start_time``. Raises TrackingError
    on anything else.
    """
    stripped = text.strip()
    ascending = True
    match = re.fullmatch(r"(?P<ident>.+?)\s+(?P<direction>asc|desc)", stripped, flags=re.IGNORECASE)
    if match:
        stripped = match.group("ident").strip()
        ascending = match.group("direction").lower() == "asc"
    prefix, dot, rest = stripped.partition(".")
    if dot:
        kind = _KIND_PREFIXES.get(prefix.strip("`"))
        if kind is None:
            raise TrackingError(
                f"invalid sort column {text!r}: it must start with metrics., params., tags. "
                "or attributes., for example 'metrics.accuracy DESC'"
            )
        key = _unquote(rest)
    else:
        kind, key = ATTRIBUTE, _unquote(stripped)
    if kind == ATTRIBUTE:
        key = _ATTRIBUTE_ALIASES.get(key, key)
        if key not in ORDERABLE_ATTRIBUTES:
            raise TrackingError(
                f"invalid sort attribute {key!r} in {text!r}: use one of {', '.join(ORDERABLE_ATTRIBUTES)}"
            )
    if not key:
        raise TrackingError(f"invalid sort column {text!r}: the key is empty")
    return SortKey(kind, key, ascending)


def _unquote(key: str) -> str:
    key = key.strip()
    for quote in ("`", '"', "'"):
        if len(key) >= 2 and key.startswith(quote) and key.endswith(quote):
            return key[1:-1]
    return key


@dataclass(frozen=True)
class RunsQuery:
    """A search for runs, with the meaning of MLflow's `search_runs` arguments."""

    experiment_ids: tuple[str, ...]
    filter_string: str = ""
    """MLflow filter string; empty for all runs."""

    sort: SortKey | None = None
    """The single `order_by` clause; None for MLflow's default (newest first, then run id)."""

    include_deleted: bool = False
    """True for `ViewType.ALL`, False for `ViewType.ACTIVE_ONLY`."""

    @property
    def order_by(self) -> list[str]:
        return [self.sort.to_order_by()] if self.sort else []


@dataclass(frozen=True)
class ModelVersionRef:
    """A registered model version that was registered from a run."""

    name: str
    version: int
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        text = f"{self.name} v{self.version}"
        if self.aliases:
            text += " " + " ".join(f"@{alias}" for alias in self.aliases)
        return text


@dataclass(slots=True)
class RunRow:
    """One run as the table shows it: MLflow's run info, latest metrics, params and some tags.

    Slotted, and with dicts of strings and floats only, so that the garbage
    collector has few objects to scan when 20,000 runs are loaded.
    """

    run_id: str
    experiment_id: str
    name: str
    status: str
    start_time: int | None
    """Milliseconds since the epoch."""

    end_time: int | None
    lifecycle_stage: str
    user_id: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    """Latest value of each metric; NaN where MLflow stored NaN."""

    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    """Only the tags the table needs: lineage tags and the run name."""

    model_versions: tuple[ModelVersionRef, ...] = ()

    @property
    def deleted(self) -> bool:
        return self.lifecycle_stage == "deleted"

    @property
    def duration_ms(self) -> int | None:
        if self.start_time is None or self.end_time is None:
            return None
        return self.end_time - self.start_time


@dataclass(frozen=True)
class Experiment:
    """An MLflow experiment, as the picker lists it."""

    experiment_id: str
    name: str
    lifecycle_stage: str = "active"


def parse_filter(filter_string: str) -> list[dict]:
    """Parse an MLflow filter string with MLflow's own SearchUtils; raise TrackingError if invalid.

    Imports mlflow, so call it from a worker.
    """
    if not filter_string.strip():
        return []
    from mlflow.exceptions import MlflowException
    from mlflow.utils.search_utils import SearchUtils

    try:
        parsed = SearchUtils.parse_search_filter(filter_string)
        for clause in parsed:
            _check_comparator(SearchUtils, clause)
    except MlflowException as error:
        raise TrackingError(
            f"invalid filter {filter_string!r}: {str(error.message).rstrip('.')}. Example: {FILTER_EXAMPLE}"
        ) from error
    return parsed


def _check_comparator(search_utils, clause: dict) -> None:
    """Raise MlflowException as search_runs would for a comparator the key type does not allow."""
    kind = clause.get("type")
    comparator = clause.get("comparator", "").upper()
    key = search_utils.translate_key_alias(clause.get("key"))
    if search_utils.is_string_attribute(kind, key, comparator) or search_utils.is_numeric_attribute(kind, key, comparator):
        return
    if search_utils.is_metric(kind, comparator) or search_utils.is_param(kind, comparator):
        return
    if search_utils.is_tag(kind, comparator) or search_utils.is_dataset(kind, comparator):
        return
