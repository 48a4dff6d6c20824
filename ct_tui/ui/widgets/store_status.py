"""A status line for data read from a tracking store: loading, stale, failed, retry.

A screen that loads data in a worker puts one StoreStatus above or below the
table it fills and reports to it how each load went:

    status.show_loading()                  # before the worker starts
    status.show_loaded()                   # the worker returned data
    status.show_failed(error)              # the worker raised a CtTuiError

When a load fails after an earlier one succeeded, the screen keeps the old rows
and the line says they are stale, since when, why, and which key retries. The
screen owns that key (F5 by convention) and should add the `-stale` class to
its table while `status.stale` is true, so the rows look dimmed.

Catch CtTuiError inside the worker and report it here instead of raising it:
a raised error opens the app's modal error dialog, which would cover the very
data the user still wants to read.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from ct_tui.domain.project import mask_secrets


class StoreStatus(Static):
    """One line on how fresh a screen's data is; hidden while the data is fresh."""

    DEFAULT_CSS = """
    StoreStatus {
        height: auto;
        padding: 0 1;
        display: none;
    }
    StoreStatus.-loading {
        display: block;
        color: $text-muted;
    }
    StoreStatus.-stale {
        display: block;
        background: $warning-muted;
        color: $text-warning;
    }
    StoreStatus.-failed {
        display: block;
        background: $error-muted;
        color: $text-error;
    }
    """

    def __init__(self, retry_key: str = "F5", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.retry_key = retry_key
        """The key the owning screen binds to reload, named in the line."""
        self.fetched_at: datetime | None = None
        """When the data on screen was read from the store; None before the first load."""
        self.error: str | None = None
        """Why the last load failed, already free of credentials; None after a success."""
        self.loading_now = False
        """True between show_loading and the next show_loaded or show_failed."""

    @property
    def stale(self) -> bool:
        """True when the last load failed but data from an earlier load is still shown."""
        return self.error is not None and self.fetched_at is not None

    def show_loading(self) -> None:
        """Note that a load started; a line shows only if no data or stale data is on screen."""
        self.loading_now = True
        self._render_state()

    def show_loaded(self, fetched_at: datetime | None = None) -> None:
        """Note a successful load (at `fetched_at`, default now) and hide the line."""
        self.loading_now = False
        self.fetched_at = fetched_at or datetime.now()
        self.error = None
        self._render_state()

    def show_failed(self, error: BaseException | str) -> None:
        """Note a failed load; keep the time of the data still on screen."""
        self.loading_now = False
        self.error = mask_secrets(str(error)) or type(error).__name__
        self._render_state()

    def _render_state(self) -> None:
        self.set_class(self.loading_now and self.error is None and self.fetched_at is None, "-loading")
        self.set_class(self.stale, "-stale")
        self.set_class(self.error is not None and self.fetched_at is None, "-failed")
        self.update(self.describe())

    def describe(self) -> Text:
        """Return the line as shown: empty while the data is fresh."""
        retry = f"{self.retry_key} retry"
        if self.error is None:
            return Text("Loading…") if self.loading_now and self.fetched_at is None else Text("")
        if self.loading_now:
            retry = "retrying…"
        if self.fetched_at is None:
            return Text.assemble(("Not loaded: ", "bold"), self.error, "  ", (retry, "bold"))
        return Text.assemble(
            (f"Stale data from {format_fetch_time(self.fetched_at)}: ", "bold"),
            self.error,
            "  ",
            (retry, "bold"),
        )


def format_fetch_time(moment: datetime, now: datetime | None = None) -> str:
    """Return `14:02:31` for a time today, else `2024-05-01 14:02`."""
    now = now or datetime.now(moment.tzinfo)
    if moment.date() == now.date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M")
