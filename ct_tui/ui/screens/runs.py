"""Runs screen: the MLflow runs of the project, sorted and filtered by the tracking store.

The screen decides what to show; every read of the store runs in a thread
worker and comes back as a message. Rows load a page at a time as the cursor
nears the end of what is loaded.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Static
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
    choose_metrics,
    choose_params,
    column_for_sort,
    to_table_row,
)
from ct_tui.ui.widgets.key_footer import TwoRowFooter
from ct_tui.ui.widgets.runs_table import RunsTable, TableRow

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
        Binding("g", "register_model", "Register the run's model", id="runs.register", show=False),
        Binding("e", "choose_experiment", "Experiment", id="runs.experiment", show=False),
        Binding("d", "toggle_deleted", "Show/hide deleted runs", id="runs.deleted", show=False),
        Binding("r,f5,ctrl+r", "refresh", "Refresh", key_display="r", id="runs.refresh", show=False),
        Binding("R", "resync", "Rebuild the runs index (server)", key_display="R", id="runs.resync", show=False),
    ]

    @dataclass
    class RunsLoaded(Message):
        """A search finished: its first rows, already formatted for the table, and the columns."""

        generation: int
        experiment: Experiment | None
        query: RunsQuery | None
        cursor: RunsCursor | None
        rows: list[RunRow]
        table_rows: list[TableRow]
        columns: list[RunsColumn]
        keys: ColumnKeys
        key_metrics: list[str]
        complete: bool
        keep_run: str | None = None

    @dataclass
    class PageLoaded(Message):
        generation: int
        rows: list[RunRow]
        table_rows: list[TableRow]

    @dataclass
    class KeysLoaded(Message):
        """The store listed the metric and param keys of every matching run."""

        generation: int
        keys: ColumnKeys

    @dataclass
    class ColumnsChanged(Message):
        """The loaded rows were formatted again for the columns chosen with `c`."""

        generation: int
        columns: list[RunsColumn]
        table_rows: list[TableRow]

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
        self._keys_cache: dict[tuple, ColumnKeys] = {}
        self._key_metrics: list[str] = []
        self._complete = True
        self._loaded_at: float | None = None
        self._error: str | None = None
        self._synced_once = False
        self._poll_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Runs", id="runs-title")
        yield Static("Loading runs…", id="runs-status")
        yield RunsTable(id="runs-table")
        yield TwoRowFooter(compact=True, show_command_palette=False)

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
        self._load(self._generation, replace(self.view), count, table.cursor_run_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-load")
    def _load(self, generation: int, view: RunsView, count: int, keep_run: str | None) -> None:
        project, settings = self.app.project, self.app.settings
        if self._store is None:
            self._store = open_runs_store(project)
        store = self._store

        experiment = view.experiment or resolve_experiment(store, settings.experiment)
        metrics_keys = key_metrics(project.root)
        if experiment is None:
            columns = build_columns(metrics_keys, [])
            self.post_message(self.RunsLoaded(generation, None, None, None, [], [], columns, ColumnKeys(), metrics_keys, True))
            return

        query = RunsQuery((experiment.experiment_id,), view.filter_string, view.sort, view.include_deleted)
        complete = store.is_complete(experiment.experiment_id)
        searched = query if complete else RunsQuery(query.experiment_ids, include_deleted=query.include_deleted)
        cursor = store.search(searched)
        rows = cursor.fetch(count)

        # Listing the keys of every run takes longer than the first page on a
        # large store, so the page comes first, with the keys of the last search
        # or of its own rows; KeysLoaded corrects the columns if they differ.
        keys_of = (experiment.experiment_id, searched.filter_string, searched.include_deleted)
        keys = self._keys_cache.get(keys_of) or ColumnKeys.of_rows(rows)
        # Rows are formatted here, not in the event loop: thousands of them
        # would block it for longer than a frame.
        columns = build_columns(choose_metrics(view, metrics_keys, keys), choose_params(view, keys))
        table_rows = [to_table_row(row, columns, settings.model_name) for row in rows]
        self.post_message(
            self.RunsLoaded(generation, experiment, query, cursor, rows, table_rows, columns, keys, metrics_keys, complete, keep_run)
        )
        exact = store.list_columns(searched)
        self._keys_cache[keys_of] = exact
        self.post_message(self.KeysLoaded(generation, exact))

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-page")
    def _load_page(self, generation: int, cursor: RunsCursor, columns: list[RunsColumn]) -> None:
        rows = cursor.fetch(NEXT_PAGE)
        model_name = self.app.settings.model_name
        self.post_message(self.PageLoaded(generation, rows, [to_table_row(row, columns, model_name) for row in rows]))

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-columns")
    def format_rows(self, generation: int, columns: list[RunsColumn], rows: list[RunRow]) -> None:
        """Format the loaded rows for new columns, off the event loop."""
        model_name = self.app.settings.model_name
        self.post_message(self.ColumnsChanged(generation, columns, [to_table_row(row, columns, model_name) for row in rows]))

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-sync")
    def _sync(self, experiment_id: str, full: bool) -> None:
        changed = self._store.sync(
            experiment_id, full=full, on_progress=lambda count: self.post_message(self.SyncProgressed(count))
        )
        self.post_message(self.SyncFinished(changed))

    def _start_first_sync(self, experiment_id: str) -> None:
        """Bring a server's index up to date once per screen, after its first page is drawn.

        Syncing imports mlflow and parses pages, which would slow that first frame.
        """
        if hasattr(self._store, "sync") and not self._synced_once:
            self._synced_once = True
            self._sync(experiment_id, False)

    def on_runs_screen_runs_loaded(self, message: RunsLoaded) -> None:
        if message.generation != self._generation:
            return
        if message.experiment is not None:
            self.call_after_refresh(self._start_first_sync, message.experiment.experiment_id)
        self.view.experiment = message.experiment
        self._query = message.query
        self._cursor = message.cursor
        self._keys = message.keys
        self._key_metrics = message.key_metrics
        self._complete = message.complete
        self._loaded_at = time.time()
        self._error = None
        self._rows = {row.run_id: row for row in message.rows}
        self._columns = message.columns
        table = self.query_one(RunsTable)
        table.has_more = bool(message.cursor and message.cursor.has_more)
        table.sorted_column = column_for_sort(self._columns, self.view.sort) if message.complete else None
        table.set_rows([column.table_column() for column in self._columns], message.table_rows, keep=message.keep_run)
        self._show_status()

    def on_runs_screen_page_loaded(self, message: PageLoaded) -> None:
        if message.generation != self._generation:
            return
        for row in message.rows:
            self._rows[row.run_id] = row
        table = self.query_one(RunsTable)
        table.has_more = bool(self._cursor and self._cursor.has_more)
        table.append_rows(message.table_rows)
        self._show_status()

    def on_runs_screen_keys_loaded(self, message: KeysLoaded) -> None:
        if message.generation != self._generation or message.keys == self._keys:
            return
        self._keys = message.keys
        columns = build_columns(*self.shown_columns())
        if [column.key for column in columns] != [column.key for column in self._columns]:
            rows = [self._rows[row.key] for row in self.query_one(RunsTable).rows]
            self.format_rows(self._generation, columns, rows)

    def on_runs_screen_columns_changed(self, message: ColumnsChanged) -> None:
        if message.generation != self._generation:
            return
        self._columns = message.columns
        table = self.query_one(RunsTable)
        table.sorted_column = column_for_sort(self._columns, self.view.sort) if self._complete else None
        table.set_rows([column.table_column() for column in self._columns], message.table_rows, keep=table.cursor_run_id)

    def on_runs_table_more_requested(self, message: RunsTable.MoreRequested) -> None:
        if self._cursor is not None and self._cursor.has_more:
            self._load_page(self._generation, self._cursor, self._columns)

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
            # The rows on screen still come from the last query that worked, so show that query.
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

    def shown_columns(self) -> tuple[list[str], list[str]]:
        """Return the metric and param keys the table shows now."""
        view = self.view
        return choose_metrics(view, self._key_metrics, self._keys), choose_params(view, self._keys)
