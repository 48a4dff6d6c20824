"""Send a screen's failed workers to the App, which shows every failure the same way.

Textual's `Worker.StateChanged` does not bubble (Textual 8), so the App's
handler only receives the state changes of workers the App started, unless a
screen forwards them.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState


class ForwardWorkerErrors:
    """Mixin for a Screen: post each failed worker's state change to the App as well."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.post_message(Worker.StateChanged(event.worker, event.state))
