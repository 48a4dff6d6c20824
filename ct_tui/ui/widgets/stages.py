"""Display pieces of the pipeline: the list of stages in run order, and one stage's detail."""

from __future__ import annotations

from typing import Mapping

from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ct_tui.domain.pipeline import PipelineStatus, Stage, StageState
from ct_tui.domain.repro_progress import StageRunState

STATE_MARKS = {
    StageState.UP_TO_DATE: ("✓", "$success"),
    StageState.CHANGED: ("●", "$warning"),
    StageState.NEVER_RUN: ("○", "$text-muted"),
    StageState.FROZEN: ("❄", "$accent"),
}
"""The mark and theme colour of each state in the stage list."""

RUN_MARKS = {
    StageRunState.RUNNING: ("»", "$accent"),
    StageRunState.DONE: ("✓", "$success"),
    StageRunState.UNCHANGED: ("✓", "$success"),
    StageRunState.FAILED: ("✗", "$error"),
    StageRunState.INTERRUPTED: ("✗", "$warning"),
}
"""The mark and theme colour of what a repro did with a stage, shown until the status is read again."""

RunStates = Mapping[str, StageRunState]


def describe_state(stage: Stage) -> Content:
    mark, colour = STATE_MARKS[stage.state]
    return Content.from_markup(f"[{colour}]$mark $state[/]", mark=mark, state=stage.state.value)


NAME_WIDTH = 22
"""Characters of a stage's indented name in the list; longer names end in `…` there."""


class StageList(OptionList):
    """The stages in the order `dvc repro` runs them, indented by how deep they sit in the DAG."""

    def show(self, status: PipelineStatus, run_states: RunStates | None = None) -> None:
        """Replace the stages shown, keeping the highlighted stage when it still exists.

        A stage in `run_states` shows what the current repro did with it in place of its status.
        """
        run_states = run_states or {}
        current = self.highlighted_option.id if self.highlighted_option is not None else None
        width = max((len(stage.address) + 2 * status.depth(stage.address) for stage in status.stages), default=0)
        width = min(width, NAME_WIDTH)
        options = [
            Option(self._prompt(status, stage, width, run_states.get(stage.address)), id=stage.address)
            for stage in status.stages
        ]
        self.set_options(options)
        addresses = [stage.address for stage in status.stages]
        if current in addresses:
            self.highlighted = addresses.index(current)
        elif addresses:
            self.highlighted = 0

    @property
    def selected_address(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None

    @staticmethod
    def _prompt(status: PipelineStatus, stage: Stage, width: int, run_state: StageRunState | None) -> Content:
        depth = status.depth(stage.address)
        branch = "  " * (depth - 1) + "└ " if depth else ""
        if run_state is None:
            mark, colour = STATE_MARKS[stage.state]
            state = stage.state.value
        else:
            mark, colour = RUN_MARKS[run_state]
            state = run_state.value
        name = f"{branch}{stage.address}"
        name = name[: width - 1] + "…" if len(name) > width else name.ljust(width)
        return Content.from_markup(f"[{colour}]$mark[/] $name  [{colour}]$state[/]", mark=mark, name=name, state=state)


class StageDetail(Static):
    """Everything about one stage: its state, command, neighbours and why it would rerun."""

    def show(self, status: PipelineStatus, address: str | None, run_states: RunStates | None = None) -> None:
        stage = status.stage(address) if address else None
        if stage is None:
            self.update(Content("No stage selected." if status.stages else "dvc.yaml declares no stages."))
            return

        parts: list[Content] = [
            Content.from_markup("[b]$address[/b]  ", address=stage.address) + describe_state(stage),
        ]
        run_state = (run_states or {}).get(stage.address)
        if run_state is not None:
            mark, colour = RUN_MARKS[run_state]
            parts.append(
                Content.from_markup(f"[$text-muted]this repro[/] [{colour}]$mark $state[/]", mark=mark, state=run_state.value)
            )
        parts.append(Content.from_markup("[$text-muted]cmd[/] $cmd", cmd=stage.cmd or "(none)"))
        needs = ", ".join(stage.needs) or "-"
        used_by = ", ".join(status.used_by(stage.address)) or "-"
        parts.append(Content.from_markup("[$text-muted]needs[/] $needs  [$text-muted]used by[/] $used_by", needs=needs, used_by=used_by))
        if stage.dvcfile != "dvc.yaml":
            parts.append(Content.from_markup("[$text-muted]declared in[/] $path", path=stage.dvcfile))
        for reason in stage.reasons:
            parts.append(Content.from_markup("[$warning]•[/] $reason", reason=reason.describe()))
        if stage.always_changed and stage.state is StageState.UP_TO_DATE:
            parts.append(Content("always changed: dvc repro always runs it"))
        stale = status.stale_upstream(stage.address)
        if stale and stage.state is not StageState.FROZEN:
            parts.append(
                Content.from_markup(
                    "[$text-muted]•[/] upstream not up to date: $stages; this stage reruns if their outs change",
                    stages=", ".join(stale),
                )
            )
        self.update(Content("\n").join(parts))
