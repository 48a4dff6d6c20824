"""A local index of a tracking server's runs, persisted under `<root>/.ct-tui/runs-index/`.

MLflow's own search sorts by a metric with a query that grows about with the
square of the run count, and a server adds a round trip per page. The index
keeps the runs of each experiment in SQLite tables shaped like MLflow's, so
`runs_sql` sorts and filters them in milliseconds with MLflow's semantics.

Sync, per experiment:
- first build: every run, newest first, a page at a time, the next page
  fetched while the last one is written;
- afterwards, incrementally: runs started or ended since the last sync (with a
  margin for clocks that differ between machines), runs the index holds as
  running, and the list of deleted runs (restored and purged runs included);
- a full resync when the user requests one, or when the last one is older than a day,
  because a value changed on an old finished run is only seen then.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from ct_tui.domain.project import Project, describe_store, mask_uri
from ct_tui.domain.runs_client import ClientRunsStore, call, iterate_pages, list_model_versions
from ct_tui.domain.runs_index_tables import SCHEMA, delete_runs, write_runs
from ct_tui.domain.runs_query import Experiment
from ct_tui.domain.runs_store import SqlRunsStore

if TYPE_CHECKING:
    from mlflow.entities import Run

log = logging.getLogger(__name__)

INDEX_FORMAT = "2"
"""Version of the index's tables; an index of another version is rebuilt."""

SYNC_PAGE = 1_000
"""Runs per request while syncing: MLflow's default page size for `search_runs`."""

CLOCK_MARGIN_MS = 10 * 60 * 1000
"""Runs started or ended up to this long before the newest indexed time are fetched again."""

FULL_RESYNC_AFTER_S = 24 * 3600
"""A full resync runs when the last one is older than this."""

PARALLEL_PAGES = 4
"""Pages requested at once in a first build; a server with several workers serves them in parallel."""

ID_BATCH = 100
"""Run ids per `attributes.run_id IN (...)` filter."""

def index_path(project: Project) -> Path:
    """Return the index file of the project's tracking server; the name hides credentials."""
    digest = hashlib.sha256(mask_uri(project.tracking_uri).encode()).hexdigest()[:16]
    return project.state_dir / "runs-index" / f"{digest}.sqlite"


class IndexedRunsStore(SqlRunsStore):
    """Runs of a tracking server, read from the local index and synced through MlflowClient."""

    def __init__(self, project: Project, path: Path | None = None) -> None:
        super().__init__(path or index_path(project), project, read_only=False, case_sensitive_like=True)
        self.description = f"{describe_store(project.tracking_uri)} (indexed locally)"
        self._remote = ClientRunsStore(project)
        self._created = False

    def exists(self) -> bool:
        return True

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """Open the index, creating its tables (or rebuilding an index of another format) first."""
        self._create()
        with super().connect() as connection:
            yield connection

    def list_experiments(self) -> list[Experiment]:
        known = super().list_experiments()
        return known if known else self.sync_experiments()

    def latest_experiment(self) -> Experiment | None:
        return super().latest_experiment() or self._remote.latest_experiment()

    def poll(self, experiment_id: str) -> bool:
        """Sync the runs started, ended or running since the last sync; return whether any changed."""
        return self.sync(experiment_id, check_deleted=False) > 0

    def is_complete(self, experiment_id: str) -> bool:
        with self.connect() as connection:
            found = connection.execute(
                "SELECT complete FROM sync_state WHERE experiment_id = ?", (int(experiment_id),)
            ).fetchone()
        return bool(found and found[0])

    def sync_experiments(self) -> list[Experiment]:
        """Copy the server's experiments into the index and return them."""
        experiments = self._remote.list_experiments()
        with self.connect() as connection, connection:
            connection.execute("DELETE FROM experiments")
            connection.executemany(
                "INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (?, ?, ?)",
                [(int(item.experiment_id), item.name, item.lifecycle_stage) for item in experiments],
            )
        return experiments

    def sync(
        self,
        experiment_id: str,
        *,
        full: bool = False,
        check_deleted: bool = True,
        on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Bring the index of one experiment up to date; return how many runs changed.

        `check_deleted` lists the deleted runs and the experiments too; a
        repro's polling skips both.
        `on_progress(count)` is called after each page of a full build.
        """
        with self.connect() as connection:
            state = connection.execute(
                "SELECT complete, full_synced_at FROM sync_state WHERE experiment_id = ?", (int(experiment_id),)
            ).fetchone()
        stale = state is None or not state[0] or (time.time() - (state[1] or 0)) > FULL_RESYNC_AFTER_S
        if check_deleted:
            self.sync_experiments()
        if full or stale:
            written = self._full_sync(experiment_id, on_progress)
        else:
            written = self._incremental_sync(experiment_id, check_deleted)
        self._sync_registry()
        return written

    def _full_sync(self, experiment_id: str, on_progress: Callable[[int], None] | None) -> int:
        from mlflow.entities import ViewType

        client = self._remote.client()
        uri = self.project.tracking_uri
        started = time.monotonic()

        def fetch(token: str | None):
            return call(
                uri,
                lambda: client.search_runs(
                    [experiment_id], "", ViewType.ALL, max_results=SYNC_PAGE, page_token=token
                ),
            )

        seen: set[str] = set()
        written = 0

        def write(page) -> None:
            nonlocal written
            written += self._write_runs(list(page))
            seen.update(run.info.run_id for run in page)
            if on_progress is not None:
                on_progress(len(seen))

        first = fetch(None)
        write(first)
        if first.token:
            offset_tokens = _offset_tokens(first.token)
            with ThreadPoolExecutor(max_workers=PARALLEL_PAGES, thread_name_prefix="ct-tui-index") as pool:
                if offset_tokens is None:
                    _fetch_in_sequence(pool, fetch, first.token, write)
                else:
                    _fetch_in_parallel(pool, fetch, offset_tokens, write)

        with self.connect() as connection, connection:
            indexed = [row[0] for row in connection.execute("SELECT run_uuid FROM runs WHERE experiment_id = ?", (int(experiment_id),))]
            purged = [run_id for run_id in indexed if run_id not in seen]
            delete_runs(connection, purged)
            now = time.time()
            connection.execute(
                "INSERT OR REPLACE INTO sync_state (experiment_id, complete, full_synced_at, synced_at) VALUES (?, 1, ?, ?)",
                (int(experiment_id), now, now),
            )
        log.info(
            "indexed %d runs of experiment %s in %.2f s, %d changed",
            len(seen), experiment_id, time.monotonic() - started, written + len(purged),
        )
        return written + len(purged)

    def _incremental_sync(self, experiment_id: str, check_deleted: bool) -> int:
        from mlflow.entities import ViewType

        client = self._remote.client()
        uri = self.project.tracking_uri
        with self.connect() as connection:
            newest_start, newest_end = connection.execute(
                "SELECT MAX(start_time), MAX(end_time) FROM runs WHERE experiment_id = ?", (int(experiment_id),)
            ).fetchone()
            unfinished = [
                run_id
                for (run_id,) in connection.execute(
                    "SELECT run_uuid FROM runs WHERE experiment_id = ? AND status IN ('RUNNING', 'SCHEDULED')",
                    (int(experiment_id),),
                )
            ]
            deleted_here = {
                run_id
                for (run_id,) in connection.execute(
                    "SELECT run_uuid FROM runs WHERE experiment_id = ? AND lifecycle_stage = 'deleted'",
                    (int(experiment_id),),
                )
            }

        def search(filter_string: str, view=ViewType.ALL) -> list[Run]:
            return call(
                uri,
                lambda: list(
                    iterate_pages(
                        lambda token: client.search_runs(
                            [experiment_id], filter_string, view, max_results=SYNC_PAGE, page_token=token
                        )
                    )
                ),
            )

        found: dict[str, Run] = {}
        for filter_string in _recent_filters(newest_start, newest_end):
            found.update((run.info.run_id, run) for run in search(filter_string))
        for start in range(0, len(unfinished), ID_BATCH):
            found.update((run.info.run_id, run) for run in search(_ids_filter(unfinished[start : start + ID_BATCH])))

        purged: list[str] = []
        if check_deleted:
            deleted_there = {run.info.run_id: run for run in search("", ViewType.DELETED_ONLY)}
            found.update(deleted_there)
            restored_or_purged = sorted(deleted_here - set(deleted_there))
            for start in range(0, len(restored_or_purged), ID_BATCH):
                batch = restored_or_purged[start : start + ID_BATCH]
                fetched = {run.info.run_id: run for run in search(_ids_filter(batch))}
                found.update(fetched)
                purged += [run_id for run_id in batch if run_id not in fetched]

        written = self._write_runs(list(found.values()))
        with self.connect() as connection, connection:
            delete_runs(connection, purged)
            connection.execute("UPDATE sync_state SET synced_at = ? WHERE experiment_id = ?", (time.time(), int(experiment_id)))
        return written + len(purged)

    def _sync_registry(self) -> None:
        versions = list_model_versions(self._remote.client(), self.project.tracking_uri)
        with self.connect() as connection, connection:
            connection.execute("DELETE FROM model_versions")
            connection.execute("DELETE FROM registered_model_aliases")
            for run_id, refs in versions.items():
                for ref in refs:
                    connection.execute(
                        "INSERT OR REPLACE INTO model_versions (name, version, run_id, current_stage) VALUES (?, ?, ?, NULL)",
                        (ref.name, ref.version, run_id),
                    )
                    connection.executemany(
                        "INSERT OR REPLACE INTO registered_model_aliases (alias, version, name) VALUES (?, ?, ?)",
                        [(alias, ref.version, ref.name) for alias in ref.aliases],
                    )

    def _write_runs(self, runs: list[Run]) -> int:
        """Write the runs whose content differs from the index; return how many did."""
        if not runs:
            return 0
        with self.connect() as connection, connection:
            return write_runs(connection, runs)

    def _create(self) -> None:
        if self._created:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with super().connect() as connection:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            found = connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if found is None or found[0] != INDEX_FORMAT:
                if found is not None:
                    log.info("rebuilding the runs index %s: format %s, expected %s", self.path, found[0], INDEX_FORMAT)
                tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                for table in tables:
                    connection.execute(f"DROP TABLE IF EXISTS {table}")
                connection.executescript(SCHEMA)
                connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?)", (INDEX_FORMAT,))
                connection.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('tracking_uri', ?)", (mask_uri(self.project.tracking_uri),)
                )
                connection.commit()
        self._created = True


def _recent_filters(newest_start: int | None, newest_end: int | None) -> list[str]:
    filters = []
    if newest_start is not None:
        filters.append(f"attributes.start_time >= {int(newest_start) - CLOCK_MARGIN_MS}")
    if newest_end is not None:
        filters.append(f"attributes.end_time >= {int(newest_end) - CLOCK_MARGIN_MS}")
    return filters or [""]


def _ids_filter(run_ids: list[str]) -> str:
    return "attributes.run_id IN (" + ", ".join(f"'{run_id}'" for run_id in run_ids) + ")"


def _offset_tokens(token: str) -> Iterator[str] | None:
    """Return page tokens for the offsets after the first page, or None if `token` is not offset-based.

    NOTE: MLflow's SQL and file stores page by offset with tokens that
    `SearchUtils` writes; MLflow calls that format unstable, so it is checked
    on the server's own first token, and anything else is paged in sequence.
    """
    from mlflow.exceptions import MlflowException
    from mlflow.utils.search_utils import SearchUtils

    try:
        offset = SearchUtils.parse_start_offset_from_page_token(token)
    except MlflowException:
        return None
    if offset != SYNC_PAGE or SearchUtils.create_page_token(offset).decode() != str(token):
        return None
    return (SearchUtils.create_page_token(offset).decode() for offset in itertools.count(SYNC_PAGE, SYNC_PAGE))


def _fetch_in_parallel(pool: ThreadPoolExecutor, fetch, tokens: Iterator[str], write) -> None:
    """Keep PARALLEL_PAGES requests in flight, write pages in order, stop after the last one."""
    pending: deque = deque(pool.submit(fetch, next(tokens)) for _ in range(PARALLEL_PAGES))
    ended = False
    while pending:
        page = pending.popleft().result()
        write(page)
        if not page.token:
            ended = True
        if not ended:
            pending.append(pool.submit(fetch, next(tokens)))


def _fetch_in_sequence(pool: ThreadPoolExecutor, fetch, token: str, write) -> None:
    """Follow the server's tokens, fetching the next page while the last one is written."""
    upcoming = pool.submit(fetch, token)
    while upcoming is not None:
        page = upcoming.result()
        upcoming = pool.submit(fetch, page.token) if page.token else None
        write(page)
