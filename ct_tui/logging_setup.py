"""Send ct-tui's log to a file in the project, never to the terminal it draws on."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from ct_tui.domain.project import mask_secrets


class _MaskingFormatter(logging.Formatter):
    """Mask credentials of every record, tracebacks included, whatever logged them."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


def setup_logging(log_path: Path, level: int = logging.INFO) -> None:
    """Log to `log_path` (rotated at 2 MiB, three old files kept)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(log_path, maxBytes=2 * 1024 * 1024, backupCount=3)
    handler.setFormatter(
        _MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
