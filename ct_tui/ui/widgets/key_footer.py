"""A footer that lays its keys out in two rows, for screens with more keys than one row holds."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.widgets import Footer


class TwoRowFooter(Footer):
    """Textual's Footer, with its keys in a grid of two rows and columns as wide as their widest key.

    The Footer lists the focused widget's and the screen's keys before the
    app's, so a screen with about as many keys as the app shows its own keys
    on the first row and the app's on the second. Keep the number of keys
    shown the same whatever the state (return None from `check_action` to
    dim a key rather than hide it), so that keys do not move between rows.
    """

    DEFAULT_CSS = """
    TwoRowFooter {
        layout: grid;
        height: 2;
        grid-columns: auto;
        grid-rows: 1;
        grid-gutter: 0 1;
        /* The gutter spaces the keys; a margin would not count in a column's width. */
        FooterKey, &.-compact FooterKey {
            margin: 0;
        }
    }
    """

    def compose(self) -> ComposeResult:
        keys = 0
        for widget in super().compose():
            keys += 1
            yield widget
        # Footer.compose sets one grid column per key, which makes one row.
        self.styles.grid_size_columns = max(1, math.ceil(keys / 2))
