"""The ``apilint`` entry point.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage or configuration
error; 3 internal error (a bug in apilint); 130 interrupted; 141 standard output closed by its reader
(``apilint check ... | head``), quietly, as a program stopped by SIGPIPE.

The commands are defined with typer in :mod:`apilint.commands`. Importing typer and building its
parser is a fifth of a pre-commit run on one small file, so a well-formed ``apilint check`` line is
read here instead by :func:`apilint.options.parse_check_line`, from the table of options that
:mod:`apilint.commands` also declares its options from. Anything that reader is not sure of (help, an
unknown or clustered option, a value that is not one of the choices) goes to the full parser, which
gives every error message.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
from collections.abc import Sequence
from typing import Any

from apilint.options import EXIT_INTERNAL, EXIT_USAGE, UsageError, check_request, parse_check_line

#: A reader that closed standard output early (``| head``): the shell's code for a program stopped by
#: SIGPIPE, which is what the other programs of such a pipeline report.
EXIT_OUTPUT_CLOSED = 141
#: Interrupted with Ctrl-C: the shell's code for SIGINT.
EXIT_INTERRUPTED = 130
#: Write errors that come from the machine (a full disk or quota, a failing device), never from apilint.
_MACHINE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def _read_check(arguments: dict[str, Any]) -> int:
    from apilint.runner import run_check

    return run_check(check_request(**arguments))


def _full_parser(args: list[str]) -> int:
    from apilint.commands import run_app

    if "--debug" in args and "check" not in args[:1]:
        # every command takes --debug, as the internal-error message asks for it; only check declares it
        # (main() reads it from the line), so it is taken out before the others parse theirs
        cut = args.index("--") if "--" in args else len(args)
        args = [arg for arg in args[:cut] if arg != "--debug"] + args[cut:]
    return run_app(args)


def _system_error(error: OSError, debug: bool) -> int:
    """An operating-system error that reached the top: the machine's (a full disk, a working directory
    deleted under the shell) is a message and exit code 2; any other is reported as a bug."""
    if error.errno in _MACHINE_ERRORS:
        where = f": {error.filename}" if error.filename else ""
        print(f"apilint: error: {error.strerror}{where}", file=sys.stderr)
        return EXIT_USAGE
    try:
        os.getcwd()
    except FileNotFoundError:
        print("apilint: error: the working directory no longer exists (it was deleted); "
              "run apilint from a folder that exists", file=sys.stderr)
        return EXIT_USAGE
    return _report_error(error, debug)


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
    then the quickest exit that loses nothing.

    A normal interpreter exit frees every object the run made, one by one, and runs the cycle
    collector over what is left: about 7 million instructions (a few milliseconds) after a check of
    the shared corpus, none of it visible to the user. Here the exit handlers run and the output
    streams are flushed, then the process leaves with ``os._exit``. When another thread is still
    running (the language server's pool), the interpreter's own exit waits for it. Calling
    :func:`main` in a process that goes on (tests) changes nothing.
    """
    _writable_in_any_encoding(sys.stdout)
    try:
        main()
        code = 0
    except SystemExit as exit_:
        code = _exit_status(exit_.code)
    threading = sys.modules.get("threading")  # a thread is started through it, or not at all
    if threading is not None and threading.active_count() > 1:
        gc.freeze()  # the collector's last pass would only find what exiting frees anyway
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()  # what they print is flushed below
    os._exit(_flush_output(code))


def _writable_in_any_encoding(stream: Any) -> None:
    """Let a report reach an output whose encoding cannot write every character (a Windows code page
    when the output is redirected, ``PYTHONIOENCODING=ascii``): what it cannot write is written as
    ``\\xe9``, as standard error already does, instead of ending the run with an encoding error."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if encoding not in ("utf8", "utf8sig") and hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="backslashreplace")


def _exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` would give the process."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _flush_output(code: int) -> int:
    """Flush standard output and error as the interpreter does at exit (a closed stream is left
    alone); a reader that went away ends the run as SIGPIPE would, a write that fails (a full disk)
    as the same failure does while the report is written: a message and exit code 2."""
    try:
        if sys.stdout is not None and not sys.stdout.closed:
            sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = EXIT_OUTPUT_CLOSED
    except OSError as error:
        print(f"apilint: error: cannot write standard output: {error.strerror or error}", file=sys.stderr)
        code = EXIT_USAGE
    try:
        if sys.stderr is not None and not sys.stderr.closed:
            sys.stderr.flush()
    except OSError:
        pass
    return code


def _silence_stdout() -> None:
    """Point standard output at the null device, so the interpreter's own flush at exit (which the
    closed pipe would fail) has nowhere to fail."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the command line and map every outcome to a documented exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        parsed = parse_check_line(args)
        code = _read_check(parsed) if parsed is not None else _full_parser(args)
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:  # the reader of standard output went away: nothing left to tell it
        _silence_stdout()
        sys.exit(EXIT_OUTPUT_CLOSED)
    except OSError as error:
        code = _system_error(error, debug="--debug" in args)
    except SystemExit:
        raise
    except Exception as error:  # noqa: BLE001 - the last line of defence
        code = _report_error(error, debug="--debug" in args)
    sys.exit(code)
