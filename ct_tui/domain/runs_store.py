"""Where the Runs screen reads runs from: the SQLite store directly, an index, or MlflowClient.

`open_runs_store` picks by the tracking URI:
- a local `sqlite:///` store whose schema ct-tui knows: read-only SQL on MLflow's
  own tables (`SqlRunsStore`), no mlflow import unless a filter is set;
- an `http(s)://` tracking server: a local index of its runs under `.ct-tui/`
  (`runs_index.IndexedRunsStore`), synced through MlflowClient;
- anything else, or a schema ct-tui does not know: MlflowClient's own paging
  (`ClientRunsStore`), which is correct but slow when sorting by a metric.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from ct_tui.domain import tags
from ct_tui.domain.errors import TrackingError
from ct_tui.domain.project import Project
from ct_tui.domain.runs_client import ClientRunsStore
from ct_tui.domain.runs_query import Experiment, RunRow, RunsQuery, parse_filter
from ct_tui.domain.runs_sql import (
    REGISTRY_COLUMNS,
    REQUIRED_COLUMNS,
    RUN_NAME_TAG,
    UnsupportedQuery,
    compile_run_ids,
    differing_params,
    fetch_rows,
    list_keys,
    missing_columns,
)

log = logging.getLogger(__name__)

TABLE_TAGS = (tags.GIT_COMMIT, tags.GIT_DIRTY, tags.DATA_MD5, tags.DATA_PATH, tags.MLFLOW_GIT_COMMIT, RUN_NAME_TAG)
"""Tags the runs table reads for every run; the detail view reads all tags."""

BUSY_TIMEOUT_S = 5.0
"""How long a read waits while a training run holds the SQLite write lock."""


@dataclass
class ColumnKeys:
    """Metric and param keys of the runs that match a query."""

    metrics: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    differing_params: list[str] = field(default_factory=list)
    """Params whose value is not the same in every matching run."""

    @classmethod
    def of_rows(cls, rows: list[RunRow]) -> ColumnKeys:
        """Return the keys of `rows` alone: a first guess while the store lists the keys of all runs."""
        metrics = sorted({key for row in rows for key in row.metrics})
        params = sorted({key for row in rows for key in row.params})
        differing = [key for key in params if len({row.params.get(key) for row in rows}) > 1]
        return cls(metrics, params, differing)


class RunsCursor:
    """The ordered result of a search, read a page at a time."""

    total: int | None = None
    """Number of matching runs, or None when the store does not tell."""

    loaded: int = 0

    @property
    def has_more(self) -> bool:
        raise NotImplementedError

    def fetch(self, count: int) -> list[RunRow]:
        """Return the next `count` runs (fewer at the end); blocks, so call it from a worker."""
        raise NotImplementedError


class IdListCursor(RunsCursor):
    """A result whose run ids are all known in order; pages read the runs by id."""

    def __init__(self, store: SqlRunsStore, run_ids: list[str]) -> None:
        self._store = store
        self.run_ids = run_ids
        self.total = len(run_ids)

    @property
    def has_more(self) -> bool:
        return self.loaded < len(self.run_ids)

    def fetch(self, count: int) -> list[RunRow]:
        batch = self.run_ids[self.loaded : self.loaded + count]
        rows = self._store.read_rows(batch)
        self.loaded += len(batch)
        return rows


class SqlRunsStore:
    """Runs read with SQL from a SQLite file whose tables have MLflow's shapes."""

    description = ""
    """A credential-free line for the screen's header."""

    def __init__(self, path: Path, project: Project, *, read_only: bool = True, case_sensitive_like: bool = False) -> None:
        self.path = path
        self.project = project
        self._read_only = read_only
        self._case_sensitive_like = case_sensitive_like
        self._fallback: ClientRunsStore | None = None
        self._has_registry: bool | None = None
        self._last_token: object = None
        self.description = f"SQLite {path}"

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """Open a connection for one operation; sqlite3 errors become TrackingError."""
        uri = self.path.as_uri() + ("?mode=ro" if self._read_only else "")
        try:
            connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        except sqlite3.Error as error:
            raise TrackingError(f"cannot open the MLflow store {self.path}: {error}") from error
        try:
            if self._case_sensitive_like:
                connection.execute("PRAGMA case_sensitive_like = ON")
            yield connection
        except sqlite3.Error as error:
            raise TrackingError(f"reading the MLflow store {self.path} failed: {error}") from error
        finally:
            connection.close()

    def exists(self) -> bool:
        return self.path.is_file()

    def list_experiments(self) -> list[Experiment]:
        if not self.exists():
            return []
        with self.connect() as connection:
            return [
                Experiment(str(experiment_id), name, stage or "active")
                for experiment_id, name, stage in connection.execute(
                    "SELECT experiment_id, name, lifecycle_stage FROM experiments ORDER BY name"
                )
            ]

    def latest_experiment(self) -> Experiment | None:
        """Return the active experiment with the most recently started active run."""
        if not self.exists():
            return None
        with self.connect() as connection:
            found = connection.execute(
                "SELECT e.experiment_id, e.name, e.lifecycle_stage FROM runs r"
                " JOIN experiments e ON e.experiment_id = r.experiment_id"
                " WHERE e.lifecycle_stage = 'active' AND r.lifecycle_stage = 'active'"
                " ORDER BY r.start_time DESC LIMIT 1"
            ).fetchone()
        return Experiment(str(found[0]), found[1], found[2]) if found else None

    def search(self, query: RunsQuery) -> RunsCursor:
        """Run `query`; a filter is parsed with MLflow's SearchUtils, which imports mlflow."""
        filters = parse_filter(query.filter_string)
        try:
            compiled = compile_run_ids(query, filters)
        except UnsupportedQuery as reason:
            log.info("searching through MlflowClient: %s", reason)
            return self._client_store().search(query)
        if not self.exists():
            return IdListCursor(self, [])
        with self.connect() as connection:
            run_ids = [run_id for (run_id,) in connection.execute(compiled.sql, compiled.args)]
        return IdListCursor(self, run_ids)

    def read_rows(self, run_ids: list[str]) -> list[RunRow]:
        with self.connect() as connection:
            return fetch_rows(connection, run_ids, TABLE_TAGS, with_registry=self._registry_present(connection))

    def list_columns(self, query: RunsQuery) -> ColumnKeys:
        if not self.exists():
            return ColumnKeys()
        filters = parse_filter(query.filter_string)
        try:
            with self.connect() as connection:
                return ColumnKeys(
                    metrics=list_keys(connection, "latest_metrics", query, filters),
                    params=list_keys(connection, "params", query, filters),
                    differing_params=differing_params(connection, query, filters),
                )
        except UnsupportedQuery:
            return self._client_store().list_columns(query)

    def change_token(self) -> object:
        """Return a value that changes whenever the store file is written (its and its journal's mtimes)."""
        stamps = []
        for suffix in ("", "-wal", "-journal"):
            candidate = self.path.with_name(self.path.name + suffix)
            try:
                stat = candidate.stat()
            except FileNotFoundError:
                stamps.append(None)
                continue
            stamps.append((stat.st_mtime_ns, stat.st_size))
        return tuple(stamps)

    def is_complete(self, experiment_id: str) -> bool:
        return True

    def poll(self, experiment_id: str) -> bool:
        """Return whether the store file changed since the last call; the first call returns True."""
        token = self.change_token()
        changed = token != self._last_token
        self._last_token = token
        return changed

    def _registry_present(self, connection: sqlite3.Connection) -> bool:
        if self._has_registry is None:
            self._has_registry = not missing_columns(connection, REGISTRY_COLUMNS)
        return self._has_registry

    def _client_store(self) -> ClientRunsStore:
        if self._fallback is None:
            self._fallback = ClientRunsStore(self.project)
        return self._fallback


def open_runs_store(project: Project):
    """Return the store that reads the project's runs fastest while giving MLflow's results."""
    path = project.sqlite_path
    if path is not None:
        path = path if path.is_absolute() else (project.root / path)
        reason = unknown_schema_reason(path)
        if reason is None:
            return SqlRunsStore(path, project)
        log.warning("reading runs through MlflowClient: %s", reason)
        return ClientRunsStore(project)
    if project.tracking_uri.startswith(("http://", "https://")):
        from ct_tui.domain.runs_index import IndexedRunsStore

        return IndexedRunsStore(project)
    return ClientRunsStore(project)


def unknown_schema_reason(path: Path) -> str | None:
    """Return why the SQLite store at `path` cannot be read directly, or None when it can.

    A store that does not exist yet can be: it reads as empty, and ct-tui does
    not create it. Otherwise the schema revision in `alembic_version` must be
    one of the installed MLflow's migrations, and every column the queries read must exist.
    """
    if not path.exists():
        return None
    try:
        connection = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as error:
        return f"cannot open {path}: {error}"
    try:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return None
        if "alembic_version" not in tables:
            return f"{path} has no alembic_version table, so its MLflow schema is unknown"
        revisions = [revision for (revision,) in connection.execute("SELECT version_num FROM alembic_version")]
        known = known_schema_revisions()
        if not revisions or revisions[0] not in known:
            return f"schema revision {revisions[0] if revisions else 'none'} of {path} is not one the installed MLflow knows"
        missing = missing_columns(connection, REQUIRED_COLUMNS)
        if missing:
            return f"{path} lacks {', '.join(missing)}"
    except sqlite3.Error as error:
        return f"cannot read the schema of {path}: {error}"
    finally:
        connection.close()
    return None


@lru_cache(maxsize=1)
def known_schema_revisions() -> frozenset[str]:
    """Return the alembic revisions of the installed MLflow's database migrations, without importing mlflow.

    MLflow names each migration file `<revision>_<slug>.py` (alembic's default
    template); a file named otherwise is read for its `revision = "..."` line.
    """
    spec = find_spec("mlflow")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    folder = Path(next(iter(spec.submodule_search_locations))) / "store" / "db_migrations" / "versions"
    revisions = set()
    pattern = re.compile(r'^revision\s*=\s*["\']([0-9a-f]+)["\']', re.MULTILINE)
    for migration in folder.glob("*.py"):
        prefix = migration.name.split("_", 1)[0]
        if re.fullmatch(r"[0-9a-f]{12}", prefix):
            revisions.add(prefix)
            continue
        match = pattern.search(migration.read_text(encoding="utf-8", errors="replace"))
        if match:
            revisions.add(match.group(1))
    return frozenset(revisions)


def resolve_experiment(store, name: str) -> Experiment | None:
    """Return the experiment called `name`, or with `name` empty the one with the latest run.

    None when the store has no such experiment yet (no run was logged).
    """
    if not name:
        return store.latest_experiment()
    matches = [item for item in store.list_experiments() if item.name == name]
    matches.sort(key=lambda item: item.lifecycle_stage != "active")
    return matches[0] if matches else None
