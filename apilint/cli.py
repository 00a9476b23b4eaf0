"""The ``apilint`` entry point.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage or configuration
error; 3 internal error (a bug in apilint).

The commands are defined with typer in :mod:`apilint.commands`. Importing typer and building its
parser is a fifth of a pre-commit run on one small file, so a well-formed ``apilint check`` line is
read here instead by :func:`apilint.options.parse_check_line`, from the table of options that
:mod:`apilint.commands` also declares its options from. Anything that reader is not sure of (help, an
unknown or clustered option, a value that is not one of the choices) goes to the full parser, which
gives every error message.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import Any

from apilint.options import EXIT_INTERNAL, EXIT_USAGE, UsageError, check_request, parse_check_line


def _read_check(arguments: dict[str, Any]) -> int:
    from apilint.runner import run_check

    return run_check(check_request(**arguments))


def _full_parser(args: list[str]) -> int:
    from apilint.commands import run_app

    return run_app(args)


def _report_error(error: Exception, debug: bool) -> int:
    """Exit code 2 for what the user can fix, 3 (with a request to report it) for a bug."""
    if isinstance(error, UsageError):
        print(f"apilint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        from apilint.runner import known_usage_error

        message = known_usage_error(error)
    except Exception:  # noqa: BLE001 - apilint itself cannot be imported: report the first error
        message = None
    if message is not None:
        print(f"apilint: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    if debug:
        import traceback

        traceback.print_exc()
    print(
        f"apilint: internal error: {type(error).__name__}: {error}\n"
        "This is a bug in apilint. Please report it with the command you ran "
        "(run again with --debug for the traceback).",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def run() -> None:
    """The process's entry point (the ``apilint`` command and ``python -m apilint``): :func:`main`,
    then an exit that spares the collector a last pass over everything still alive.

    At exit the interpreter collects reference cycles among every object the run made; frozen
    objects are left out of that pass. apilint's objects hold no cycles that need finalizing, and
    the standard streams are flushed by the interpreter either way. Calling :func:`main` in a
    process that goes on (tests, the language server's own entry) does not freeze anything.
    """
    try:
        main()
    finally:
        gc.freeze()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the command line and map every outcome to a documented exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        parsed = parse_check_line(args)
        code = _read_check(parsed) if parsed is not None else _full_parser(args)
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as error:  # noqa: BLE001 - the last line of defence
        code = _report_error(error, debug="--debug" in args)
    sys.exit(code)
