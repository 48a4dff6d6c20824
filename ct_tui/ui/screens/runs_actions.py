"""The key actions of the Runs screen: dialogs, detail, compare and "use these params".

A mixin of RunsScreen, kept apart so that each file reads as one concern.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from ct_tui.domain.runs_query import FILTER_EXAMPLE, Experiment
from ct_tui.ui.screens.dialogs import ConfirmDialog, TextInputDialog
from ct_tui.ui.screens.runs_columns import build_columns
from ct_tui.ui.screens.runs_dialogs import ColumnChoice, ColumnChooser, ExperimentPicker, SortChoice, SortPicker
from ct_tui.ui.widgets.runs_table import RunsTable

if TYPE_CHECKING:
    from ct_tui.ui.screens.runs import RunsScreen



class RunsActions:
    """Actions bound to the keys of RunsScreen."""

    def action_open_run(self: RunsScreen) -> None:
        row = self._rows.get(self.query_one(RunsTable).cursor_run_id or "")
        if row is None:
            return
        from ct_tui.ui.screens.run_detail import RunDetailScreen

        self.app.push_screen(RunDetailScreen(row))

    def action_sort(self: RunsScreen) -> None:
        def chosen(choice: SortChoice | None) -> None:
            if choice is not None:
                self.view.sort = choice.sort
                self.reload()

        self.app.push_screen(SortPicker(self._columns, self.view.sort), chosen)

    def action_filter(self: RunsScreen) -> None:
        self._load_filter_parser()

        def entered(text: str | None) -> None:
            if text is not None:
                self.view.filter_string = text.strip()
                self.reload()

        self.app.push_screen(
            TextInputDialog(
                "Filter runs",
                self.view.filter_string,
                body=f"An MLflow filter string; empty shows all runs. Example:\n{FILTER_EXAMPLE}",
                placeholder="metrics.accuracy > 0.8",
            ),
            entered,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-parser")
    def _load_filter_parser(self: RunsScreen) -> None:
        """Import MLflow's filter parser while the user types, so the search starts at once."""
        from ct_tui.domain.runs_query import parse_filter

        parse_filter("metrics.x > 0")

    def action_choose_columns(self: RunsScreen) -> None:
        def chosen(choice: ColumnChoice | None) -> None:
            if choice is not None:
                self.view.metrics = choice.metrics
                self.view.params = choice.params
                # Every loaded row has all its metrics and params, so no search is needed.
                columns = build_columns(*self.shown_columns())
                rows = [self._rows[row.key] for row in self.query_one(RunsTable).rows]
                self.format_rows(self._generation, columns, rows)

        metrics, params = self.shown_columns()
        self.app.push_screen(ColumnChooser(self._keys.metrics, self._keys.params, metrics, params), chosen)

    def action_mark(self: RunsScreen) -> None:
        table = self.query_one(RunsTable)
        run_id = table.cursor_run_id
        if run_id is None:
            return
        table.toggle_mark()
        if run_id in table.marks:
            self._marked[run_id] = self._rows[run_id]
        else:
            self._marked.pop(run_id, None)
        table.action_cursor(1)
        self._show_status()

    def action_compare(self: RunsScreen) -> None:
        table = self.query_one(RunsTable)
        runs = [self._marked[run_id] for run_id in self._marked if run_id in table.marks]
        if len(runs) < 2:
            self.notify("Mark two or more runs with space, then press C.", title="Compare")
            return
        from ct_tui.ui.screens.run_compare import RunCompareScreen

        self.app.push_screen(RunCompareScreen(runs))

    def action_choose_experiment(self: RunsScreen) -> None:
        self._list_experiments()

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-experiments")
    def _list_experiments(self: RunsScreen) -> None:
        from ct_tui.domain.runs_store import open_runs_store

        if self._store is None:
            self._store = open_runs_store(self.app.project)
        experiments = self._store.list_experiments()
        self.app.call_from_thread(self._pick_experiment, experiments)

    def _pick_experiment(self: RunsScreen, experiments: list[Experiment]) -> None:
        if not experiments:
            self.notify("The tracking store has no experiments yet.", title="Experiment")
            return

        def chosen(experiment: Experiment | None) -> None:
            if experiment is not None and experiment != self.view.experiment:
                self.view.experiment = experiment
                self.view.metrics = None
                self.view.params = None
                self._synced_once = False
                self.reload()

        current = self.view.experiment.experiment_id if self.view.experiment else None
        self.app.push_screen(ExperimentPicker(experiments, current), chosen)

    def action_toggle_deleted(self: RunsScreen) -> None:
        self.view.include_deleted = not self.view.include_deleted
        self.reload()

    def action_refresh(self: RunsScreen) -> None:
        self._error = None
        if hasattr(self._store, "sync") and self.view.experiment is not None:
            self._sync(self.view.experiment.experiment_id, False)
        self.reload(keep_loaded=True)

    def action_resync(self: RunsScreen) -> None:
        if hasattr(self._store, "sync") and self.view.experiment is not None:
            self.notify("Rebuilding the runs index from the tracking server…", title="Runs index")
            self._sync(self.view.experiment.experiment_id, True)
        else:
            self.reload(keep_loaded=True)

    # -- use these params -------------------------------------------------

    def action_use_params(self: RunsScreen) -> None:
        row = self._rows.get(self.query_one(RunsTable).cursor_run_id or "")
        if row is None:
            return
        if not row.params:
            self.notify("This run logged no params.", title="Use these params", severity="warning")
            return
        self._plan_params(dict(row.params), row.name or row.run_id[:8])

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-params")
    def _plan_params(self: RunsScreen, values: dict[str, str], run_label: str) -> None:
        from ct_tui.domain.params import plan_updates

        plan = plan_updates(self.app.project.root, values)
        self.app.call_from_thread(self._confirm_params, plan, run_label)

    def _confirm_params(self: RunsScreen, plan, run_label: str) -> None:
        from ct_tui.ui.screens.params_apply import ApplyParamsDialog

        def answered(apply: bool | None) -> None:
            if apply:
                self._apply_params(plan)

        self.app.push_screen(ApplyParamsDialog(plan, title=f"Use the params of run {run_label}?"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-params")
    def _apply_params(self: RunsScreen, plan) -> None:
        from ct_tui.domain.params import apply_updates
        from ct_tui.ui.messages import ParamsSaved

        apply_updates(plan)
        for update in plan.files:
            self.app.call_from_thread(self.app.broadcast, lambda path=update.path: ParamsSaved(path))
        count = len(plan.changes)
        self.app.call_from_thread(
            self.notify, f"Wrote {count} value{'s' if count != 1 else ''} to the params files.", title="Use these params"
        )

    # -- register the run's model -----------------------------------------

    def action_register_model(self: RunsScreen) -> None:
        row = self._rows.get(self.query_one(RunsTable).cursor_run_id or "")
        if row is None:
            return
        model_name = self.app.settings.model_name
        run_label = row.name or row.run_id[:8]

        def answered(register: bool | None) -> None:
            if register:
                self._register_model(row.run_id, model_name)

        self.app.push_screen(
            ConfirmDialog(
                f"Register the model of run {run_label} as a version of {model_name}?",
                "Nothing is created when a version of this model already comes from the run.",
                yes_label="register",
            ),
            answered,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-register")
    def _register_model(self: RunsScreen, run_id: str, model_name: str) -> None:
        from ct_tui.domain.registration import register_run_model
        from ct_tui.ui.messages import RegistryChanged

        registered = register_run_model(self.app.project, run_id, model_name)
        if registered.created:
            message = f"Registered version {registered.version} of {registered.model}."
            self.app.call_from_thread(self.app.broadcast, lambda: RegistryChanged(registered.model))
            self.app.call_from_thread(self.reload, keep_loaded=True)
        else:
            message = f"This run is already version {registered.version} of {registered.model}."
        self.app.call_from_thread(self.notify, message, title="Register")
