"""Command line: `ct-tui [--repo PATH]` starts the app; subcommands act headless."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from ct_tui import __version__
from ct_tui.cli_registry import add_registry_commands
from ct_tui.domain.project import ProjectNotFound, open_project
from ct_tui.settings import SettingsError, load_settings

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: the status a shell reports for a tool whose reader closed the pipe."""

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ct-tui",
        description="Continuous training from the terminal: DVC pipeline, params, MLflow runs and registry.",
    )
    parser.add_argument(
        "--repo",
        metavar="PATH",
        help="the DVC project to open (default: found upward from the current folder)",
    )
    parser.add_argument("--version", action="version", version=f"ct-tui {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_registry_commands(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ct-tui; exit quietly when the reader of stdout closes it, as in `ct-tui history M | head`."""
    try:
        try:
            return _run(argv)
        finally:
            # Output to a pipe is buffered: flush here, also after argparse's
            # SystemExit, so that a closed pipe fails inside this try and not
            # in the interpreter's flush at exit.
            sys.stdout.flush()
    except BrokenPipeError:
        log.info("stdout was closed by its reader; output stopped")
        # Point stdout at /dev/null so that the flush at exit writes nowhere
        # instead of printing a second BrokenPipeError.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        project = open_project(args.repo)
        settings = load_settings(project.root)
    except (ProjectNotFound, SettingsError) as error:
        print(f"ct-tui: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT

    from ct_tui.domain.tracking_client import keep_mlflow_logs_in_file, use_short_http_timeouts
    from ct_tui.logging_setup import setup_logging

    setup_logging(project.app_log_path)
    use_short_http_timeouts()
    keep_mlflow_logs_in_file()

    if args.command is not None:
        return args.handler(project, settings, args)

    from ct_tui.domain.pipeline import prefetch_status

    # The status probe runs while the UI imports and draws its first frame.
    prefetch_status(project.root)
    from ct_tui.ui.app import CtTuiApp

    CtTuiApp(project, settings).run()
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
