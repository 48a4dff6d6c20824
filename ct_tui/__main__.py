"""Allow `python -m ct_tui`."""

from ct_tui.cli import main

raise SystemExit(main())
