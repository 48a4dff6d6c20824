"""A table of runs that draws only the visible lines, so 20,000 rows cost no more than 20.

Textual's DataTable measures every cell as rows are added (about 0.1 s per
200 rows of 11 columns here), which would stall scrolling through a large
store. This table keeps rows as plain strings and renders a line on demand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

MAX_COLUMN_WIDTH = 28
"""Widest a column grows; longer cells end with an ellipsis."""

MARK = "●"


@dataclass(frozen=True)
class TableColumn:
    key: str
    label: str
    justify: str = "left"
    """`left` or `right`."""


@dataclass(slots=True)
class TableRow:
    key: str
    """The run id."""

    cells: tuple[str, ...]
    deleted: bool = False


class RunsTable(ScrollView, can_focus=True):
    """Rows of runs with a fixed header line, a row cursor and marks."""

    DEFAULT_CSS = """
    RunsTable {
        background: $surface;
    }
    RunsTable > .runs-table--header {
        text-style: bold;
        background: $panel;
        color: $foreground;
    }
    RunsTable > .runs-table--cursor {
        background: $block-cursor-blurred-background;
    }
    RunsTable:focus > .runs-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    RunsTable > .runs-table--deleted {
        color: $text-muted;
        text-style: strike;
    }
    RunsTable > .runs-table--marked {
        color: $accent;
    }
    RunsTable > .runs-table--sorted {
        color: $accent;
        text-style: bold underline;
    }
    """

    COMPONENT_CLASSES = {
        "runs-table--header",
        "runs-table--cursor",
        "runs-table--deleted",
        "runs-table--marked",
        "runs-table--sorted",
    }

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)
    """Index of the highlighted row."""

    class MoreRequested(Message):
        """The cursor or the view came near the last loaded row, and more rows exist."""

    @dataclass
    class CursorMoved(Message):
        """The highlighted row changed."""

        run_id: str | None

    def __init__(self, *, more_threshold: int = 100, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: list[TableColumn] = []
        self.rows: list[TableRow] = []
        self.marks: set[str] = set()
        """Run ids marked with `space`, kept across reloads."""

        self.has_more = False
        """Whether rows after the last one exist; set by the screen."""

        self.sorted_column: str | None = None
        """Key of the column the rows are sorted on, drawn highlighted."""

        self._widths: list[int] = []
        self._more_threshold = more_threshold
        self._more_requested = False

    # -- content --------------------------------------------------------

    def set_rows(self, columns: list[TableColumn], rows: list[TableRow], *, keep: str | None = None) -> None:
        """Replace columns and rows; put the cursor on run `keep` when it is still there."""
        self.columns = columns
        self.rows = list(rows)
        self._widths = [cell_len(column.label) for column in columns]
        self._grow_widths(self.rows)
        self._more_requested = False
        target = 0
        if keep is not None:
            target = next((index for index, row in enumerate(self.rows) if row.key == keep), 0)
        self._update_virtual_size()
        self.cursor_row = min(target, max(len(self.rows) - 1, 0))
        self.refresh()

    def append_rows(self, rows: Iterable[TableRow]) -> None:
        """Add rows at the end; set `has_more` first, since more may be requested at once."""
        rows = list(rows)
        self.rows.extend(rows)
        self._grow_widths(rows)
        self._more_requested = False
        self._update_virtual_size()
        self.refresh()
        self._check_more()

    def toggle_mark(self) -> None:
        run_id = self.cursor_run_id
        if run_id is None:
            return
        self.marks.symmetric_difference_update({run_id})
        self.refresh()

    @property
    def cursor_run_id(self) -> str | None:
        if 0 <= self.cursor_row < len(self.rows):
            return self.rows[self.cursor_row].key
        return None

    def _grow_widths(self, rows: Iterable[TableRow]) -> None:
        widths = self._widths
        for row in rows:
            for index, cell in enumerate(row.cells[: len(widths)]):
                width = min(len(cell), MAX_COLUMN_WIDTH)
                if width > widths[index]:
                    widths[index] = width

    def _update_virtual_size(self) -> None:
        width = 2 + sum(self._widths) + len(self._widths)
        self.virtual_size = Size(width, len(self.rows) + 1)

    # -- cursor and scrolling ---------------------------------------------

    @property
    def _visible_rows(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def watch_cursor_row(self, old: int, new: int) -> None:
        if self.rows:
            clamped = max(0, min(new, len(self.rows) - 1))
            if clamped != new:
                self.cursor_row = clamped
                return
        top = round(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + self._visible_rows:
            self.scroll_to(y=new - self._visible_rows + 1, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.CursorMoved(self.cursor_run_id))
        self._check_more()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._check_more()

    def _check_more(self) -> None:
        if not self.has_more or self._more_requested:
            return
        last_visible = round(self.scroll_y) + self._visible_rows
        if max(self.cursor_row, last_visible) >= len(self.rows) - self._more_threshold:
            self._more_requested = True
            self.post_message(self.MoreRequested())

    def action_cursor(self, delta: int) -> None:
        self.cursor_row = self.cursor_row + delta

    def action_page(self, direction: int) -> None:
        self.cursor_row = self.cursor_row + direction * self._visible_rows

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = max(len(self.rows) - 1, 0)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            row = round(self.scroll_y) + event.y - 1
            if row < len(self.rows):
                self.cursor_row = row

    # -- rendering --------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x = round(self.scroll_x)
        if y == 0:
            strip = self._header_strip()
        else:
            index = round(self.scroll_y) + y - 1
            if index >= len(self.rows):
                return Strip.blank(width, self.rich_style)
            strip = self._row_strip(index)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def _header_strip(self) -> Strip:
        header = self.get_component_rich_style("runs-table--header")
        sorted_style = header + self.get_component_rich_style("runs-table--sorted", partial=True)
        segments = [Segment("  ", header)]
        for column, width in zip(self.columns, self._widths):
            style = sorted_style if column.key == self.sorted_column else header
            segments.append(Segment(_fit(column.label, width, column.justify), style))
            segments.append(Segment(" ", header))
        return Strip(segments)

    def _row_strip(self, index: int) -> Strip:
        row = self.rows[index]
        style = self.rich_style
        marked = row.key in self.marks
        if row.deleted:
            style += self.get_component_rich_style("runs-table--deleted", partial=True)
        if marked:
            style += self.get_component_rich_style("runs-table--marked", partial=True)
        if index == self.cursor_row:
            style += self.get_component_rich_style("runs-table--cursor", partial=True)
        text = (MARK + " " if marked else "  ") + "".join(
            _fit(cell, width, column.justify) + " " for column, width, cell in zip(self.columns, self._widths, row.cells)
        )
        return Strip([Segment(text, style)], cell_len(text))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.refresh()


def _fit(text: str, width: int, justify: str) -> str:
    """Pad or cut `text` to exactly `width` cells, with an ellipsis where it is cut."""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else text[:width]
    padding = " " * (width - length)
    return padding + text if justify == "right" else text + padding

