"""A log panel that shows the last lines of a command's output, wrapped, with bounded memory."""

from __future__ import annotations

from collections import deque
from itertools import repeat

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

DEFAULT_MAX_LINES = 10_000

CONTINUATION_MARK = "↳ "
"""Drawn at the start of each row that continues a wrapped line."""

MIN_WRAP_WIDTH = 20
"""Minimum width, in cells, that lines wrap to. A narrower panel crops the rows."""


class _Continuation(str):
    """A row that continues the line above it. It is drawn after `CONTINUATION_MARK`."""

    __slots__ = ()


class LogView(ScrollView, can_focus=True):
    """The last `max_lines` lines of output, plus the unfinished line below them.

    Lines longer than the panel wrap, and each continuation row starts with
    `CONTINUATION_MARK`. Wrapping happens once, when a line arrives or the
    width changes, so a flood of output costs one refresh per batch and only
    the visible rows are rendered. The view follows new output while it is
    scrolled to the end, and stays put when the user scrolled up.
    """

    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $text;
        /* A scrollbar that always shows lets the view scroll to new lines
           before the next layout has run. */
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
    }
    LogView > .log-view--continuation {
        color: $text-muted;
    }
    """

    COMPONENT_CLASSES = {"log-view--continuation"}

    def __init__(
        self,
        max_lines: int = DEFAULT_MAX_LINES,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._max_lines = max_lines
        # Only display rows are kept: a line that fits is its own row, so a
        # flood of short lines costs no copies, and `lines` joins wrapped rows.
        self._rows: deque[str] = deque()
        self._line_count = 0
        self._partial = ""
        self._partial_rows: list[str] = []
        self._wrap_width = 0
        self.lines_written = 0
        """Lines written since the last `clear`, including those no longer kept."""

    @property
    def lines(self) -> list[str]:
        """The lines kept, and the unfinished line when there is one."""
        lines: list[str] = []
        for row in self._rows:
            if isinstance(row, _Continuation):
                lines[-1] += row
            else:
                lines.append(str(row))
        if self._partial:
            lines.append(self._partial)
        return lines

    @property
    def line_count(self) -> int:
        return self._line_count + (1 if self._partial else 0)

    @property
    def row_count(self) -> int:
        """Rows the kept lines take at the current width, the unfinished line included."""
        return len(self._rows) + len(self._partial_rows)

    def write_lines(self, lines: list[str], partial: str = "", dropped: int = 0) -> None:
        """Append complete lines and replace the unfinished line."""
        # The end can move by a line between two batches without the user
        # scrolling, because the unfinished line comes and goes. One line of
        # slack keeps the view following.
        follow = self.scroll_offset.y >= self.max_scroll_y - 1 or not self.size
        if not self._wrap_width:
            self._wrap_width = self._content_width()
        if dropped:
            self._append([f"… {dropped:,} lines skipped here; the log file has every line"])
        if lines:
            self._append(lines)
            self.lines_written += len(lines)
        self._partial = partial
        self._partial_rows = self._wrap(partial) if partial else []
        self.virtual_size = Size(self._wrap_width, self.row_count)
        if follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
            # Again after the layout, in case the size changed meanwhile.
            self.scroll_end(animate=False, x_axis=False)
        self.refresh()

    def clear(self) -> None:
        self._rows.clear()
        self._line_count = 0
        self._partial = ""
        self._partial_rows = []
        self.lines_written = 0
        self.virtual_size = Size(0, 0)
        self.scroll_home(animate=False, immediate=True)
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        width = self._content_width()
        if width == self._wrap_width:
            return
        follow = self.scroll_offset.y >= self.max_scroll_y - 1
        lines = self.lines
        if self._partial:
            lines.pop()
        self._rows.clear()
        self._line_count = 0
        self._wrap_width = width
        self._append(lines)
        self._partial_rows = self._wrap(self._partial) if self._partial else []
        self.virtual_size = Size(width, self.row_count)
        if follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        style = self.rich_style
        rows = self._rows
        if index < len(rows):
            row = rows[index]
        elif index - len(rows) < len(self._partial_rows):
            row = self._partial_rows[index - len(rows)]
        else:
            return Strip.blank(width, style)
        if isinstance(row, _Continuation):
            mark_style = self.get_component_rich_style("log-view--continuation")
            segments = [Segment(CONTINUATION_MARK, mark_style), Segment(str(row), style)]
        else:
            segments = [Segment(row, style)]
        return Strip(segments).crop_extend(0, width, style)

    def _content_width(self) -> int:
        return max(self.scrollable_content_region.width, MIN_WRAP_WIDTH)

    def _append(self, lines: list[str]) -> None:
        """Add lines as rows, then drop the oldest lines beyond `max_lines`."""
        if not lines:
            return
        if len(lines) >= self._max_lines:
            self._rows.clear()
            self._line_count = 0
            lines = lines[-self._max_lines :]
        width = self._wrap_width
        if max(map(len, lines)) <= width and all(map(str.isascii, lines)):
            # Every line fits: the common case, at C speed.
            self._rows.extend(lines)
        else:
            for line in lines:
                self._rows.extend(self._wrap(line))
        self._line_count += len(lines)

        rows = self._rows
        for _ in repeat(None, self._line_count - self._max_lines):
            rows.popleft()
            while rows and isinstance(rows[0], _Continuation):
                rows.popleft()
        self._line_count = min(self._line_count, self._max_lines)

    def _wrap(self, line: str) -> list[str]:
        """Split `line` into rows: the first as wide as the panel, the rest after the mark.

        A row of ASCII text ends after its last space when that space is in
        the row's second half, so that words stay whole; other text is cut at
        the width in cells. Joining the rows gives `line` back.
        """
        width = self._wrap_width
        if not line.isascii():
            if cell_len(line) <= width:
                return [line]
            first = chop_cells(line, width)[0]
            rest = chop_cells(line[len(first) :], width - cell_len(CONTINUATION_MARK))
            return [first, *map(_Continuation, rest)]
        if len(line) <= width:
            return [line]
        rows: list[str] = []
        start = 0
        row_width = width
        while len(line) - start > row_width:
            end = start + row_width
            space = line.rfind(" ", start + row_width // 2, end)
            if space != -1:
                end = space + 1
            rows.append(_Continuation(line[start:end]) if rows else line[start:end])
            start = end
            row_width = width - len(CONTINUATION_MARK)
        rows.append(_Continuation(line[start:]))
        return rows
