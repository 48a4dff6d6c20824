"""Columns of the Runs screen: their order, the MLflow sort key of each, and the cells of a run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ct_tui.domain import tags
from ct_tui.domain.run_detail import format_metric
from ct_tui.domain.runs_query import ATTRIBUTE, METRIC, PARAM, TAG, RunRow, SortKey
from ct_tui.domain.runs_store import ColumnKeys
from ct_tui.ui.screens.runs_view import RunsView
from ct_tui.ui.widgets.runs_table import TableColumn, TableRow

DEFAULT_PARAM_COLUMNS = 3
"""Differing params shown before the user chooses columns with `c`."""

DEFAULT_METRIC_COLUMNS = 3
"""Metrics shown when the project's metrics file names none."""


@dataclass(frozen=True)
class RunsColumn:
    """A column of the runs table and the MLflow sort key behind it."""

    key: str
    label: str
    sort: SortKey | None
    """Ascending sort on this column, or None when MLflow cannot sort on it."""

    justify: str = "left"

    def table_column(self) -> TableColumn:
        return TableColumn(self.key, self.label, self.justify)


START = RunsColumn("start", "Start", SortKey(ATTRIBUTE, "start_time", True))
STATUS = RunsColumn("status", "Status", SortKey(ATTRIBUTE, "status", True))
DURATION = RunsColumn("duration", "Time", None, "right")
COMMIT = RunsColumn("commit", "Commit", SortKey(TAG, tags.GIT_COMMIT, True))
MODELS = RunsColumn("models", "Models", None)


def metric_column(key: str) -> RunsColumn:
    return RunsColumn(f"metric:{key}", key, SortKey(METRIC, key, True), "right")


def param_column(key: str) -> RunsColumn:
    return RunsColumn(f"param:{key}", key, SortKey(PARAM, key, True), "right")


def build_columns(metrics: list[str], params: list[str]) -> list[RunsColumn]:
    """Return the table's columns: when and how the run went, its metrics, lineage, then params.

    Params come last because they are the widest, so that at 80 columns the
    commit and the model versions stay in view.
    """
    return [START, STATUS, DURATION, *map(metric_column, metrics), COMMIT, MODELS, *map(param_column, params)]


def column_for_sort(columns: list[RunsColumn], sort: SortKey | None) -> str | None:
    """Return the key of the column that `sort` sorts on, if it is shown."""
    if sort is None:
        return START.key
    for column in columns:
        if column.sort is not None and (column.sort.kind, column.sort.key) == (sort.kind, sort.key):
            return column.key
    return None


def choose_metrics(view: RunsView, key_metrics: list[str], keys: ColumnKeys) -> list[str]:
    """Return the metrics chosen with `c`, else those of the project's DVC metrics file, else the store's first."""
    if view.metrics is not None:
        return view.metrics
    if key_metrics:
        return list(key_metrics)
    return keys.metrics[:DEFAULT_METRIC_COLUMNS]


def choose_params(view: RunsView, keys: ColumnKeys) -> list[str]:
    """Return the params chosen with `c`, else the first params whose value differs between runs."""
    if view.params is not None:
        return view.params
    return keys.differing_params[:DEFAULT_PARAM_COLUMNS]


def to_table_row(run: RunRow, columns: list[RunsColumn], model_name: str) -> TableRow:
    """Format `run` as the cells of `columns`; `model_name` is left out of version labels to save width."""
    return TableRow(run.run_id, tuple(_cell(run, column, model_name) for column in columns), run.deleted)


def _cell(run: RunRow, column: RunsColumn, model_name: str) -> str:
    if column is START or column.key == "start":
        return format_time(run.start_time)
    if column.key == "status":
        return "deleted" if run.deleted else run.status.lower()
    if column.key == "duration":
        if run.end_time:
            return format_duration(run.duration_ms)
        return "…" if run.status == "RUNNING" else ""
    if column.key == "commit":
        return format_commit(run.tags)
    if column.key == "models":
        labels = []
        for version in run.model_versions:
            label = version.label if version.name != model_name else version.label[len(version.name) + 1 :]
            labels.append(label)
        return ", ".join(labels)
    kind, _, key = column.key.partition(":")
    if kind == "metric":
        value = run.metrics.get(key)
        return "" if value is None else format_metric(value)
    if kind == "param":
        return run.params.get(key, "")
    return ""


def format_time(millis: int | None) -> str:
    """Local date and time of an MLflow timestamp (milliseconds), to the minute."""
    if millis is None:
        return ""
    return datetime.fromtimestamp(millis / 1000).strftime("%Y-%m-%d %H:%M")


def format_duration(millis: int | None) -> str:
    if millis is None or millis < 0:
        return ""
    seconds = millis // 1000
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def format_commit(run_tags: dict[str, str]) -> str:
    """Short commit of the run, with `*` when the tree had uncommitted changes; `unknown` without a tag."""
    commit = run_tags.get(tags.GIT_COMMIT) or run_tags.get(tags.MLFLOW_GIT_COMMIT)
    if not commit:
        return "unknown"
    dirty = run_tags.get(tags.GIT_DIRTY, "").lower() == "true"
    return commit[:7] + ("*" if dirty else "")
