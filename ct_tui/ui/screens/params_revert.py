"""The `H` key of the Params screen: show a file's diff to git HEAD, confirm, write HEAD's version."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Callable

from textual import work

from ct_tui.domain.params import (
    ParamsConflict,
    ParamsSnapshot,
    describe_reruns,
    head_difference,
    load_params,
    revert_to_head,
)
from ct_tui.ui.screens.dialogs import ConfirmDialog
from ct_tui.ui.widgets.params_tree import ParamsTree


class RevertToHead:
    """Reverting the params file under the cursor to git HEAD, as a mixin of `ParamsScreen`.

    The screen provides the snapshot it shows, `_own_write` to wrap a write of
    its own, and `_after_write` to show the result and keep it for undo.
    """

    snapshot: ParamsSnapshot | None
    _own_write: Callable[[], AbstractContextManager[None]]
    _after_write: Callable[..., None]

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
            with self._own_write():
                saved = revert_to_head(snapshot, file, head, commit)
        except ParamsConflict:
            self.app.call_from_thread(self._after_write, None, f"Not reverted: {file} changed on disk.")
            raise
        fresh = load_params(self.app.project.root)
        message = f"Reverted {file} to {commit}; u undoes it. {describe_reruns(fresh.reruns)}"
        self.app.call_from_thread(self._after_write, fresh, message, saved)
