"""Dialogs of the Runs screen: experiment picker, sort order and column choice."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from ct_tui.domain.runs_query import ATTRIBUTE, METRIC, Experiment, SortKey
from ct_tui.ui.screens.runs_columns import RunsColumn


class ExperimentPicker(ModalScreen["Experiment | None"]):
    """Choose the experiment whose runs are listed; Enter picks, Esc keeps the current one."""

    CSS_PATH = "runs_dialogs.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="runs.experiment.cancel")]

    def __init__(self, experiments: list[Experiment], current: str | None) -> None:
        super().__init__()
        self._experiments = experiments
        self._current = current

    def compose(self) -> ComposeResult:
        options = []
        for experiment in self._experiments:
            label = Text(f"{experiment.name}  (id {experiment.experiment_id})")
            if experiment.lifecycle_stage == "deleted":
                label.append("  deleted", style="italic")
            options.append(Option(label, id=experiment.experiment_id))
        with Vertical(classes="dialog runs-picker"):
            yield Static("Experiment", classes="dialog-title")
            yield OptionList(*options, id="experiment-options")
            yield Static("[b]Enter[/b] choose   [b]Esc[/b] cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for index, experiment in enumerate(self._experiments):
            if experiment.experiment_id == self._current:
                options.highlighted = index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = next(item for item in self._experiments if item.experiment_id == event.option.id)
        self.dismiss(chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class SortChoice:
    """The order the user chose; `sort` None is MLflow's default, newest first."""

    sort: SortKey | None


class SortPicker(ModalScreen["SortChoice | None"]):
    """Choose the column and direction the tracking store sorts the runs by."""

    CSS_PATH = "runs_dialogs.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="runs.sort.cancel")]

    def __init__(self, columns: list[RunsColumn], current: SortKey | None) -> None:
        super().__init__()
        self._choices: list[SortKey | None] = [None]
        self._labels = ["Newest first (MLflow's default)"]
        for column in columns:
            if column.sort is None:
                continue
            descending = SortKey(column.sort.kind, column.sort.key, ascending=False)
            ascending = SortKey(column.sort.kind, column.sort.key, ascending=True)
            self._choices += [descending, ascending]
            down, up = _direction_words(column.sort)
            self._labels += [f"{column.label} ↓ {down}", f"{column.label} ↑ {up}"]
        self._current = current

    def compose(self) -> ComposeResult:
        options = [Option(label, id=str(index)) for index, label in enumerate(self._labels)]
        with Vertical(classes="dialog runs-picker"):
            yield Static("Sort runs by", classes="dialog-title")
            yield OptionList(*options, id="sort-options")
            yield Static("[b]Enter[/b] sort   [b]Esc[/b] cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        if self._current in self._choices:
            self.query_one(OptionList).highlighted = self._choices.index(self._current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(SortChoice(self._choices[int(event.option.id)]))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _direction_words(sort: SortKey) -> tuple[str, str]:
    """Describe descending and ascending order for the kind of value MLflow compares."""
    if sort.kind == METRIC:
        return "highest first", "lowest first"
    if sort.kind == ATTRIBUTE and sort.key in ("start_time", "end_time"):
        return "newest first", "oldest first"
    # MLflow stores params and tags as text, so they sort as text: "10" before "9".
    return "Z to A", "A to Z"


@dataclass(frozen=True)
class ColumnChoice:
    metrics: list[str]
    params: list[str]


class ColumnChooser(ModalScreen["ColumnChoice | None"]):
    """Choose which metrics and params the runs table shows."""

    CSS_PATH = "runs_dialogs.tcss"

    BINDINGS = [
        Binding("a", "apply", "Apply", id="runs.columns.apply"),
        Binding("escape", "cancel", "Cancel", id="runs.columns.cancel"),
    ]

    def __init__(self, metrics: list[str], params: list[str], shown_metrics: list[str], shown_params: list[str]) -> None:
        super().__init__()
        self._metrics = metrics
        self._params = params
        self._shown_metrics = shown_metrics
        self._shown_params = shown_params

    def compose(self) -> ComposeResult:
        selections = [(f"metric  {key}", f"metric:{key}", key in self._shown_metrics) for key in self._metrics]
        selections += [(f"param   {key}", f"param:{key}", key in self._shown_params) for key in self._params]
        with Vertical(classes="dialog runs-picker"):
            yield Static("Columns", classes="dialog-title")
            yield SelectionList[str](*selections, id="column-options")
            yield Static("[b]space[/b] show/hide   [b]a[/b] apply   [b]Esc[/b] cancel", classes="dialog-keys")

    def action_apply(self) -> None:
        chosen = set(self.query_one(SelectionList).selected)
        self.dismiss(
            ColumnChoice(
                metrics=[key for key in self._metrics if f"metric:{key}" in chosen],
                params=[key for key in self._params if f"param:{key}" in chosen],
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
