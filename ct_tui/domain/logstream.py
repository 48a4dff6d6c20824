"""Turn a subprocess's raw output into clean log lines, and hand them over in batches.

Progress bars redraw one line with carriage returns; a log keeps only the
last state of such a line. ANSI escape sequences and other control
characters are stripped, so colour codes never show up as garbage.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections import deque
from dataclasses import dataclass

MAX_PARTIAL_CHARS = 64 * 1024
"""A line that grows past this many characters without a newline is cut into lines of this size."""

_ANSI = re.compile(
    r"\x1b(?:"
    r"\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erase line
    r"|\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: window titles, hyperlinks
    r"|[PX^_][^\x1b]*\x1b\\"  # DCS, SOS, PM, APC strings
    r"|[@-Z\\-_]"  # two-character sequences
    r")"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEEDS_CLEANING = re.compile(r"[\x00-\x08\t\x0b\x0c\x0e-\x1f\x7f]")


def clean_line(text: str) -> str:
    """Strip ANSI escape sequences and control characters from one line; expand tabs."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if "\t" in text:
        text = text.expandtabs()
    return _CONTROL.sub("", text)


def last_state(text: str) -> str:
    """Return what a terminal would finally show of a line redrawn with carriage returns.

    Progress bars rewrite the whole line each time (tqdm pads with spaces), so
    the last non-empty segment is the final state; `text\\r` alone is `text`.
    """
    if "\r" not in text:
        return text
    for segment in reversed(text.split("\r")):
        if segment:
            return segment
    return ""


class LineAssembler:
    """Split a byte stream into clean lines, keeping the unfinished last line apart."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""

    @property
    def partial(self) -> str:
        """The current unfinished line, as a terminal would show it now (a progress bar, say)."""
        return clean_line(last_state(self._partial))

    def feed(self, data: bytes) -> list[str]:
        """Add `data` and return the lines it completed."""
        text = self._partial + self._decoder.decode(data)
        pieces = text.split("\n")
        partial = pieces.pop()
        if "\r" in partial:
            # Keep only the last state of a line being redrawn, so a progress
            # bar that never ends its line cannot grow the buffer.
            ends_with_return = partial.endswith("\r")
            partial = last_state(partial) + ("\r" if ends_with_return else "")
        if len(partial) > MAX_PARTIAL_CHARS:
            pieces.append(partial[:MAX_PARTIAL_CHARS])
            partial = partial[MAX_PARTIAL_CHARS:]
        self._partial = partial

        if "\r" in text:
            pieces = [last_state(piece) for piece in pieces]
        if _NEEDS_CLEANING.search(text) is not None:
            pieces = [clean_line(piece) for piece in pieces]
        return pieces

    def finish(self) -> list[str]:
        """Return the last line when the stream ended without a newline."""
        tail = self._partial + self._decoder.decode(b"", final=True)
        self._partial = ""
        line = clean_line(last_state(tail))
        return [line] if line else []


@dataclass(frozen=True)
class OutputBatch:
    """Lines produced since the previous batch was taken."""

    lines: list[str]
    partial: str
    """The unfinished last line, shown below the lines until it ends."""

    dropped: int = 0
    """Lines left out because more arrived than a batch keeps; the log file has them all."""


class OutputBuffer:
    """Lines that a reader thread has produced and the UI has not taken yet.

    At most `max_lines` are kept: a log panel that shows the last N lines
    loses nothing it would show by skipping older ones when it falls behind,
    and memory stays bounded whatever the output rate. The reader notifies
    the UI only when no notification is outstanding, so at most one batch
    message waits in the UI's queue.
    """

    def __init__(self, max_lines: int) -> None:
        self._lock = threading.Lock()
        self._lines: deque[str] = deque(maxlen=max_lines)
        self._partial = ""
        self._dropped = 0
        self._notified = False

    def put(self, lines: list[str], partial: str) -> bool:
        """Add lines; return True when the caller should notify the UI."""
        with self._lock:
            overflow = len(self._lines) + len(lines) - (self._lines.maxlen or 0)
            if overflow > 0:
                self._dropped += overflow
            self._lines.extend(lines)
            self._partial = partial
            if self._notified:
                return False
            self._notified = True
            return True

    def take(self) -> OutputBatch:
        """Return and clear what has arrived since the last call."""
        with self._lock:
            batch = OutputBatch(list(self._lines), self._partial, self._dropped)
            self._lines.clear()
            self._dropped = 0
            self._notified = False
            return batch
