"""The options of ``apilint check``: their table, choices and defaults, and a reader for plain lines.

:mod:`apilint.commands` declares the typer options from this table, and :mod:`apilint.cli` reads a
well-formed ``apilint check`` line with :func:`parse_check_line` without building the typer parser.
Both build the run with :func:`check_request`, the one place that knows the defaults.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apilint.runner import CheckRequest

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


#: ``apilint check`` options: parameter -> (option names, kind). Kinds: ``flag``; ``text`` and
#: ``path``, one value (the last one given wins); ``many``, repeatable; ``choice``, one of CHOICES;
#: ``count``, a whole number from 0.
CHECK_OPTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "output_format": (("--format", "-f"), "many"),
    "output": (("--output", "-o"), "path"),
    "output_dir": (("--output-dir",), "path"),
    "api_type": (("--api-type",), "choice"),
    "endpoint_type": (("--endpoint-type",), "choice"),
    "region": (("--region",), "text"),
    "config_file": (("--config", "-c"), "path"),
    "select": (("--select",), "many"),
    "ignore": (("--ignore",), "many"),
    "fail_on": (("--fail-on",), "choice"),
    "exclude": (("--exclude",), "many"),
    "baseline": (("--baseline",), "path"),
    "write_baseline": (("--write-baseline",), "path"),
    "usage": (("--usage",), "path"),
    "max_file_size": (("--max-file-size",), "text"),
    "root": (("--root",), "path"),
    "jobs": (("--jobs", "-j"), "count"),
    "stdin_filename": (("--stdin-filename",), "path"),
    "fix": (("--fix",), "flag"),
    "diff": (("--diff",), "flag"),
    "exit_zero": (("--exit-zero",), "flag"),
    "fail_on_empty": (("--fail-on-empty",), "flag"),
    "verbose": (("--verbose", "-v"), "flag"),
    "debug": (("--debug",), "flag"),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "api_type": ("rest", "http", "websocket"),
    "endpoint_type": ("edge", "regional", "private"),
    "fail_on": ("error", "warning", "info"),
}
_OPTION_PARAMETERS = {name: parameter for parameter, (names, _) in CHECK_OPTIONS.items() for name in names}


class UsageError(Exception):
    """Reported on stderr with exit code 2."""


def _split(values: Sequence[str] | None) -> list[str]:
    result: list[str] = []
    for value in values or []:
        result.extend(part.strip() for part in value.split(",") if part.strip())
    return result


#: Compiled when a size is given (by ``re``'s cache), not for every run.
_SIZE = r"\s*(\d+(?:\.\d+)?)\s*(k|kb|kib|m|mb|mib|g|gb|gib)?\s*\Z"
_UNITS = {"k": 1024, "m": 1024**2, "g": 1024**3}


def _parse_size(text: str) -> int:
    """``64MB``, ``512k``, ``1048576`` to bytes; anything else is a usage error."""
    match = re.match(_SIZE, text, re.IGNORECASE)
    if match is None:
        raise UsageError(f"--max-file-size: expected a size such as 16MB, 512KB or 1048576, got {text!r}")
    number, unit = match.groups()
    size = int(float(number) * _UNITS.get((unit or " ")[0].lower(), 1))
    if size <= 0:
        raise UsageError(f"--max-file-size: the size must be more than 0, got {text!r}")
    return size


def use_color(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def check_request(
    paths: Sequence[Path],
    *,
    output_format: Sequence[str] | None = None,
    output: Path | None = None,
    output_dir: Path | None = None,
    api_type: str | None = None,
    endpoint_type: str | None = None,
    region: str | None = None,
    config_file: Path | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    fail_on: str | None = None,
    exclude: Sequence[str] | None = None,
    baseline: Path | None = None,
    write_baseline: Path | None = None,
    usage: Path | None = None,
    max_file_size: str | None = None,
    root: Path | None = None,
    jobs: int | None = None,
    verbose: bool = False,
    stdin_filename: Path | None = None,
    fix: bool = False,
    diff: bool = False,
    exit_zero: bool = False,
    fail_on_empty: bool = False,
) -> CheckRequest:
    """The run that ``apilint check`` options ask for, from the values as given on the command line.

    Every option's absence is its default here, the one place that knows the defaults.
    """
    from apilint.runner import CheckRequest

    return CheckRequest(
        paths=list(paths),
        formats=list(output_format or []),
        output=output,
        output_dir=output_dir,
        api_type=api_type,
        endpoint_type=endpoint_type,
        region=region,
        config_file=config_file,
        select=_split(select),
        ignore=_split(ignore),
        fail_on=fail_on,
        exclude=_split(exclude),
        max_file_size=_parse_size(max_file_size) if max_file_size else None,
        root=root,
        jobs=jobs,
        verbose=verbose,
        color=use_color(sys.stdout) and output is None,
        baseline=baseline,
        write_baseline=write_baseline,
        usage_file=usage,
        stdin_filename=stdin_filename,
        fix=fix,
        diff=diff,
        exit_zero=exit_zero,
        fail_on_empty=fail_on_empty,
    )


#: Short options that take a value; ``-f=json`` is read as ``-f json``, as most command lines do.
SHORT_VALUE_OPTIONS = frozenset({"-f", "-o", "-c", "-j"})


def split_short_equals(args: Sequence[str]) -> list[str]:
    """``-f=json`` as ``-f json`` (before ``--``); the parser would read the value as ``=json``."""
    result: list[str] = []
    for index, arg in enumerate(args):
        if arg == "--":
            return [*result, *args[index:]]
        name, equals, value = arg.partition("=")
        result.extend([name, value] if equals and name in SHORT_VALUE_OPTIONS else [arg])
    return result


def parse_check_line(args: Sequence[str]) -> dict[str, Any] | None:
    """The arguments of :func:`check_request` for an ``apilint check`` line, or None.

    None means "not sure": not a ``check`` line, no path, ``-h``, an option this table does not
    know or that is written in a form it does not read (``-vj2``, ``-fjson``), a value that is
    missing, starts with ``-`` or is not a valid choice or count. The full parser takes those.
    """
    if not args or args[0] != "check":
        return None
    args = split_short_equals(args)
    values: dict[str, Any] = {}
    paths: list[Path] = []
    rest = iter(args[1:])
    only_paths = False
    for arg in rest:
        if arg == "--" and not only_paths:
            only_paths = True
            continue
        if only_paths or not arg.startswith("-"):
            if not arg:
                return None
            paths.append(Path(arg))
            continue
        name, equals, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        parameter = _OPTION_PARAMETERS.get(name)
        if parameter is None:
            return None
        kind = CHECK_OPTIONS[parameter][1]
        if kind == "flag":
            if equals:
                return None
            values[parameter] = True
            continue
        value = inline if equals else next(rest, None)
        if not value or value.startswith("-"):
            return None
        if kind == "choice":
            value = value.lower()  # as the parser reads choices: --api-type HTTP
            if value not in CHOICES[parameter]:
                return None
        if kind == "count":
            if not (value.isascii() and value.isdigit()):
                return None
            values[parameter] = int(value)
        elif kind == "many":
            values.setdefault(parameter, []).append(value)
        else:
            values[parameter] = Path(value) if kind == "path" else value
    if not paths:
        return None
    values.pop("debug", None)  # read from the line by main()
    return {"paths": paths, **values}
