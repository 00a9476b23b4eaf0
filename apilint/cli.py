"""The ``apilint`` command line.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage or configuration
error; 3 internal error (a bug in apilint).
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import Any, List, Optional

import typer

from apilint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Lint Amazon API Gateway definitions (OpenAPI with x-amazon-apigateway-*, SAM, CloudFormation) "
    "and compare what an API costs as REST, HTTP or WebSocket.",
)


class ApiTypeChoice(str, Enum):
    rest = "rest"
    http = "http"
    websocket = "websocket"


class EndpointChoice(str, Enum):
    edge = "edge"
    regional = "regional"
    private = "private"


class SeverityChoice(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class UsageError(Exception):
    """Reported on stderr with exit code 2."""


def _split(values: Optional[List[str]]) -> list[str]:
    result: list[str] = []
    for value in values or []:
        result.extend(part.strip() for part in value.split(",") if part.strip())
    return result


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(k|kb|kib|m|mb|mib|g|gb|gib)?\s*\Z", re.IGNORECASE)
_UNITS = {"k": 1024, "m": 1024**2, "g": 1024**3}


def _parse_size(text: str) -> int:
    """``64MB``, ``512k``, ``1048576`` to bytes; anything else is a usage error."""
    match = _SIZE.match(text)
    if match is None:
        raise UsageError(f"--max-file-size: expected a size such as 16MB, 512KB or 1048576, got {text!r}")
    number, unit = match.groups()
    size = int(float(number) * _UNITS.get((unit or " ")[0].lower(), 1))
    if size <= 0:
        raise UsageError(f"--max-file-size: the size must be more than 0, got {text!r}")
    return size


def _use_color(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


@app.command()
def check(
    paths: List[Path] = typer.Argument(..., help="Files or directories to check.", show_default=False),
    output_format: Optional[List[str]] = typer.Option(
        None, "--format", "-f", metavar="FORMAT[=PATH]",
        help="Report format: text, json, sarif, github, junit or markdown; FORMAT=PATH writes it to a file. "
        "Repeat for several reports. Default: text, or github when GITHUB_ACTIONS=true.",
        show_default=False),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    output_dir: Optional[Path] = typer.Option(
        None, "--output-dir", help="Write each format given without a path to this folder (apilint.sarif, ...)."),
    api_type: Optional[ApiTypeChoice] = typer.Option(None, "--api-type", help="Treat definitions as this API type."),
    endpoint_type: Optional[EndpointChoice] = typer.Option(None, "--endpoint-type", help="Endpoint type (REST default: edge)."),
    region: Optional[str] = typer.Option(None, "--region", help="AWS region (else AWS_REGION, AWS_DEFAULT_REGION, config)."),
    config_file: Optional[Path] = typer.Option(None, "--config", "-c", help="Configuration file (default: nearest .apilint.yaml)."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Only these rules (codes, names or prefixes; comma-separated)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Skip these rules (codes, names or prefixes)."),
    fail_on: Optional[SeverityChoice] = typer.Option(None, "--fail-on", help="Lowest severity that fails the run [default: error]."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", help="Skip files and folders matching this glob (repeatable)."),
    baseline: Optional[Path] = typer.Option(
        None, "--baseline", help="Report only findings that are not in this baseline file."),
    write_baseline: Optional[Path] = typer.Option(
        None, "--write-baseline", help="Record every finding of this run in this baseline file (exit code 0)."),
    usage: Optional[Path] = typer.Option(
        None, "--usage", help="Usage file: add the cost summary to the Markdown report."),
    max_file_size: Optional[str] = typer.Option(None, "--max-file-size", help="Largest file read, e.g. 64MB."),
    root: Optional[Path] = typer.Option(None, "--root", help="Repository root; $ref and file references never leave it [default: current directory]."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=0, help="Worker processes (0 or unset: all cores for many files)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Say which API type each definition is and why, and how many files were skipped."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    """Check definitions and templates; print findings with file:line:column."""
    from apilint.runner import CheckRequest, run_check

    request = CheckRequest(
        paths=paths,
        formats=list(output_format or []),
        output=output,
        output_dir=output_dir,
        api_type=api_type.value if api_type else None,
        endpoint_type=endpoint_type.value if endpoint_type else None,
        region=region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
        config_file=config_file,
        select=_split(select),
        ignore=_split(ignore),
        fail_on=fail_on.value if fail_on else None,
        exclude=_split(exclude),
        max_file_size=_parse_size(max_file_size) if max_file_size else None,
        root=root,
        jobs=jobs,
        verbose=verbose,
        color=_use_color(sys.stdout) and output is None,
        baseline=baseline,
        write_baseline=write_baseline,
        usage_file=usage,
    )
    raise typer.Exit(run_check(request))


@app.command("rules")
def rules_command(
    output_format: str = typer.Option("text", "--format", "-f", help="text or json."),
) -> None:
    """List every rule: code, name, severity, API types and summary."""
    import json

    from tabulate import tabulate

    from apilint.rules import load_rules

    rules = load_rules()
    if output_format == "json":
        typer.echo(json.dumps([rule.to_dict() for rule in rules], indent=2))
        return
    if output_format != "text":
        raise UsageError(f"unknown format {output_format!r} (expected text or json)")
    rows = [(r.code, r.name, str(r.severity), ",".join(sorted(t.value for t in r.api_types)), r.summary) for r in rules]
    typer.echo(tabulate(rows, headers=["code", "name", "severity", "api types", "summary"], tablefmt="simple"))


@app.command("rule")
def rule_command(key: str = typer.Argument(..., help="A rule code (AG201) or name.")) -> None:
    """Show one rule's documentation."""
    from apilint.docs import rule_markdown
    from apilint.rules import find_rule

    rule = find_rule(key)
    if rule is None:
        raise UsageError(f"no rule {key!r}; `apilint rules` lists them")
    typer.echo(rule_markdown(rule))


@app.command("version")
def version_command() -> None:
    """Print the apilint version."""
    typer.echo(__version__)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit(EXIT_OK)


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the apilint version and exit."),
) -> None:
    """Lint Amazon API Gateway definitions and price them as REST, HTTP or WebSocket APIs."""


def _register_optional_commands() -> None:
    try:
        from apilint.cost.cli import cost_command
    except ImportError:
        return
    app.command("cost")(cost_command)


def main(argv: Optional[List[str]] = None) -> None:
    """Entry point: run the app and map every outcome to a documented exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    # Once per process: main() runs many times in one process in tests and embedders.
    if not any(info.name == "cost" for info in app.registered_commands):
        _register_optional_commands()
    try:
        code = app(args=args, prog_name="apilint", standalone_mode=False)
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    except UsageError as error:
        typer.echo(f"apilint: error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception as error:  # noqa: BLE001 - the last line of defence
        if type(error).__name__ == "Abort":
            sys.exit(130)
        if hasattr(error, "show") and isinstance(getattr(error, "exit_code", None), int):
            error.show()  # the command-line parser's own usage errors
            sys.exit(EXIT_USAGE if error.exit_code == 2 else error.exit_code)
        try:
            from apilint.runner import known_usage_error

            message = known_usage_error(error)
        except Exception:  # noqa: BLE001 - apilint itself cannot be imported: report the first error
            message = None
        if message is not None:
            typer.echo(f"apilint: error: {message}", err=True)
            sys.exit(EXIT_USAGE)
        if debug:
            traceback.print_exc()
        typer.echo(
            f"apilint: internal error: {type(error).__name__}: {error}\n"
            "This is a bug in apilint. Please report it with the command you ran "
            "(run again with --debug for the traceback).",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
