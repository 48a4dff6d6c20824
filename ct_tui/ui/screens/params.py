"""Params screen: edit params files safely, with validation, diff and what reruns."""

from __future__ import annotations

import logging

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static, Tree
from textual.worker import Worker, get_current_worker

from ct_tui.domain.params import (
    Param,
    ParamsConflict,
    ParamsSnapshot,
    SavedFile,
    ValueRejected,
    describe_reruns,
    diff_params,
    format_key,
    head_difference,
    load_params,
    revert_to_head,
    save_value,
    undo_saved,
)
from ct_tui.domain.params.values import validate_text
from ct_tui.ui.messages import ParamsSaved, ReproFinished
from ct_tui.ui.screens.dialogs import ConfirmDialog
from ct_tui.ui.screens.params_diff import ParamsDiffScreen
from ct_tui.ui.widgets.params_tree import MARK_INTERPOLATED, MARK_SHARED, MARK_YAML11, ParamsTree

log = logging.getLogger(__name__)


class ParamsScreen(Screen):
    """Every param the pipeline uses, edited in place; each edit is saved on Enter."""

    CSS_PATH = "params.tcss"

    BINDINGS = [
        Binding("e", "edit", "Edit", id="params.edit"),
        Binding("u", "undo", "Undo", id="params.undo"),
        Binding("D", "diff", "Diff", id="params.diff"),
        Binding("R", "save_and_repro", "Repro", id="params.repro"),
        Binding("H", "revert_to_head", "Revert to HEAD", show=False, id="params.revert"),
        Binding("f5,ctrl+r", "reload", "Reload", show=False, id="params.reload", key_display="F5/^r"),
        Binding("escape", "cancel_edit", "Cancel edit", id="params.cancel", key_display="Esc"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.snapshot: ParamsSnapshot | None = None
        """The params files as last loaded; saves are checked against these bytes."""
        self.undo_stack: list[SavedFile] = []
        """Saved edits of this session, newest last; `u` undoes the newest."""
        self.editing: Param | None = None
        """The param whose value the edit box is changing, or None."""
        self._editing_snapshot: ParamsSnapshot | None = None
        self._repro_after_save = False
        self._own_broadcasts = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield ParamsTree(id="params-tree")
        with Vertical(id="edit-box"):
            yield Static(id="edit-label", markup=False)
            yield Input(id="edit-input")
            yield Static(id="edit-error", markup=False)
        yield Static("Loading params…", id="params-detail", markup=False)
        yield Static(id="params-status")
        yield Footer(compact=True, show_command_palette=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Esc cancels an edit, and shows in the footer only while there is one.
        if action == "cancel_edit":
            return self.editing is not None
        return True

    def on_mount(self) -> None:
        self.query_one(ParamsTree).focus()
        self.load()

    def on_screen_resume(self) -> None:
        if self.snapshot is not None:
            self.load()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker state messages do not bubble; the App's handler shows failures.
        self.app.on_worker_state_changed(event)

    # Loading

    @work(thread=True, exclusive=True, exit_on_error=False, group="params-load")
    def load(self) -> ParamsSnapshot:
        snapshot = load_params(self.app.project.root)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_snapshot, snapshot)
        return snapshot

    def _show_snapshot(self, snapshot: ParamsSnapshot) -> None:
        self.snapshot = snapshot
        self.query_one(ParamsTree).show_snapshot(snapshot)
        if snapshot.problems:
            problems = "\n".join(escape(problem) for problem in snapshot.problems)
            self._set_status(f"[$warning]{problems}[/]")
        elif not snapshot.files:
            self._set_status("No params file: this project has no params.yaml and dvc.yaml names none.")

    def action_reload(self) -> None:
        self.load()

    def on_params_saved(self, message: ParamsSaved) -> None:
        if self._own_broadcasts:
            # This screen saved the file and already shows the snapshot read after the save.
            self._own_broadcasts -= 1
            return
        self.load()

    def on_repro_finished(self, message: ReproFinished) -> None:
        self.load()

    # What the cursor is on

    @on(Tree.NodeHighlighted, "#params-tree")
    @on(ParamsTree.SnapshotShown)
    def _highlighted(self) -> None:
        self._show_detail()

    @on(Tree.NodeSelected, "#params-tree")
    def _selected(self, event: Tree.NodeSelected) -> None:
        if isinstance(event.node.data, Param) and event.node.data.kind == "scalar":
            self.action_edit()

    def _show_detail(self) -> None:
        param = self.query_one(ParamsTree).selected_param
        detail = self.query_one("#params-detail", Static)
        if param is None:
            file = self.query_one(ParamsTree).selected_file
            detail.update(f"{file}: H reverts it to the last commit" if file else "")
            return
        used = f"used by {', '.join(param.stages)}" if param.stages else "unused: no stage declares it"
        lines = [f"{param.file} · {param.key} · {param.type_name} · {used}"]
        if param.yaml11_note:
            lines.append(f"{MARK_YAML11} {param.yaml11_note}")
        if param.shared:
            lines.append(f"{MARK_SHARED} {_shared_text(param)}")
        if param.interpolated:
            lines.append(f"{MARK_INTERPOLATED} interpolated: shown and edited as written")
        if param.read_only:
            lines.append(f"read only: {param.read_only}")
        detail.update("\n".join(lines))

    # Editing

    def action_edit(self) -> None:
        param = self.query_one(ParamsTree).selected_param
        if param is None or param.kind != "scalar":
            self.notify("Select a value to edit; lists are edited item by item.", severity="warning")
            return
        if not param.editable:
            self.notify(f"{param.key} cannot be edited here: {param.read_only}", severity="warning")
            return
        if self._saving():
            self.notify("A save is still in progress.", severity="warning")
            return
        if not param.shared:
            self._open_editor(param)
            return

        def answered(go_on: bool | None) -> None:
            if go_on:
                self._open_editor(param)

        self.app.push_screen(
            ConfirmDialog(
                f"{param.key} shares its value with other keys",
                f"{_shared_text(param)}.\nEditing it changes every one of them.",
                yes_label="edit all of them",
            ),
            answered,
        )

    def _open_editor(self, param: Param) -> None:
        self.editing = param
        # Saved against the load it was shown from, so a reload meanwhile shows as a conflict.
        self._editing_snapshot = self.snapshot
        self.refresh_bindings()
        label = self.query_one("#edit-label", Static)
        label.update(f"{param.key} ({param.type_name}) in {param.file}: Enter saves, Esc cancels")
        self.query_one("#edit-error", Static).update("")
        editor = self.query_one("#edit-input", Input)
        editor.value = param.value if param.type_name == "str" else param.source
        self.query_one("#edit-box").display = True
        editor.focus()
        editor.cursor_position = len(editor.value)

    def action_cancel_edit(self) -> None:
        if self.editing is not None:
            self._close_editor()

    def _close_editor(self) -> None:
        self.editing = None
        self.refresh_bindings()
        self.query_one("#edit-box").display = False
        self.query_one(ParamsTree).focus()

    @on(Input.Submitted, "#edit-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        param = self.editing
        snapshot = self._editing_snapshot
        if param is None or snapshot is None:
            return
        try:
            validate_text(param, event.value)
        except ValueRejected as rejected:
            self.query_one("#edit-error", Static).update(str(rejected))
            if rejected.new_type is not None:
                self._ask_type_change(snapshot, param, event.value, rejected)
            return
        self._close_editor()
        self.save(snapshot, param, event.value, allow_type_change=False)

    def _ask_type_change(self, snapshot: ParamsSnapshot, param: Param, text: str, rejected: ValueRejected) -> None:
        def answered(change: bool | None) -> None:
            if change:
                self._close_editor()
                self.save(snapshot, param, text, allow_type_change=True)

        self.app.push_screen(
            ConfirmDialog(
                f"Change the type of {param.key} from {rejected.expected} to {rejected.new_type}?",
                f"{rejected}\n\nA stage that expects {rejected.expected} may fail with the new type.",
                yes_label=f"change to {rejected.new_type}",
            ),
            answered,
        )

    def _saving(self) -> bool:
        return any(worker.group == "params-save" and worker.is_running for worker in self.workers)

    @work(thread=True, exclusive=True, exit_on_error=False, group="params-save")
    def save(self, snapshot: ParamsSnapshot, param: Param, text: str, *, allow_type_change: bool) -> None:
        try:
            result = save_value(snapshot, param, text, allow_type_change=allow_type_change)
        except ParamsConflict:
            self.app.call_from_thread(self._after_write, None, "Not saved: the file changed on disk.")
            raise
        except ValueRejected as rejected:
            self.app.call_from_thread(self._after_write, None, f"Not saved: {rejected}")
            return
        snapshot = load_params(self.app.project.root)
        message = f"Saved {result.saved.description} in {result.saved.name}."
        if result.note:
            message += f" Note: {result.note}."
        message += " " + describe_reruns(snapshot.reruns)
        self.app.call_from_thread(self._after_write, snapshot, message, result.saved)

    def _after_write(self, snapshot: ParamsSnapshot | None, message: str, saved: SavedFile | None = None) -> None:
        if saved is not None:
            self.undo_stack.append(saved)
            self._broadcast_saved(saved)
        if snapshot is not None:
            self._show_snapshot(snapshot)
        else:
            self.load()
        self._set_status(escape(message))
        if self._repro_after_save:
            self._repro_after_save = False
            if saved is not None:
                self.app.call_later(self.app.start_repro, None)

    def _broadcast_saved(self, saved: SavedFile) -> None:
        path = saved.path
        self._own_broadcasts += 1
        self.app.broadcast(lambda: ParamsSaved(path))

    # Undo and revert

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo: no edit was saved in this session.")
            return
        self.undo(self.undo_stack.pop())

    @work(thread=True, exclusive=True, exit_on_error=False, group="params-save")
    def undo(self, saved: SavedFile) -> None:
        try:
            undo_saved(saved)
        except ParamsConflict:
            self.app.call_from_thread(self._after_write, None, f"Not undone: {saved.name} changed on disk.")
            raise
        snapshot = load_params(self.app.project.root)
        message = f"Undid {saved.undo_description}. {describe_reruns(snapshot.reruns)}"
        self.app.call_from_thread(self._after_undo, snapshot, message, saved)

    def _after_undo(self, snapshot: ParamsSnapshot, message: str, saved: SavedFile) -> None:
        self._broadcast_saved(saved)
        self._show_snapshot(snapshot)
        self._set_status(escape(message))

    def action_revert_to_head(self) -> None:
        file = self.query_one(ParamsTree).selected_file
        if self.snapshot is None or file is None:
            return
        self.prepare_revert(file)

    @work(thread=True, exclusive=True, exit_on_error=False, group="params-git")
    def prepare_revert(self, file: str) -> None:
        assert self.snapshot is not None
        snapshot = self.snapshot
        head, commit, diff = head_difference(snapshot, file)
        self.app.call_from_thread(self._confirm_revert, snapshot, file, head, commit, diff)

    def _confirm_revert(self, snapshot: ParamsSnapshot, file: str, head: bytes, commit: str, diff: str) -> None:
        if not diff:
            self.notify(f"{file} already matches the last commit ({commit}).")
            return

        def answered(revert: bool | None) -> None:
            if revert:
                self.revert(snapshot, file, head, commit)

        self.app.push_screen(
            ConfirmDialog(f"Revert {file} to the last commit ({commit})?", diff, yes_label="revert"),
            answered,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="params-save")
    def revert(self, snapshot: ParamsSnapshot, file: str, head: bytes, commit: str) -> None:
        try:
            saved = revert_to_head(snapshot, file, head, commit)
        except ParamsConflict:
            self.app.call_from_thread(self._after_write, None, f"Not reverted: {file} changed on disk.")
            raise
        fresh = load_params(self.app.project.root)
        message = f"Reverted {file} to {commit}; u undoes it. {describe_reruns(fresh.reruns)}"
        self.app.call_from_thread(self._after_write, fresh, message, saved)

    # Diff and repro

    def action_diff(self) -> None:
        if self.snapshot is None:
            return
        self.notify("Comparing with the last commit and dvc.lock…")
        self.compute_diff(self.snapshot)

    @work(thread=True, exclusive=True, exit_on_error=False, group="params-diff")
    def compute_diff(self, snapshot: ParamsSnapshot) -> None:
        diff = diff_params(snapshot)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.app.push_screen, ParamsDiffScreen(diff))

    async def action_save_and_repro(self) -> None:
        if self._saving():
            self._repro_after_save = True
            self.notify("The repro starts when the save finishes.")
            return
        await self.app.start_repro(None)

    def _set_status(self, markup: str) -> None:
        self.query_one("#params-status", Static).update(markup)


def _shared_text(param: Param) -> str:
    keys = ", ".join(format_key(path) for path in param.shared_with)
    anchor = f" (anchor &{param.anchor})" if param.anchor else ""
    return f"shares one value{anchor} with {keys}"
