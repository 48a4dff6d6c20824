"""The ct-tui App: four screens switched by number keys, global keys, worker failures."""

from __future__ import annotations

import asyncio
import logging
from typing import Callable, Protocol

from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.worker import Worker, WorkerState

from ct_tui.domain.errors import CtTuiError
from ct_tui.domain.project import Project, describe_store
from ct_tui.settings import Settings
from ct_tui.ui.screens.dialogs import ConfirmDialog, ErrorDialog
from ct_tui.ui.screens.help import HelpScreen
from ct_tui.ui.screens.params import ParamsScreen
from ct_tui.ui.screens.pipeline import PipelineScreen
from ct_tui.ui.screens.registry import RegistryScreen
from ct_tui.ui.screens.runs import RunsScreen
from ct_tui.ui.thread_executor import DaemonThreadExecutor

log = logging.getLogger(__name__)

SCREENS_BY_MODE = {
    "pipeline": PipelineScreen,
    "params": ParamsScreen,
    "runs": RunsScreen,
    "registry": RegistryScreen,
}


class ReproControl(Protocol):
    """The interface of a running repro that the app needs to quit safely."""

    @property
    def running(self) -> bool: ...

    def stop(self) -> None:
        """Stop the repro's whole process group; blocks until it has exited."""


class CtTuiApp(App[None]):
    """Continuous training from the terminal: pipeline, params, runs and registry."""

    CSS_PATH = "app.tcss"
    TITLE = "ct-tui"
    MODES = dict(SCREENS_BY_MODE)
    DEFAULT_MODE = "pipeline"

    BINDINGS = [
        Binding("1", "switch_mode('pipeline')", "Pipeline", id="app.pipeline"),
        Binding("2", "switch_mode('params')", "Params", id="app.params"),
        Binding("3", "switch_mode('runs')", "Runs", id="app.runs"),
        Binding("4", "switch_mode('registry')", "Registry", id="app.registry"),
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("q", "request_quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "request_quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, project: Project, settings: Settings) -> None:
        super().__init__()
        self.project = project
        """The DVC project this app works on."""
        self.settings = settings
        """Settings read from the project's pyproject.toml, ct-tui.toml and environment."""
        self.repro: ReproControl | None = None
        """The repro in progress, set by the Pipeline screen while one runs."""

    def on_load(self) -> None:
        # A thread worker blocked in a call to a hung server must not hold up quitting.
        asyncio.get_running_loop().set_default_executor(DaemonThreadExecutor())

    def on_mount(self) -> None:
        self.sub_title = f"{self.project.root} · {describe_store(self.project.tracking_uri)}"
        log.info("started on %s, store %s", self.project.root, describe_store(self.project.tracking_uri))

    async def start_repro(self, stage: str | None = None, *, force: bool | None = None) -> None:
        """Switch to the Pipeline screen and start `dvc repro` there.

        `stage` None runs the whole pipeline; `force` None keeps the screen's `f` toggle.
        """
        await self.switch_mode("pipeline")
        screen = self.screen
        if isinstance(screen, PipelineScreen) and hasattr(screen, "start_repro"):
            screen.start_repro(stage, force=force)

    def broadcast(self, make_message: Callable[[], Message]) -> None:
        """Post a fresh message from `make_message` to the base screen of every open mode.

        Modes not opened yet have no screen; they load fresh data when first shown.
        """
        for mode in SCREENS_BY_MODE:
            try:
                stack = self.get_screen_stack(mode)
            except KeyError:
                continue
            if stack:
                stack[0].post_message(make_message())

    def action_help(self) -> None:
        sections: list[tuple[str, list[tuple[str, str]]]] = [
            ("Everywhere", _keys(self.BINDINGS)),
        ]
        for mode, screen_class in SCREENS_BY_MODE.items():
            keys = _keys(_own_bindings(screen_class))
            if keys:
                sections.append((mode.capitalize(), keys))
        self.push_screen(HelpScreen(sections, str(self.project.app_log_path)))

    async def action_quit(self) -> None:
        """Quit through the same guard as `q`; the command palette's Quit calls this."""
        self.action_request_quit()

    def action_request_quit(self) -> None:
        if self.repro is None or not self.repro.running:
            self.exit()
            return

        def answered(stop: bool | None) -> None:
            if stop:
                self._stop_repro_and_exit()

        self.push_screen(
            ConfirmDialog(
                "A repro is running. Stop it and quit?",
                "Its whole process group is interrupted, then terminated.",
                yes_label="stop and quit",
            ),
            answered,
        )

    def _stop_repro_and_exit(self) -> None:
        repro = self.repro

        def stop_then_exit() -> None:
            if repro is not None:
                repro.stop()
            self.call_from_thread(self.exit)

        self.notify("Stopping the repro…")
        self.run_worker(stop_then_exit, thread=True, name="stop-repro", group="quit", exclusive=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Turn a failed worker into a readable error dialog, and log it."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, CtTuiError):
            log.warning("%s: %s", error.title, error)
            self.push_screen(ErrorDialog(error.title, str(error)))
        else:
            log.error("worker %s failed", event.worker.name, exc_info=error)
            self.push_screen(
                ErrorDialog(
                    "Unexpected error",
                    f"{type(error).__name__}: {error}\n\nDetails are in {self.project.app_log_path}",
                )
            )


_KEY_NAMES = {"question_mark": "?", "slash": "/", "escape": "Esc", "enter": "Enter"}


def _key_label(key: str) -> str:
    """Write a Textual key name the way the footer does: `ctrl+r` as `^r`, `f5` as `F5`."""
    if key in _KEY_NAMES:
        return _KEY_NAMES[key]
    if key.startswith("ctrl+"):
        return "^" + key[len("ctrl+") :]
    if len(key) > 1 and key[0] == "f" and key[1:].isdigit():
        return key.upper()
    return key


def _own_bindings(screen_class: type) -> list:
    """Return the bindings that ct-tui's classes declare, without Textual's defaults."""
    bindings: list = []
    for cls in reversed(screen_class.__mro__):
        if cls.__module__.startswith("ct_tui."):
            bindings.extend(cls.__dict__.get("BINDINGS", []))
    return bindings


def _keys(bindings) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = []
    for binding in bindings:
        if not isinstance(binding, Binding):
            binding = Binding(*binding)
        key = binding.key_display or "/".join(_key_label(name) for name in binding.key.split(","))
        keys.append((key, binding.description or binding.action))
    return keys
