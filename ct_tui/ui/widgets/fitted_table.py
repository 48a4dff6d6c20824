"""A DataTable that sizes its columns to its cells and to its own width."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import DataTable


@dataclass(frozen=True)
class FittedColumn:
    """A column of a FittedTable and how it gives way when the table is too narrow."""

    label: str
    key: str
    drop_rank: int | None = None
    """Columns with a rank are left out while the table is too wide, highest rank first.
    None keeps the column."""

    max_width: int | None = None
    """Widest the column gets; longer cells end in `…`."""

    min_width: int | None = None
    """Narrowest the column gets after every ranked column was left out; None keeps its width."""


class FittedTable(DataTable):
    """A DataTable whose column widths are computed from its cells each time it is filled.

    DataTable sizes auto-width columns to their cells only when it is idle,
    so a table drawn right after a refill can show cells cut to the width
    of their headings. Here every width is set explicitly, so each fill and
    each resize lays the columns out again. Columns that do not fit are
    narrowed or left out as their FittedColumn specifies, so that the table
    needs no horizontal scrollbar unless even its kept columns are too wide.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._columns: list[FittedColumn] = []
        self._rows: list[tuple[str, list[Text]]] = []
        self._laid_out_width: int | None = None
        self.shown_columns: list[str] = []
        """Keys of the columns shown after the last layout, in order."""

    def fill(self, columns: list[FittedColumn], rows: list[tuple[str, list[Text]]]) -> None:
        """Replace the columns and rows, keeping the cursor on the same row key when it is still there.

        Each row is its key and one cell per column of `columns`.
        """
        self._columns = columns
        self._rows = rows
        self._lay_out()

    def on_resize(self, event: events.Resize) -> None:
        # DataTable's own `_on_resize` runs too: Textual calls each class's handler.
        if self._columns and self._available_width() != self._laid_out_width:
            self._lay_out()

    def _available_width(self) -> int:
        width = self.size.width or self.app.size.width
        rows_height = len(self._rows) + (self.header_height if self.show_header else 0)
        if not self.size.height or rows_height > self.size.height:
            width -= self.styles.scrollbar_size_vertical
        return width

    def _lay_out(self) -> None:
        available = self._available_width()
        self._laid_out_width = available
        shown, widths = _fit(self._columns, self._rows, available, 2 * self.cell_padding)

        selected = None
        if self.row_count:
            selected = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        self.clear(columns=True)
        for index in shown:
            column = self._columns[index]
            self.add_column(column.label, width=widths[index], key=column.key)
        for key, cells in self._rows:
            self.add_row(*(_cut(cells[index], widths[index]) for index in shown), key=key)
        self.shown_columns = [self._columns[index].key for index in shown]
        if selected is not None and selected in self.rows:
            self.move_cursor(row=self.get_row_index(selected))


def _fit(
    columns: list[FittedColumn], rows: list[tuple[str, list[Text]]], available: int, padding: int
) -> tuple[list[int], dict[int, int]]:
    """Return the indexes of the columns to show and the content width of each column."""
    widths: dict[int, int] = {}
    for index, column in enumerate(columns):
        width = max([cell_len(column.label), *(cells[index].cell_len for _, cells in rows)])
        if column.max_width is not None:
            width = min(width, column.max_width)
        widths[index] = width
    shown = list(range(len(columns)))

    def excess() -> int:
        return sum(widths[index] + padding for index in shown) - available

    ranked = [index for index in shown if columns[index].drop_rank is not None]
    ranked.sort(key=lambda index: columns[index].drop_rank, reverse=True)
    for index in ranked:
        if excess() <= 0:
            break
        shown.remove(index)
    for index in shown:
        minimum = columns[index].min_width
        if excess() > 0 and minimum is not None and widths[index] > minimum:
            widths[index] -= min(excess(), widths[index] - minimum)
    return shown, widths


def _cut(cell: Text, width: int) -> Text:
    if cell.cell_len <= width:
        return cell
    cut = cell.copy()
    cut.truncate(width, overflow="ellipsis")
    return cut
