"""SQL over MLflow's run tables, with the ordering and filtering of MLflow's own SQL store.

Both the embedded SQLite store (read directly, read-only) and ct-tui's local
index of a tracking server have tables named and shaped like MLflow's: `runs`,
`latest_metrics`, `params`, `tags`, `experiments`, `model_versions` and
`registered_model_aliases`. The same compiled query serves both.

The ordering copies `_get_orderby_clauses` of MLflow's SqlAlchemyStore
(mlflow/store/tracking/sqlalchemy_store.py, MLflow 3.x). Each sort key sorts
first by a presence rank (metrics: real value 0, NaN 1, missing 2; other keys:
present 0, missing 1), then by the value. Ties fall to `start_time DESC`,
unless the user sorts on it, then to `run_uuid`. The filters copy
`_get_sqlalchemy_filter_clauses`: a metric filter never matches a NaN metric,
except with `!=`. Unlike MLflow,
metric, param and tag lookups are indexed joins on (key, run_uuid), so sorting
20,000 runs by a metric takes milliseconds instead of seconds.
"""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ct_tui.domain.runs_query import ATTRIBUTE, METRIC, PARAM, TAG, ModelVersionRef, RunRow, RunsQuery

RUN_NAME_TAG = "mlflow.runName"

_ATTRIBUTE_COLUMNS = {
    "run_id": "run_uuid",
    "run_name": "name",
    "start_time": "start_time",
    "end_time": "end_time",
    "status": "status",
    "user_id": "user_id",
    "artifact_uri": "artifact_uri",
}
"""MLflow search attribute -> column of `runs` (`SqlRun.get_attribute_name`)."""

_ATTRIBUTE_ALIASES = {"created": "start_time", "Created": "start_time", "run name": "run_name", "Run name": "run_name", "Run Name": "run_name"}

_PLAIN_COMPARATORS = {"=", "!=", ">", ">=", "<", "<="}

REQUIRED_COLUMNS = {
    "runs": {"run_uuid", "name", "status", "start_time", "end_time", "lifecycle_stage", "experiment_id", "user_id", "artifact_uri"},
    "latest_metrics": {"key", "value", "is_nan", "run_uuid"},
    "params": {"key", "value", "run_uuid"},
    "tags": {"key", "value", "run_uuid"},
    "experiments": {"experiment_id", "name", "lifecycle_stage"},
}
"""Tables and columns the queries of this module read."""

REGISTRY_COLUMNS = {
    "model_versions": {"name", "version", "run_id", "current_stage"},
    "registered_model_aliases": {"alias", "name", "version"},
}
"""Registry tables, read when present, to show the model versions of each run."""

PAGE_BATCH = 500
"""Run ids per `IN (...)` list; well under SQLite's limit of bound variables."""


class UnsupportedQuery(Exception):
    """The filter uses something this compiler does not translate (dataset filters)."""


@dataclass(frozen=True)
class CompiledQuery:
    """SQL that selects the `run_uuid` of every matching run, in MLflow's order."""

    sql: str
    args: tuple


def compile_run_ids(query: RunsQuery, filters: Sequence[dict]) -> CompiledQuery:
    """Compile `query` (with its filter already parsed by MLflow's SearchUtils) to SQL."""
    joins: list[str] = []
    join_args: list = []
    orders: list[str] = []
    sorts = [query.sort] if query.sort else []
    sorted_on_start_time = False
    for number, sort in enumerate(sorts):
        direction = "ASC" if sort.ascending else "DESC"
        if sort.kind == ATTRIBUTE:
            key = _ATTRIBUTE_ALIASES.get(sort.key, sort.key)
            column = f"r.{_attribute_column(key)}"
            sorted_on_start_time = sorted_on_start_time or key == "start_time"
            orders += [f"CASE WHEN {column} IS NULL THEN 1 ELSE 0 END", f"{column} {direction}"]
            continue
        alias = f"s{number}"
        table = {METRIC: "latest_metrics", PARAM: "params", TAG: "tags"}[sort.kind]
        joins.append(f"LEFT JOIN {table} {alias} ON {alias}.run_uuid = r.run_uuid AND {alias}.key = ?")
        join_args.append(sort.key)
        if sort.kind == METRIC:
            rank = f"CASE WHEN {alias}.is_nan = 1 THEN 1 WHEN {alias}.value IS NULL THEN 2 ELSE 0 END"
        else:
            rank = f"CASE WHEN {alias}.value IS NULL THEN 1 ELSE 0 END"
        orders += [rank, f"{alias}.value {direction}"]
    if not sorted_on_start_time:
        orders.append("r.start_time DESC")
    orders.append("r.run_uuid")

    where, where_args = where_clause(query, filters)
    sql = f"SELECT r.run_uuid FROM runs r {' '.join(joins)} WHERE {where} ORDER BY {', '.join(orders)}"
    return CompiledQuery(sql, tuple(join_args + where_args))


def where_clause(query: RunsQuery, filters: Sequence[dict]) -> tuple[str, list]:
    """Return the WHERE condition on `runs r` for the experiments, lifecycle and filters of `query`."""
    stages = ["active", "deleted"] if query.include_deleted else ["active"]
    experiment_ids = [int(value) for value in query.experiment_ids]
    conditions = [
        f"r.experiment_id IN ({_marks(experiment_ids)})",
        f"r.lifecycle_stage IN ({_marks(stages)})",
    ]
    args: list = [*experiment_ids, *stages]
    for clause in filters:
        condition, clause_args = _filter_condition(clause)
        conditions.append(condition)
        args += clause_args
    return " AND ".join(conditions), args


_FILTER_KINDS = {"attribute": ATTRIBUTE, "metric": METRIC, "parameter": PARAM, "tag": TAG}
"""SearchUtils' entity types in a parsed filter -> the kinds of this package."""


def _filter_condition(clause: dict) -> tuple[str, list]:
    kind = _FILTER_KINDS.get(clause["type"], clause["type"])
    key = _ATTRIBUTE_ALIASES.get(clause["key"], clause["key"])
    comparator = clause["comparator"].upper()
    value = clause["value"]

    if kind == ATTRIBUTE:
        if key == "run_name":
            # MLflow compares the run-name tag, because `runs.name` is empty for
            # runs logged by MLflow 1.29 and older.
            condition, args = _compare("x.value", comparator, value)
            return _exists("tags", condition), [RUN_NAME_TAG, *args]
        return _compare(f"r.{_attribute_column(key)}", comparator, value)

    if kind == METRIC:
        condition, args = _compare("x.value", comparator, float(value))
        if comparator == "!=":
            condition = f"({condition} OR x.is_nan = 1)"
        else:
            condition = f"({condition} AND x.is_nan = 0)"
        return _exists("latest_metrics", condition), [key, *args]

    if kind in (PARAM, TAG):
        table = "params" if kind == PARAM else "tags"
        if comparator == "IS NULL":
            return f"NOT {_exists(table, '1')}", [key]
        if comparator == "IS NOT NULL":
            return _exists(table, "1"), [key]
        condition, args = _compare("x.value", comparator, value)
        return _exists(table, condition), [key, *args]

    raise UnsupportedQuery(f"filters on {kind} are searched by MLflow itself")


def _exists(table: str, condition: str) -> str:
    return f"EXISTS (SELECT 1 FROM {table} x WHERE x.run_uuid = r.run_uuid AND x.key = ? AND {condition})"


def _compare(column: str, comparator: str, value) -> tuple[str, list]:
    if comparator in _PLAIN_COMPARATORS:
        return f"{column} {comparator} ?", [value]
    if comparator == "LIKE":
        return f"{column} LIKE ?", [value]
    if comparator == "ILIKE":
        return f"lower({column}) LIKE lower(?)", [value]
    if comparator in ("IN", "NOT IN"):
        values = list(value)
        if not values:
            return ("0", []) if comparator == "IN" else ("1", [])
        return f"({column} {comparator} ({_marks(values)}))", values
    raise UnsupportedQuery(f"comparator {comparator} is searched by MLflow itself")


def _attribute_column(key: str) -> str:
    try:
        return _ATTRIBUTE_COLUMNS[key]
    except KeyError:
        raise UnsupportedQuery(f"attribute {key} is searched by MLflow itself") from None


def _marks(values: Sequence) -> str:
    return ", ".join("?" * len(values))


def fetch_rows(
    connection: sqlite3.Connection,
    run_ids: Sequence[str],
    tag_keys: Iterable[str],
    *,
    with_registry: bool,
) -> list[RunRow]:
    """Read the runs `run_ids` with their latest metrics, params and the tags `tag_keys`, in that order."""
    rows: dict[str, RunRow] = {}
    tag_keys = list(tag_keys)
    for start in range(0, len(run_ids), PAGE_BATCH):
        batch = list(run_ids[start : start + PAGE_BATCH])
        marks = _marks(batch)
        for run_id, experiment_id, name, status, start_time, end_time, stage, user in connection.execute(
            "SELECT run_uuid, experiment_id, name, status, start_time, end_time, lifecycle_stage, user_id"
            f" FROM runs WHERE run_uuid IN ({marks})",
            batch,
        ):
            rows[run_id] = RunRow(
                run_id, str(experiment_id), name or "", status or "", start_time, end_time, stage or "active", user or ""
            )
        for run_id, key, value, is_nan in connection.execute(
            f"SELECT run_uuid, key, value, is_nan FROM latest_metrics WHERE run_uuid IN ({marks})", batch
        ):
            rows[run_id].metrics[key] = math.nan if is_nan else value
        for run_id, key, value in connection.execute(
            f"SELECT run_uuid, key, value FROM params WHERE run_uuid IN ({marks})", batch
        ):
            rows[run_id].params[key] = value
        if tag_keys:
            for run_id, key, value in connection.execute(
                f"SELECT run_uuid, key, value FROM tags WHERE run_uuid IN ({marks}) AND key IN ({_marks(tag_keys)})",
                [*batch, *tag_keys],
            ):
                rows[run_id].tags[key] = value or ""
        if with_registry:
            for run_id, versions in _model_versions(connection, batch).items():
                rows[run_id].model_versions = tuple(versions)
    return [rows[run_id] for run_id in run_ids if run_id in rows]


def _model_versions(connection: sqlite3.Connection, run_ids: list[str]) -> dict[str, list[ModelVersionRef]]:
    found = connection.execute(
        "SELECT run_id, name, version FROM model_versions"
        f" WHERE run_id IN ({_marks(run_ids)}) AND (current_stage IS NULL OR current_stage != 'Deleted_Internal')"
        " ORDER BY name, version",
        run_ids,
    ).fetchall()
    if not found:
        return {}
    names = sorted({name for _, name, _ in found})
    aliases: dict[tuple[str, int], list[str]] = defaultdict(list)
    for name, version, alias in connection.execute(
        f"SELECT name, version, alias FROM registered_model_aliases WHERE name IN ({_marks(names)}) ORDER BY alias",
        names,
    ):
        aliases[(name, int(version))].append(alias)
    versions: dict[str, list[ModelVersionRef]] = defaultdict(list)
    for run_id, name, version in found:
        versions[run_id].append(ModelVersionRef(name, int(version), tuple(aliases.get((name, int(version)), ()))))
    return versions


def list_keys(connection: sqlite3.Connection, table: str, query: RunsQuery, filters: Sequence[dict]) -> list[str]:
    """Return the distinct metric or param keys (`table` is latest_metrics or params) of the matching runs."""
    where, args = where_clause(query, filters)
    return [
        key
        for (key,) in connection.execute(
            f"SELECT DISTINCT x.key FROM {table} x JOIN runs r ON r.run_uuid = x.run_uuid WHERE {where} ORDER BY x.key",
            args,
        )
    ]


def differing_params(connection: sqlite3.Connection, query: RunsQuery, filters: Sequence[dict]) -> list[str]:
    """Return the param keys whose value is not the same in every matching run, sorted."""
    where, args = where_clause(query, filters)
    (total,) = connection.execute(f"SELECT COUNT(*) FROM runs r WHERE {where}", args).fetchone()
    keys = []
    for key, distinct, count in connection.execute(
        "SELECT x.key, COUNT(DISTINCT x.value), COUNT(*) FROM params x"
        f" WHERE x.run_uuid IN (SELECT r.run_uuid FROM runs r WHERE {where}) GROUP BY x.key ORDER BY x.key",
        args,
    ):
        if distinct > 1 or count < total:
            keys.append(key)
    return keys


def missing_columns(connection: sqlite3.Connection, required: dict[str, set[str]]) -> list[str]:
    """Return `table.column` for every required column the database lacks (a missing table lists all)."""
    missing = []
    for table, columns in required.items():
        present = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        missing += [f"{table}.{column}" for column in sorted(columns - present)]
    return missing

