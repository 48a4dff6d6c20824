"""Registry screen: registered model versions, promotion by alias, audit and rollback.

Every MLflow call runs in a thread worker through the domain layer; results
come back as messages. When the store fails, the last data stays on screen,
marked stale with the time it was fetched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ct_tui.domain.audit import AuditRecord
from ct_tui.domain.errors import CtTuiError
from ct_tui.domain.promotion import AliasMoved, MovePlan
from ct_tui.domain.registry import ModelDetail, ModelSummary
from ct_tui.ui.messages import RegistryChanged, ReproFinished
from ct_tui.ui.screens.worker_errors import ForwardWorkerErrors
from ct_tui.ui.screens.dialogs import TextInputDialog
from ct_tui.ui.screens.history_dialog import HistoryDialog
from ct_tui.ui.screens.promote_dialog import PromoteDialog
from ct_tui.ui.widgets.store_status import StoreStatus
from ct_tui.ui.widgets.versions_table import VersionDetail, VersionsTable

log = logging.getLogger(__name__)

RELOAD_AFTER = timedelta(seconds=30)
"""Data older than this is read again when the screen is shown again."""

TOAST_TITLES = {"promote": "Promoted", "rollback": "Rolled back", "remove": "Alias removed"}
"""Title of the notification after each kind of move."""


class RegistryScreen(ForwardWorkerErrors, Screen):
    """Registered models and their versions; promote, roll back and remove aliases."""

    CSS_PATH = "registry.tcss"

    # At 80 columns the app's keys leave room for three keys of this screen
    # in the footer; x and r are listed by `?` only.
    BINDINGS = [
        Binding("p", "promote", "Promote", id="registry.promote"),
        Binding("b", "rollback", "Rollback", id="registry.rollback"),
        Binding("h", "history", "Audit", id="registry.history"),
        Binding("x", "remove_alias", "Remove alias", id="registry.remove_alias", show=False),
        Binding("r,f5,ctrl+r", "refresh", "Refresh", key_display="r/F5", id="registry.refresh", show=False),
    ]

    @dataclass
    class ModelsLoaded(Message):
        """The list of registered models was read."""

        models: list[ModelSummary]

    @dataclass
    class ModelLoaded(Message):
        """One model's versions and aliases were read."""

        detail: ModelDetail

    @dataclass
    class LoadFailed(Message):
        """Reading the registry failed; the message is written for the user."""

        message: str

    @dataclass
    class PlanReady(Message):
        """A move was planned and waits for review."""

        plan: MovePlan
        notice: str = ""
        """Reason the plan is shown again, such as the alias having moved meanwhile."""

    @dataclass
    class MoveApplied(Message):
        """An alias move was made and recorded."""

        record: AuditRecord

    @dataclass
    class HistoryLoaded(Message):
        """The recorded alias moves of a model were read."""

        model: str
        records: list[AuditRecord] = field(default_factory=list)

    def __init__(self) -> None:
        super().__init__()
        self.models: list[ModelSummary] = []
        """Registered models as last read."""
        self.detail: ModelDetail | None = None
        """The selected model as last read."""
        self.selected_model: str | None = None
        """Name of the model whose versions are shown or loading."""
        self.fetched_at: datetime | None = None
        """When `detail` was read."""
        self.load_error: str | None = None
        """The last failure to read the store; None after a successful read."""
        self.loaded_at: datetime | None = None
        """When the last read of the registry ended, successfully or not; None during the first."""
        self.reload_pending = False
        """True when a repro finished while the screen was hidden, so it reloads when shown."""

    def compose(self) -> ComposeResult:
        yield Header()
        models = OptionList(id="models")
        models.border_title = "Registered models"
        yield models
        versions = VersionsTable(id="versions")
        versions.border_title = "Versions"
        yield versions
        yield VersionDetail(id="version-detail")
        yield StoreStatus(retry_key="r")
        yield Static(id="registry-status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._set_status(Content("Loading the model registry…"))
        self.query_one(VersionsTable).focus()
        self.load_models()

    # Loading

    @work(thread=True, exclusive=True, exit_on_error=False, group="registry-models")
    def load_models(self) -> None:
        from ct_tui.domain.registry import list_models

        try:
            models = list_models(self.app.project)
        except CtTuiError as error:
            log.warning("cannot list registered models: %s", error)
            self._post_unless_cancelled(self.LoadFailed(str(error)))
            return
        self._post_unless_cancelled(self.ModelsLoaded(models))

    @work(thread=True, exclusive=True, exit_on_error=False, group="registry-versions")
    def load_model(self, name: str) -> None:
        from ct_tui.domain.registry import read_model

        try:
            detail = read_model(self.app.project, name, self.app.settings.gate_metric)
        except CtTuiError as error:
            log.warning("cannot read model %s: %s", name, error)
            self._post_unless_cancelled(self.LoadFailed(str(error)))
            return
        self._post_unless_cancelled(self.ModelLoaded(detail))

    def _post_unless_cancelled(self, message: Message) -> None:
        # An exclusive worker replaced by a newer request keeps running in its
        # thread; its result must not overwrite the newer one.
        if not get_current_worker().is_cancelled:
            self.post_message(message)

    def on_registry_screen_models_loaded(self, message: ModelsLoaded) -> None:
        self.models = message.models
        option_list = self.query_one("#models", OptionList)
        option_list.clear_options()
        option_list.add_options(
            Option(f"{model.name}  (v{model.latest_version or '-'})", id=model.name) for model in self.models
        )
        names = [model.name for model in self.models]
        if not names:
            self.loaded_at = datetime.now()
            self.selected_model = None
            self.detail = None
            self.query_one(VersionsTable).fill([], [])
            self.query_one(VersionDetail).show(None)
            self._set_status(
                Content("No registered models yet: each `dvc repro` registers its model, or press g on a run on the Runs screen.")
            )
            return
        if self.selected_model in names:
            chosen = self.selected_model
        elif self.app.settings.model_name in names:
            chosen = self.app.settings.model_name
        else:
            chosen = names[0]
        self.selected_model = chosen
        option_list.highlighted = names.index(chosen)
        self.load_model(chosen)

    @on(OptionList.OptionHighlighted, "#models")
    def _model_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        name = event.option.id
        if name and name != self.selected_model:
            self.selected_model = name
            self._set_status(Content(f"Loading {name}…"))
            self.load_model(name)

    def on_registry_screen_model_loaded(self, message: ModelLoaded) -> None:
        detail = message.detail
        if detail.name != self.selected_model:
            return
        self.detail = detail
        self.fetched_at = self.loaded_at = datetime.now()
        self.load_error = None
        self.query_one(StoreStatus).show_loaded(self.fetched_at)
        table = self.query_one(VersionsTable)
        table.border_title = f"Versions of {detail.name}"
        table.show(detail)
        self._show_selected_version()
        self._refresh_status()

    def on_registry_screen_load_failed(self, message: LoadFailed) -> None:
        self.load_error = message.message
        self.loaded_at = datetime.now()
        self.query_one(StoreStatus).show_failed(message.message)
        self.notify(message.message, title="Model registry", severity="error", timeout=8)
        self._refresh_status()

    @on(DataTable.RowHighlighted, "#versions")
    def _version_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_selected_version()

    def on_registry_changed(self, message: RegistryChanged) -> None:
        self.action_refresh()

    def on_repro_finished(self, message: ReproFinished) -> None:
        # A repro registers a new version and rewrites dvc.lock, which the
        # lineage ("matches dvc.lock") is checked against.
        if self.is_current:
            self.action_refresh()
        else:
            self.reload_pending = True

    def on_screen_resume(self) -> None:
        if self.reload_pending:
            self.action_refresh()
        elif self.loaded_at is not None and datetime.now() - self.loaded_at > RELOAD_AFTER:
            self.action_refresh()

    def action_refresh(self) -> None:
        self.reload_pending = False
        self._set_status(Content("Refreshing…"))
        self.load_models()

    # Moves

    def action_promote(self) -> None:
        version = self.query_one(VersionsTable).selected_version()
        if self.detail is None or version is None:
            self.notify("Select a version to promote first.", severity="warning")
            return
        model = self.detail.name

        def chosen(alias: str | None) -> None:
            if alias and alias.strip():
                self.plan_move("promote", model, alias.strip(), version)

        self.app.push_screen(
            TextInputDialog(
                f"Promote {model} v{version}: which alias?",
                self.app.settings.alias,
                body=self._aliases_text(),
            ),
            chosen,
        )

    def action_rollback(self) -> None:
        self._ask_alias("Roll back which alias of {model} to its previous version?", "rollback", self.app.settings.alias)

    def action_remove_alias(self) -> None:
        version = self.query_one(VersionsTable).selected_version()
        info = self.detail.version(version) if self.detail and version is not None else None
        default = info.aliases[0] if info and info.aliases else self.app.settings.alias
        self._ask_alias("Remove which alias of {model}?", "remove", default)

    def _ask_alias(self, title: str, action: str, default: str) -> None:
        if self.detail is None:
            self.notify("No model loaded yet.", severity="warning")
            return
        model = self.detail.name

        def chosen(alias: str | None) -> None:
            if alias and alias.strip():
                self.plan_move(action, model, alias.strip())

        self.app.push_screen(TextInputDialog(title.format(model=model), default, body=self._aliases_text()), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="registry-move")
    def plan_move(self, action: str, model: str, alias: str, version: int | None = None) -> None:
        """Plan a move in a thread; failures reach the app's error dialog."""
        from ct_tui.domain import promotion

        project, settings = self.app.project, self.app.settings
        if action == "promote":
            plan = promotion.plan_promotion(project, settings, model, version, alias)
        elif action == "rollback":
            plan = promotion.plan_rollback(project, settings, model, alias)
        else:
            plan = promotion.plan_removal(project, settings, model, alias)
        self.post_message(self.PlanReady(plan))

    def on_registry_screen_plan_ready(self, message: PlanReady) -> None:
        plan = message.plan

        def answered(go_ahead: bool | None) -> None:
            if go_ahead:
                self.apply_plan(plan, plan.needs_override)

        self.app.push_screen(PromoteDialog(plan, message.notice), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="registry-move")
    def apply_plan(self, plan: MovePlan, override: bool) -> None:
        """Apply a reviewed plan; when the alias moved meanwhile, show the fresh plan instead."""
        from ct_tui.domain.promotion import apply_move

        try:
            record = apply_move(self.app.project, self.app.settings, plan, override=override, via="tui")
        except AliasMoved as moved:
            self.app.call_from_thread(self.action_refresh)
            if moved.fresh_plan is None:
                raise
            self.post_message(self.PlanReady(moved.fresh_plan, f"{moved.title}: {moved}"))
            return
        self.post_message(self.MoveApplied(record))

    def on_registry_screen_move_applied(self, message: MoveApplied) -> None:
        record = message.record
        before = "none" if record.from_version is None else f"v{record.from_version}"
        after = "none" if record.to_version is None else f"v{record.to_version}"
        self.notify(f"{record.model} {record.alias}: {before} → {after}, recorded", title=TOAST_TITLES[record.action])
        self.app.broadcast(lambda: RegistryChanged(record.model))

    # History

    def action_history(self) -> None:
        if self.detail is None:
            self.notify("No model loaded yet.", severity="warning")
            return
        self.load_history(self.detail.name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="registry-history")
    def load_history(self, model: str) -> None:
        from ct_tui.domain.audit import read_history
        from ct_tui.domain.registry import get_model, store_errors
        from ct_tui.domain.tracking_client import make_client

        project = self.app.project
        with store_errors(project):
            client = make_client(project)
            get_model(client, project, model)
            records = read_history(client, model)
        self.post_message(self.HistoryLoaded(model, records))

    def on_registry_screen_history_loaded(self, message: HistoryLoaded) -> None:
        self.app.push_screen(HistoryDialog(message.model, message.records))

    # Display

    def _show_selected_version(self) -> None:
        version = self.query_one(VersionsTable).selected_version()
        info = self.detail.version(version) if self.detail and version is not None else None
        self.query_one(VersionDetail).show(info)

    def _aliases_text(self) -> str:
        if self.detail is None or not self.detail.aliases:
            return "The model has no aliases yet."
        dangling = self.detail.dangling
        parts = [
            f"{alias} → v{number}{' (dangling)' if alias in dangling else ''}"
            for alias, number in sorted(self.detail.aliases.items())
        ]
        return "Aliases now: " + ", ".join(parts)

    def _refresh_status(self) -> None:
        parts: list[Content] = []
        detail = self.detail
        if detail is not None:
            count = len(detail.versions)
            parts.append(Content(f"{count} version{'s' if count != 1 else ''}"))
            live = {alias: number for alias, number in detail.aliases.items() if alias not in detail.dangling}
            if live:
                parts.append(Content("aliases " + ", ".join(f"{a} → v{n}" for a, n in sorted(live.items()))))
            if detail.dangling:
                dangling = ", ".join(f"{a} → v{n}" for a, n in sorted(detail.dangling.items()))
                parts.append(Content.assemble((f"dangling {dangling} (version deleted)", "$warning")))
        # A failed load is shown by StoreStatus, which wraps a long message.
        self._set_status(Content(" · ").join(parts) if parts else Content(""))

    def _set_status(self, content: Content) -> None:
        self.query_one("#registry-status", Static).update(content)
