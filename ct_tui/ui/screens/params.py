"""Params screen: edit params files safely, with validation, diff and what reruns."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static, Tree
from textual.worker import get_current_worker

from ct_tui.domain.params import (
    Param,
    ParamsConflict,
    ParamsSnapshot,
    SavedFile,
    ValueRejected,
    describe_reruns,
    diff_params,
    load_params,
    save_value,
    undo_saved,
)
from ct_tui.domain.params.values import validate_text
from ct_tui.domain.watch import FileWatcher
from ct_tui.ui.messages import ParamsSaved, ReproFinished
from ct_tui.ui.screens.worker_errors import ForwardWorkerErrors
from ct_tui.ui.screens.dialogs import ConfirmDialog
from ct_tui.ui.screens.params_diff import ParamsDiffScreen
from ct_tui.ui.screens.params_revert import RevertToHead
from ct_tui.ui.widgets.param_detail import ParamDetail, shared_text
from ct_tui.ui.widgets.param_editor import ParamEditor
from ct_tui.ui.widgets.params_tree import ParamsTree

log = logging.getLogger(__name__)


class ParamsScreen(ForwardWorkerErrors, RevertToHead, Screen):
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

    @dataclass
    class FilesChanged(Message):
        """Files that the shown params were read from changed outside ct-tui."""

        paths: list[Path]

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
        self._suspended = False
        self._problems_shown = False
        self._reload_after_edit = False
        self._changed_while_editing: set[str] = set()
        self._watcher = FileWatcher(lambda paths: self.post_message(self.FilesChanged(paths)), name="params-watcher")

    def compose(self) -> ComposeResult:
        yield Header()
        yield ParamsTree(id="params-tree")
        yield ParamEditor(id="edit-box")
        yield ParamDetail("Loading params…", id="params-detail")
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
        self._watcher.start()

    def on_unmount(self) -> None:
        self._watcher.stop()

    def on_screen_suspend(self) -> None:
        # While hidden or under a dialog the watcher idles; the files are read again on return.
        self._suspended = True
        self._watcher.pause()

    def on_screen_resume(self) -> None:
        self._suspended = False
        if self.editing is None and self.snapshot is not None:
            self._watcher.resync()
            self.load()
        # During an edit, a change made meanwhile is reported by the next check instead.
        self._watcher.resume()

    # Loading

    @work(thread=True, exclusive=True, exit_on_error=False, group="params-load")
    def load(self) -> ParamsSnapshot:
        snapshot = load_params(self.app.project.root)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_snapshot, snapshot)
        return snapshot

    def _show_snapshot(self, snapshot: ParamsSnapshot) -> None:
        self.snapshot = snapshot
        self._watcher.watch(snapshot.source_paths)
        self.query_one(ParamsTree).show_snapshot(snapshot)
        if snapshot.problems:
            problems = "\n".join(escape(problem) for problem in snapshot.problems)
            self._set_status(f"[$warning]{problems}[/]")
            self._problems_shown = True
        elif not snapshot.files:
            self._set_status("No params file: this project has no params.yaml and dvc.yaml names none.")
        elif self._problems_shown:
            # The files were fixed, in an editor for example, since the problems were shown.
            self._set_status("")

    def action_reload(self) -> None:
        self.load()

    def on_params_saved(self, message: ParamsSaved) -> None:
        if self._own_broadcasts:
            # This screen saved the file and already shows the snapshot read after the save.
            self._own_broadcasts -= 1
            return
        self._reload_unless_editing()

    def on_repro_finished(self, message: ReproFinished) -> None:
        self._reload_unless_editing()

    def on_params_screen_files_changed(self, message: FilesChanged) -> None:
        if self.editing is None:
            self.load()
            return
        root = self.app.project.root
        self._changed_while_editing.update(path.relative_to(root).as_posix() for path in message.paths)
        self._reload_after_edit = True
        self._show_changed_while_editing()

    def _reload_unless_editing(self) -> None:
        # Rebuilding the tree under an open edit box would hide what is being edited.
        if self.editing is None:
            self.load()
        else:
            self._reload_after_edit = True

    def _show_changed_while_editing(self) -> None:
        assert self.editing is not None
        file = self.editing.file
        changed = sorted(self._changed_while_editing)
        if file in changed:
            text = f"{file} changed on disk, so Enter will not save over it; Esc shows the new version."
        else:
            text = f"{', '.join(changed)} changed on disk; the tree reloads when this edit ends."
        self.query_one(ParamEditor).show_changed(text)

    @contextmanager
    def _own_write(self) -> Iterator[None]:
        """Keep a write by this screen from being reported as a change outside ct-tui."""
        self._watcher.pause()
        try:
            yield
        finally:
            self._watcher.resync()
            if not self._suspended:
                self._watcher.resume()

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
        tree = self.query_one(ParamsTree)
        detail = self.query_one(ParamDetail)
        if tree.selected_param is None:
            detail.show_file(tree.selected_file)
        else:
            detail.show_param(tree.selected_param)

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
                f"{shared_text(param)}.\nEditing it changes every one of them.",
                yes_label="edit all of them",
            ),
            answered,
        )

    def _open_editor(self, param: Param) -> None:
        self.editing = param
        # Saved against the load it was shown from, so a reload meanwhile shows as a conflict.
        self._editing_snapshot = self.snapshot
        self.refresh_bindings()
        self.query_one(ParamEditor).open(param)

    def action_cancel_edit(self) -> None:
        if self.editing is not None:
            self._close_editor()

    def _close_editor(self, *, saving: bool = False) -> None:
        """Hide the edit box and reload files that changed meanwhile, unless a save follows, which reloads anyway."""
        self.editing = None
        self.refresh_bindings()
        self.query_one(ParamEditor).close()
        self.query_one(ParamsTree).focus()
        self._changed_while_editing.clear()
        if self._reload_after_edit:
            self._reload_after_edit = False
            if not saving:
                self.load()

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
            self.query_one(ParamEditor).show_error(str(rejected))
            if rejected.new_type is not None:
                self._ask_type_change(snapshot, param, event.value, rejected)
            return
        self._close_editor(saving=True)
        self.save(snapshot, param, event.value, allow_type_change=False)

    def _ask_type_change(self, snapshot: ParamsSnapshot, param: Param, text: str, rejected: ValueRejected) -> None:
        def answered(change: bool | None) -> None:
            if change:
                self._close_editor(saving=True)
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
            with self._own_write():
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

    # Undo

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo: no edit was saved in this session.")
            return
        self.undo(self.undo_stack.pop())

    @work(thread=True, exclusive=True, exit_on_error=False, group="params-save")
    def undo(self, saved: SavedFile) -> None:
        try:
            with self._own_write():
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
        self._problems_shown = False
        self.query_one("#params-status", Static).update(markup)

