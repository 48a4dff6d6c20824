"""Pipeline screen: stages, their status and why they would rerun; repro with streamed logs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static

from ct_tui.domain.errors import DvcError
from ct_tui.domain.pipeline import PipelineStatus, StageState, load_status
from ct_tui.domain.dvc_commands import DvcCommand, RunResult, push_command, repro_command
from ct_tui.domain.repro import LOG_MAX_LINES, DvcRun
from ct_tui.domain.repro_progress import StageRunState
from ct_tui.domain.watch import FileWatcher
from ct_tui.ui.messages import ParamsSaved, ReproFinished, ReproStarted
from ct_tui.ui.screens.worker_errors import ForwardWorkerErrors
from ct_tui.ui.screens.dialogs import ErrorDialog
from ct_tui.ui.widgets.key_footer import TwoRowFooter
from ct_tui.ui.widgets.log_view import LogView
from ct_tui.ui.widgets.stages import StageDetail, StageList

log = logging.getLogger(__name__)

BUSY_RETRY_SECONDS = 5.0
"""While another DVC process holds a lock, the status is read again this often.

Each read runs the probe (about 0.3 s of CPU), and a change to dvc.lock is
noticed sooner by the file watcher anyway."""


class PipelineScreen(ForwardWorkerErrors, Screen):
    """The stages of dvc.yaml with their status, and dvc commands with their output."""

    CSS_PATH = "pipeline.tcss"

    BINDINGS = [
        Binding("r", "repro", "Repro", id="pipeline.repro"),
        Binding("s", "repro_stage", "Stage", id="pipeline.repro_stage"),
        Binding("f", "toggle_force", "Force", id="pipeline.force"),
        Binding("d", "dry_run", "Dry run", id="pipeline.dry_run"),
        Binding("c", "cancel", "Cancel", id="pipeline.cancel"),
        # Apart from `c` and hidden, so that the footer lists Cancel where `c` is, not where
        # Textual's own ctrl+c binding sits.
        Binding("ctrl+c", "cancel", "Cancel", id="pipeline.cancel_ctrl_c", show=False),
        Binding("P", "push", "Push", id="pipeline.push"),
        Binding("f5,ctrl+r", "refresh_status", "Refresh", id="pipeline.refresh", key_display="F5/^r"),
        Binding(
            "l",
            "toggle_log_focus",
            "Focus the log to scroll it with the arrows and PgUp/PgDn (long lines wrap)",
            id="pipeline.log",
            show=False,
        ),
    ]
    """The footer shows each key in every state, dimmed while it does nothing, so that keys keep their places."""

    @dataclass
    class StatusLoaded(Message):
        """The status probe returned."""

        request: int
        status: PipelineStatus

    @dataclass
    class StatusFailed(Message):
        """The status probe failed, and `message` is the error in DVC's words."""

        request: int
        message: str

    @dataclass
    class FilesChanged(Message):
        """Files that the status depends on changed outside ct-tui."""

        paths: list[Path]

    class OutputReady(Message):
        """A running dvc command has new output in its buffer."""

    @dataclass
    class RunFinished(Message):
        """A dvc command started from this screen ended."""

        result: RunResult

    @dataclass
    class RunNotStarted(Message):
        """A dvc command could not be started."""

        run: DvcRun
        message: str

    def __init__(self) -> None:
        super().__init__()
        self.status = PipelineStatus()
        """The last status read without a busy lock."""

        self.force = False
        """Whether the next repro reruns stages even when they are up to date (`--force`)."""

        self.dvc_run: DvcRun | None = None
        """The dvc command started last from this screen, running or ended."""

        self._run_states: dict[str, StageRunState] = {}
        self._run_states_version = -1
        self._status_note = Content("reading the pipeline status…")
        self._status_request = 0
        self._shown_stage: str | None = None
        self._busy_timer = None
        self._watcher = FileWatcher(lambda paths: self.post_message(self.FilesChanged(paths)))

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="pipeline-top"):
            yield StageList(id="stage-list")
            with VerticalScroll(id="stage-detail-scroll"):
                yield StageDetail(id="stage-detail")
        yield Static(id="pipeline-status")
        yield LogView(LOG_MAX_LINES, id="log")
        # Compact, in two rows and without the palette hint, every key of this
        # screen and of the app fits in 80 columns.
        yield TwoRowFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(StageList).border_title = "Stages"
        self.query_one("#stage-detail-scroll").border_title = "Detail"
        self.query_one(LogView).border_title = "Log"
        self._show_status_line()
        self.refresh_status()
        self._watcher.start()

    def on_unmount(self) -> None:
        self._watcher.stop()

    # Status

    def refresh_status(self) -> None:
        """Read the status of every stage again, off the UI thread."""
        self._status_request += 1
        self._load_status(self._status_request)

    @work(thread=True, exclusive=True, exit_on_error=False, group="pipeline-status")
    def _load_status(self, request: int) -> None:
        try:
            status = load_status(self.app.project.root)
        except DvcError as error:
            log.warning("status failed: %s", error)
            self.post_message(self.StatusFailed(request, str(error)))
            return
        self.post_message(self.StatusLoaded(request, status))

    def on_pipeline_screen_status_loaded(self, event: StatusLoaded) -> None:
        if event.request != self._status_request:
            return
        if self._busy_timer is not None:
            self._busy_timer.stop()
            self._busy_timer = None
        if event.status.busy is not None:
            note = event.status.busy.describe()
            if self.status.stages:
                note += "; showing the last status"
            self._status_note = Content.from_markup("[$warning]$note[/]", note=note)
            self._busy_timer = self.set_timer(BUSY_RETRY_SECONDS, self.refresh_status)
        else:
            self.status = event.status
            self._status_note = self._summary()
            self._watcher.watch(event.status.watch)
            if self.dvc_run is None or not self.dvc_run.running:
                # The status read after a repro replaces what the repro did with each stage.
                self._run_states = {}
            self._show_stages()
        self._show_status_line()

    def on_pipeline_screen_status_failed(self, event: StatusFailed) -> None:
        if event.request != self._status_request:
            return
        self._status_note = Content.from_markup("[$error]$message[/]", message=event.message)
        self._show_status_line()
        self.query_one(StageDetail).update(Content(event.message))
        # Without a status there is no list of files to watch, so watch at
        # least dvc.yaml: fixing it in an editor then refreshes the status.
        self._watcher.watch([*self.status.watch, self.app.project.root / "dvc.yaml"])

    def on_pipeline_screen_files_changed(self, event: FilesChanged) -> None:
        if self.dvc_run is None or not self.dvc_run.running:
            self.refresh_status()

    def on_params_saved(self, event: ParamsSaved) -> None:
        self.refresh_status()

    @on(OptionList.OptionHighlighted, "#stage-list")
    def _stage_highlighted(self) -> None:
        self._show_detail()

    def _show_stages(self) -> None:
        self.query_one(StageList).show(self.status, self._run_states)
        self._show_detail()

    def _show_detail(self) -> None:
        self.query_one(StageDetail).show(self.status, self.query_one(StageList).selected_address, self._run_states)

    def _show_run_states(self, run: DvcRun) -> None:
        """Show what the repro did with each stage so far, when that changed since the last call."""
        if run.command.kind != "repro" or run.progress.version == self._run_states_version:
            return
        self._run_states_version = run.progress.version
        self._run_states = run.progress.states
        self._show_stages()

    def _summary(self) -> Content:
        stages = self.status.stages
        if not stages:
            return Content("no stages in dvc.yaml")
        counts = {state: sum(1 for stage in stages if stage.state is state) for state in StageState}
        parts = [f"{len(stages)} stage" if len(stages) == 1 else f"{len(stages)} stages"]
        parts += [f"{count} {state.value}" for state, count in counts.items() if count and state is not StageState.UP_TO_DATE]
        if counts[StageState.UP_TO_DATE] == len(stages):
            parts.append("all up to date")
        return Content(", ".join(parts))

    def _show_status_line(self) -> None:
        """Show the force mark, what runs or ran last, then the stages' summary or why it is missing."""
        parts: list[Content] = []
        # First, so that it stays in view when the rest is cut at the panel's end.
        force = Content.from_markup("[$warning]$mark[/] ", mark="[force]") if self.force else Content()
        run = self.dvc_run
        if run is not None and run.running:
            running = f"{run.command.kind} running"
            if run.stage:
                running += f": stage '{run.stage}'"
            parts.append(Content.from_markup("[$accent]$running[/]", running=running))
        elif run is not None and run.result is not None:
            colour = "$success" if run.result.ok else "$error"
            parts.append(Content.from_markup(f"[{colour}]$result[/]", result=run.result.describe(short=True)))
        parts.append(self._status_note)
        self.query_one("#pipeline-status", Static).update(force + Content(" · ").join(parts))

    # dvc commands

    def start_repro(self, stage: str | None = None, *, force: bool | None = None) -> None:
        """Run `dvc repro` for every stage, or for `stage` alone; `force` defaults to the toggle."""
        self._start(
            repro_command(
                stage,
                force=self.force if force is None else force,
                all_pipelines=self._has_nested_stages(),
            )
        )

    def action_repro(self) -> None:
        self.start_repro()

    def action_repro_stage(self) -> None:
        address = self.query_one(StageList).selected_address
        if address is None:
            self.notify("No stage selected.", severity="warning")
            return
        self.start_repro(address)

    def action_dry_run(self) -> None:
        self._start(repro_command(force=self.force, dry=True, all_pipelines=self._has_nested_stages()))

    def _has_nested_stages(self) -> bool:
        return any(stage.dvcfile != "dvc.yaml" for stage in self.status.stages)

    def action_push(self) -> None:
        remotes = self.status.remotes
        if not remotes:
            self.notify(
                "No DVC remote configured: add one with `dvc remote add -d NAME URL`, then press P again.",
                title="dvc push",
                severity="error",
            )
            return
        # With one remote and no default, push there rather than fail.
        remote = remotes[0] if len(remotes) == 1 and not self.status.default_remote else None
        self._start(push_command(remote))

    def action_toggle_force(self) -> None:
        self.force = not self.force
        self._show_status_line()

    def action_refresh_status(self) -> None:
        self.refresh_status()

    def action_toggle_log_focus(self) -> None:
        log_view = self.query_one(LogView)
        if log_view.has_focus:
            self.query_one(StageList).focus()
        else:
            log_view.focus()

    def action_cancel(self) -> None:
        run = self.dvc_run
        if run is None or not run.running:
            self.notify("Nothing is running.", severity="information")
            return
        self.notify(f"Cancelling {run.command.title}…")
        self.run_worker(
            run.stop,
            thread=True,
            name="cancel-dvc",
            group="pipeline-cancel",
            exclusive=True,
            exit_on_error=False,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # None keeps the key in the footer, dimmed, and ignores the key press.
        running = self.dvc_run is not None and self.dvc_run.running
        if action == "cancel":
            return True if running else None
        if action in ("repro", "repro_stage", "dry_run", "push"):
            return None if running else True
        return True

    def _start(self, command: DvcCommand) -> None:
        if self.dvc_run is not None and self.dvc_run.running:
            self.notify(f"{self.dvc_run.command.title} is still running; cancel it with c first.", severity="warning")
            return
        log_view = self.query_one(LogView)
        log_view.clear()
        log_view.write_lines([f"$ {command.title}"])
        self._run_states_version = -1
        run = DvcRun(
            self.app.project,
            command,
            on_output=lambda: self.post_message(self.OutputReady()),
            on_finished=lambda result: self.post_message(self.RunFinished(result)),
        )
        self.dvc_run = run
        self.app.repro = run
        self._watcher.pause()
        if command.kind == "repro":
            self.app.broadcast(lambda: ReproStarted(command.stage))
        self._start_run(run)
        self._show_status_line()
        self.refresh_bindings()

    @work(thread=True, exit_on_error=False, group="pipeline-run")
    def _start_run(self, run: DvcRun) -> None:
        try:
            run.start()
        except DvcError as error:
            log.error("%s", error)
            self.post_message(self.RunNotStarted(run, str(error)))

    def on_pipeline_screen_run_not_started(self, event: RunNotStarted) -> None:
        if self.app.repro is event.run:
            self.app.repro = None
        self._watcher.resume()
        self._status_note = Content.from_markup("[$error]$message[/]", message=event.message)
        self._show_status_line()
        self.refresh_bindings()
        self.app.push_screen(ErrorDialog(DvcError.title, event.message))

    def on_pipeline_screen_output_ready(self, event: OutputReady) -> None:
        run = self.dvc_run
        if run is None:
            return
        batch = run.buffer.take()
        self.query_one(LogView).write_lines(batch.lines, batch.partial, batch.dropped)
        self._show_run_states(run)
        # The status line names the running stage; redrawing it on every batch
        # would cost a layout pass for nothing during a flood.
        if run.stage != self._shown_stage:
            self._shown_stage = run.stage
            self._show_status_line()

    def on_pipeline_screen_run_finished(self, event: RunFinished) -> None:
        result = event.result
        self.on_pipeline_screen_output_ready(self.OutputReady())
        # The result comes last, where the eye lands after a cancel's KeyboardInterrupt traceback.
        summary = [f"# {line}" for line in result.summary_lines()]
        self.query_one(LogView).write_lines([f"# full log: {result.log_path}", *summary])
        if self.app.repro is self.dvc_run:
            self.app.repro = None
        self._watcher.resync()
        self._watcher.resume()
        severity = "information"
        if result.cancelled:
            severity = "warning"
        elif not result.ok:
            severity = "error"
        self.notify(result.describe(), severity=severity)
        if result.command.kind == "repro":
            self.app.broadcast(lambda: ReproFinished(result.exit_code, result.cancelled))
        self._show_status_line()
        self.refresh_bindings()
        self.refresh_status()
