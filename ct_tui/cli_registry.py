"""Headless registry commands: promote, rollback, remove-alias, aliases, history.

They use the same plans, gate and audit records as the Registry screen, so a
move made from CI shows up in the screen's history and can be rolled back there.

Exit codes:
  0  success;
  1  the move was not made: the gate rejected it, the user declined at the
     prompt, or the alias moved meanwhile;
  2  bad input: unknown model, version or alias, an invalid version number
     or alias name, or a confirmation needed while stdin is not a terminal;
  3  the tracking store failed;
  141  stdout was closed by its reader (see `ct_tui.cli.main`).

Confirmation: on a terminal, a move is shown and asked about (`y` to go on).
When stdin is not a terminal, as in CI, nothing can be asked, so the command
exits with 2 unless `--yes` is given: a script must say explicitly that it
means to move an alias.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import Callable

from ct_tui.domain.errors import CtTuiError, TrackingError
from ct_tui.domain.project import Project
from ct_tui.settings import Settings

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
EXIT_STORE_FAILED = 3


def add_registry_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add the registry subcommands; each sets `handler(project, settings, args) -> int`."""
    promote = subparsers.add_parser(
        "promote",
        help="point an alias at a model version, through the gate, with an audit record",
        description="Point ALIAS of MODEL at VERSION after comparing it with the current holder.",
    )
    promote.add_argument("model", metavar="MODEL", help="registered model name")
    promote.add_argument("version", metavar="VERSION", help="version number to promote")
    _alias_option(promote)
    promote.add_argument(
        "--force", action="store_true",
        help="override a gate that did not pass (worse metric or lineage warnings); recorded as overridden",
    )
    _yes_option(promote)
    promote.set_defaults(handler=_guarded(run_promote))

    rollback = subparsers.add_parser(
        "rollback",
        help="move an alias back to the version that held it before its last recorded move",
        description="Move ALIAS of MODEL back to the version that held it before its last recorded move.",
    )
    rollback.add_argument("model", metavar="MODEL", help="registered model name")
    _alias_option(rollback)
    _yes_option(rollback)
    rollback.set_defaults(handler=_guarded(run_rollback))

    remove = subparsers.add_parser(
        "remove-alias",
        help="delete an alias of a model, with an audit record",
        description="Delete ALIAS of MODEL; the move is recorded and can be rolled back.",
    )
    remove.add_argument("model", metavar="MODEL", help="registered model name")
    _alias_option(remove)
    _yes_option(remove)
    remove.set_defaults(handler=_guarded(run_remove))

    aliases = subparsers.add_parser(
        "aliases", help="list the aliases of a model and their last recorded move",
        description="List the aliases of MODEL, the version each points at, and its last recorded move.",
    )
    aliases.add_argument("model", metavar="MODEL", help="registered model name")
    aliases.set_defaults(handler=_guarded(run_aliases))

    history = subparsers.add_parser(
        "history", help="list the recorded alias moves of a model, newest first",
        description="List every alias move of MODEL recorded by ct-tui, newest first.",
    )
    history.add_argument("model", metavar="MODEL", help="registered model name")
    history.add_argument("--alias", help="only this alias's moves")
    history.set_defaults(handler=_guarded(run_history))


def run_promote(project: Project, settings: Settings, args: argparse.Namespace) -> int:
    from ct_tui.domain.promotion import plan_promotion

    plan = plan_promotion(project, settings, args.model, args.version, args.alias or settings.alias)
    return _review_and_apply(project, settings, plan, args, force=args.force)


def run_rollback(project: Project, settings: Settings, args: argparse.Namespace) -> int:
    from ct_tui.domain.promotion import plan_rollback

    plan = plan_rollback(project, settings, args.model, args.alias or settings.alias)
    return _review_and_apply(project, settings, plan, args, force=False)


def run_remove(project: Project, settings: Settings, args: argparse.Namespace) -> int:
    from ct_tui.domain.promotion import plan_removal

    plan = plan_removal(project, settings, args.model, args.alias or settings.alias)
    return _review_and_apply(project, settings, plan, args, force=False)


def run_aliases(project: Project, settings: Settings, args: argparse.Namespace) -> int:
    from ct_tui.domain.audit import parse_history
    from ct_tui.domain.registry import read_model

    detail = read_model(project, args.model, settings.gate_metric)
    if not detail.aliases:
        print(f"{detail.name} has no aliases; set one with: ct-tui promote {detail.name} VERSION --alias {settings.alias}")
        return EXIT_OK
    history = parse_history(detail.tags)
    width = max(len(alias) for alias in detail.aliases)
    print(f"aliases of {detail.name}:")
    for alias, number in sorted(detail.aliases.items()):
        state = "dangling: the version no longer exists" if alias in detail.dangling else ""
        last = next((record for record in history if record.alias == alias), None)
        moved = f"last move: {describe_record(last)}" if last else "no recorded move"
        print(f"  {alias:<{width}}  v{number:<4} {state or moved}")
    return EXIT_OK


def run_history(project: Project, settings: Settings, args: argparse.Namespace) -> int:
    from ct_tui.domain.audit import read_history
    from ct_tui.domain.registry import get_model, store_errors
    from ct_tui.domain.tracking_client import make_client

    with store_errors(project):
        client = make_client(project)
        get_model(client, project, args.model)
        records = read_history(client, args.model, args.alias)
    if not records:
        print(f"no recorded alias moves of {args.model}")
    for record in records:
        print(describe_record(record))
    return EXIT_OK


def describe_record(record) -> str:
    """Format an audit record as one line: what moved, who, when, and the gate."""
    when = record.when.strftime("%Y-%m-%d %H:%M:%S UTC")
    moved = f"{_label(record.from_version)} -> {_label(record.to_version)}"
    gate = ""
    if record.gate is not None and not record.gate.get("enforced", True):
        gate = ", gate not enforced"
    elif record.gate is not None:
        gate = ", gate passed" if record.gate.get("passed") else ", gate failed"
    if record.overridden:
        gate += ", overridden"
    return f"{when}  {record.action} {record.alias} {moved} by {record.user}@{record.host} via {record.via}{gate}"


def _review_and_apply(project, settings, plan, args, *, force: bool) -> int:
    from ct_tui.domain.comparison import plan_text
    from ct_tui.domain.promotion import AliasMoved, apply_move

    # A pipe or a CI log has no size, so the comparison is laid out for 80 columns there.
    print(plan_text(plan, shutil.get_terminal_size((80, 24)).columns))
    if plan.needs_override and not force:
        _error(
            f"{plan.action} of {plan.model} v{plan.to_version} to {plan.alias} refused by the gate: "
            f"{'; '.join(plan.gate.reasons)}; pass --force to promote anyway"
        )
        return EXIT_REFUSED
    if not args.yes:
        if not sys.stdin.isatty():
            _error("confirmation needed but stdin is not a terminal: pass --yes to go ahead without asking")
            return EXIT_BAD_INPUT
        if not _ask("Go ahead? [y/N] "):
            print("nothing changed")
            return EXIT_REFUSED
    try:
        record = apply_move(project, settings, plan, override=force, via="cli")
    except AliasMoved as moved:
        _error(f"{moved}; run the command again to review the new state")
        return EXIT_REFUSED
    print(f"{record.alias}: {_label(record.from_version)} -> {_label(record.to_version)} on {record.model}")
    print(f"  recorded as tag {record.key}")
    return EXIT_OK


def _guarded(handler: Callable[..., int]) -> Callable[..., int]:
    """Wrap a handler so that domain errors become a message on stderr and an exit code."""

    def run(project: Project, settings: Settings, args: argparse.Namespace) -> int:
        from ct_tui.domain.promotion import GateRefused
        from ct_tui.domain.registry import RegistryInputError

        try:
            return handler(project, settings, args)
        except RegistryInputError as error:
            _error(str(error))
            return EXIT_BAD_INPUT
        except GateRefused as error:
            _error(str(error))
            return EXIT_REFUSED
        except TrackingError as error:
            _error(str(error))
            return EXIT_STORE_FAILED
        except CtTuiError as error:
            _error(f"{error.title}: {error}")
            return EXIT_STORE_FAILED

    return run


def _alias_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--alias", help="registry alias (default: the `alias` setting, usually champion)")


def _yes_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--yes", action="store_true",
        help="go ahead without asking; required when stdin is not a terminal",
    )


def _ask(prompt: str) -> bool:
    try:
        return input(prompt).strip().lower() in ("y", "yes")
    except EOFError:
        return False


def _error(message: str) -> None:
    print(f"ct-tui: {message}", file=sys.stderr)


def _label(version: int | None) -> str:
    return "none" if version is None else f"v{version}"
