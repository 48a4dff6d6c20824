"""Runs screen: the MLflow runs of the project, sorted and filtered by the tracking store.

The screen decides what to show; every read of the store runs in a thread
worker and comes back as a message. Rows load a page at a time as the cursor
nears the end of what is loaded.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState

from ct_tui.domain.errors import CtTuiError
from ct_tui.domain.metrics_file import key_metrics
from ct_tui.domain.runs_query import Experiment, RunRow, RunsQuery, parse_order_by
from ct_tui.domain.runs_store import ColumnKeys, RunsCursor, open_runs_store, resolve_experiment
from ct_tui.ui.messages import ReproFinished, ReproStarted
from ct_tui.ui.screens.runs_actions import RunsActions
from ct_tui.ui.screens.runs_view import RunsView, status_line, title_line
from ct_tui.ui.screens.runs_columns import (
    RunsColumn,
    build_columns,
    column_for_sort,
    default_metrics,
    default_params,
    to_table_row,
)
from ct_tui.ui.widgets.runs_table import RunsTable

log = logging.getLogger(__name__)

FIRST_PAGE = 200
"""Runs read when a search starts: more than a tall terminal shows."""

NEXT_PAGE = 500
"""Runs read each time the cursor nears the last loaded row."""

POLL_INTERVAL_S = 2.0
"""How often the store is checked for new runs while a repro runs, and only then."""


class RunsScreen(RunsActions, Screen):
    """The runs of one experiment, with sorting, filtering, paging, marks, detail and compare."""

    CSS_PATH = "runs.tcss"

    BINDINGS = [
        Binding("enter", "open_run", "Detail", id="runs.detail"),
        Binding("o", "sort", "Sort", id="runs.sort"),
        Binding("slash", "filter", "Filter", key_display="/", id="runs.filter"),
        Binding("c", "choose_columns", "Columns", id="runs.columns", show=False),
        Binding("space", "mark", "Mark", id="runs.mark"),
        Binding("C", "compare", "Compare", key_display="C", id="runs.compare"),
        Binding("P", "use_params", "Use params", key_display="P", id="runs.use_params"),
        Binding("e", "choose_experiment", "Experiment", id="runs.experiment", show=False),
        Binding("d", "toggle_deleted", "Show/hide deleted runs", id="runs.deleted", show=False),
        Binding("r", "refresh", "Refresh", id="runs.refresh", show=False),
        Binding("R", "resync", "Rebuild the runs index (server)", key_display="R", id="runs.resync", show=False),
    ]

    @dataclass
    class RunsLoaded(Message):
        """A search finished: its first rows, the columns and how many runs match."""

        generation: int
        experiment: Experiment | None
        query: RunsQuery | None
        cursor: RunsCursor | None
        rows: list[RunRow]
        keys: ColumnKeys
        key_metrics: list[str]
        complete: bool
        keep_run: str | None = None

    @dataclass
    class PageLoaded(Message):
        generation: int
        rows: list[RunRow]

    @dataclass
    class SyncProgressed(Message):
        """The index build of a tracking server has read `count` runs so far."""

        count: int

    @dataclass
    class SyncFinished(Message):
        changed: int

    @dataclass
    class PollFinished(Message):
        changed: bool
        error: str | None = None

    def __init__(self) -> None:
        super().__init__()
        self.view = RunsView()
        """The search and columns the user chose."""

        self._store = None
        self._generation = 0
        self._cursor: RunsCursor | None = None
        self._query: RunsQuery | None = None
        self._rows: dict[str, RunRow] = {}
        self._marked: dict[str, RunRow] = {}
        self._columns: list[RunsColumn] = []
        self._keys = ColumnKeys()
        self._key_metrics: list[str] = []
        self._complete = True
        self._loaded_at: float | None = None
        self._error: str | None = None
        self._syncing: str | None = None
        self._poll_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Runs", id="runs-title")
        yield Static("Loading runs…", id="runs-status")
        yield RunsTable(id="runs-table")
        yield Footer()

    def on_mount(self) -> None:
        order_by = self.app.settings.runs_order_by
        if order_by:
            try:
                self.view.sort = parse_order_by(order_by)
            except CtTuiError as error:
                self.notify(str(error), title="runs_order_by", severity="warning")
        self.query_one(RunsTable).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        # After a failure, only `r` retries: checking again as the error dialog
        # closes would open the same dialog again.
        if self._store is not None and self._loaded_at is not None and self._error is None:
            self._poll()

    # -- searching and paging ---------------------------------------------

    def reload(self, *, keep_loaded: bool = False) -> None:
        """Start a new search for `view`; with `keep_loaded`, read as many rows as are loaded now."""
        self._generation += 1
        self._show_status("searching…")
        table = self.query_one(RunsTable)
        count = max(FIRST_PAGE, len(table.rows)) if keep_loaded else FIRST_PAGE
        self._load(self._generation, count, table.cursor_run_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-load")
    def _load(self, generation: int, count: int, keep_run: str | None) -> None:
        project = self.app.project
        if self._store is None:
            self._store = open_runs_store(project)
        store = self._store
        view = self.view
        experiment = view.experiment or resolve_experiment(store, self.app.settings.experiment)
        metrics_keys = key_metrics(project.root)
        if experiment is None:
            self.post_message(self.RunsLoaded(generation, None, None, None, [], ColumnKeys(), metrics_keys, True))
            return
        query = RunsQuery((experiment.experiment_id,), view.filter_string, view.sort, view.include_deleted)
        complete = store.is_complete(experiment.experiment_id)
        searched = query if complete else RunsQuery(query.experiment_ids, include_deleted=query.include_deleted)
        cursor = store.search(searched)
        rows = cursor.fetch(count)
        keys = store.list_columns(searched)
        self.post_message(self.RunsLoaded(generation, experiment, query, cursor, rows, keys, metrics_keys, complete, keep_run))
        if self._needs_sync(experiment):
            self._syncing = experiment.experiment_id
            self.app.call_from_thread(self._sync, experiment.experiment_id, False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-page")
    def _load_page(self, generation: int, cursor: RunsCursor) -> None:
        rows = cursor.fetch(NEXT_PAGE)
        self.post_message(self.PageLoaded(generation, rows))

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-sync")
    def _sync(self, experiment_id: str, full: bool) -> None:
        store = self._store
        try:
            changed = store.sync(experiment_id, full=full, on_progress=lambda count: self.post_message(self.SyncProgressed(count)))
        finally:
            self._syncing = None
        self.post_message(self.SyncFinished(changed))

    def _needs_sync(self, experiment: Experiment) -> bool:
        return hasattr(self._store, "sync") and self._syncing is None and self._loaded_at is None

    def on_runs_screen_runs_loaded(self, message: RunsLoaded) -> None:
        if message.generation != self._generation:
            return
        self.view.experiment = message.experiment
        self._query = message.query
        self._cursor = message.cursor
        self._keys = message.keys
        self._key_metrics = message.key_metrics
        self._complete = message.complete
        self._loaded_at = time.time()
        self._error = None
        self._rows = {row.run_id: row for row in message.rows}
        self._columns = build_columns(self._metric_columns(), self._param_columns())
        table = self.query_one(RunsTable)
        table.has_more = bool(message.cursor and message.cursor.has_more)
        table.sorted_column = column_for_sort(self._columns, self.view.sort) if message.complete else None
        table.set_rows(
            [column.table_column() for column in self._columns],
            [to_table_row(row, self._columns, self.app.settings.model_name) for row in message.rows],
            keep=message.keep_run,
        )
        self._show_status()

    def on_runs_screen_page_loaded(self, message: PageLoaded) -> None:
        if message.generation != self._generation:
            return
        for row in message.rows:
            self._rows[row.run_id] = row
        table = self.query_one(RunsTable)
        table.has_more = bool(self._cursor and self._cursor.has_more)
        table.append_rows(to_table_row(row, self._columns, self.app.settings.model_name) for row in message.rows)
        self._show_status()

    def on_runs_table_more_wanted(self, message: RunsTable.MoreWanted) -> None:
        if self._cursor is not None and self._cursor.has_more:
            self._load_page(self._generation, self._cursor)

    def on_runs_screen_sync_progressed(self, message: SyncProgressed) -> None:
        first_page = not self.query_one(RunsTable).rows
        self._show_status(f"indexing the server's runs: {message.count:,} read")
        if first_page:
            self.reload()

    def on_runs_screen_sync_finished(self, message: SyncFinished) -> None:
        if message.changed or not self._complete:
            self.reload(keep_loaded=True)
        else:
            self._show_status()

    # -- new runs while a repro runs ----------------------------------------

    def on_repro_started(self, message: ReproStarted) -> None:
        if self._poll_timer is None:
            self._poll_timer = self.set_interval(POLL_INTERVAL_S, self._poll)

    def on_repro_finished(self, message: ReproFinished) -> None:
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        self._poll()

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-poll")
    def _poll(self) -> None:
        store, experiment = self._store, self.view.experiment
        if store is None:
            return
        try:
            changed = store.poll(experiment.experiment_id) if experiment else True
        except CtTuiError as error:
            log.warning("checking for new runs failed: %s", error)
            self.post_message(self.PollFinished(False, str(error)))
            return
        self.post_message(self.PollFinished(changed))

    def on_runs_screen_poll_finished(self, message: PollFinished) -> None:
        if message.error:
            self._error = message.error
            self._show_status()
        elif message.changed:
            self.reload(keep_loaded=True)

    # -- failures -------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Keep the last rows on screen, marked stale, and let the App show the error.

        Textual's `Worker.StateChanged` does not bubble, so the screen forwards it.
        """
        if event.state != WorkerState.ERROR:
            return
        self.app.post_message(Worker.StateChanged(event.worker, event.state))
        if not (event.worker.group or "").startswith("runs-"):
            return
        self._error = str(event.worker.error)
        if event.worker.group == "runs-load" and self._query is not None:
            # The rows on screen still answer the last query that worked: say so.
            self.view.filter_string = self._query.filter_string
            self.view.sort = self._query.sort
            self.view.include_deleted = self._query.include_deleted
        self._show_status()

    # -- what the header lines say ---------------------------------------------

    def _show_status(self, note: str | None = None) -> None:
        table = self.query_one(RunsTable)
        store_text = self._store.description if self._store is not None else ""
        self.query_one("#runs-title", Static).update(title_line(self.view.experiment, store_text, self.app.settings.experiment))
        self.query_one("#runs-status", Static).update(
            status_line(
                loaded=len(table.rows),
                total=self._cursor.total if self._cursor else 0,
                has_more=table.has_more,
                view=self.view,
                complete=self._complete,
                marked=len(table.marks),
                error=self._error,
                loaded_at=self._loaded_at,
                note=note,
            )
        )

    def _metric_columns(self) -> list[str]:
        if self.view.metrics is not None:
            return self.view.metrics
        return default_metrics(self._key_metrics, self._keys.metrics)

    def _param_columns(self) -> list[str]:
        if self.view.params is not None:
            return self.view.params
        return default_params(self._keys.differing_params)
