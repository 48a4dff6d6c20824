"""A log panel that shows the last lines of a command's output, with bounded memory."""

from __future__ import annotations

from collections import deque

from rich.segment import Segment
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

DEFAULT_MAX_LINES = 10_000


class LogView(ScrollView, can_focus=True):
    """The last `max_lines` lines of output, plus the unfinished line below them.

    Lines arrive in batches and only the visible ones are rendered, so a
    flood of output costs one refresh per batch. The view follows new output
    while it is scrolled to the end, and stays put when the user scrolled up.
    Widths count characters, not terminal cells, so a line of wide
    characters may be cut short by a few cells.
    """

    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $text;
        /* A scrollbar that always shows lets the view scroll to new lines
           before the next layout has run. */
        overflow-x: auto;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(
        self,
        max_lines: int = DEFAULT_MAX_LINES,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._lines: deque[str] = deque(maxlen=max_lines)
        self._partial = ""
        self._width = 0
        self.lines_written = 0
        """Lines written since the last `clear`, including those no longer kept."""

    @property
    def lines(self) -> list[str]:
        """The lines kept, and the unfinished line when there is one."""
        return [*self._lines, self._partial] if self._partial else list(self._lines)

    @property
    def line_count(self) -> int:
        return len(self._lines) + (1 if self._partial else 0)

    def write_lines(self, lines: list[str], partial: str = "", dropped: int = 0) -> None:
        """Append complete lines and replace the unfinished line."""
        # The end can move by a line between two batches without the user
        # scrolling: the unfinished line comes and goes, and a long line adds
        # a horizontal scrollbar at the next layout. One line of slack keeps
        # the view following.
        follow = self.scroll_offset.y >= self.max_scroll_y - 1 or not self.size
        if dropped:
            self._lines.append(f"… {dropped:,} lines skipped here; the log file has every line")
        if lines:
            self._lines.extend(lines)
            self._width = max(self._width, max(map(len, lines)))
            self.lines_written += len(lines)
        self._partial = partial
        self._width = max(self._width, len(partial))
        self.virtual_size = Size(self._width, self.line_count)
        if follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
            # Again after the layout, which may have added a scrollbar.
            self.scroll_end(animate=False, x_axis=False)
        self.refresh()

    def clear(self) -> None:
        self._lines.clear()
        self._partial = ""
        self._width = 0
        self.lines_written = 0
        self.virtual_size = Size(0, 0)
        self.scroll_home(animate=False, immediate=True)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        style = self.rich_style
        if index < len(self._lines):
            text = self._lines[index]
        elif index == len(self._lines) and self._partial:
            text = self._partial
        else:
            return Strip.blank(width, style)
        return Strip([Segment(text, style)]).crop_extend(scroll_x, scroll_x + width, style)
