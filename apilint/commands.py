"""The ``apilint`` commands, defined with typer.

:mod:`apilint.cli` is the entry point; it imports this module for every command line except the
plain ``apilint check PATH...`` that pre-commit runs, which it serves without the parser.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import click
import typer

from apilint import __version__
from apilint.options import CHECK_OPTIONS, CHOICES, EXIT_OK, EXIT_USAGE, UsageError, check_request

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Lint Amazon API Gateway definitions (OpenAPI with x-amazon-apigateway-*, SAM, CloudFormation) "
    "and compare what an API costs as REST, HTTP or WebSocket.",
)


# The choices and option names come from the table the entry point reads check lines with.
ApiTypeChoice = Enum("ApiTypeChoice", {v: v for v in CHOICES["api_type"]}, type=str)  # type: ignore[misc]
EndpointChoice = Enum("EndpointChoice", {v: v for v in CHOICES["endpoint_type"]}, type=str)  # type: ignore[misc]
SeverityChoice = Enum("SeverityChoice", {v: v for v in CHOICES["fail_on"]}, type=str)  # type: ignore[misc]


def _names(parameter: str) -> tuple[str, ...]:
    return CHECK_OPTIONS[parameter][0]


@app.command()
def check(
    paths: list[Path] = typer.Argument(..., help="Files or directories to check; '-' reads standard input.",
                                       show_default=False),
    output_format: list[str] | None = typer.Option(
        None, *_names("output_format"), metavar="FORMAT[=PATH]",
        help="Report format: text, json, sarif, github, junit or markdown; FORMAT=PATH writes it to a file. "
        "Repeat for several reports. Default: text, or github when GITHUB_ACTIONS=true.",
        show_default=False),
    output: Path | None = typer.Option(None, *_names("output"), help="Write the report to this file."),
    output_dir: Path | None = typer.Option(
        None, *_names("output_dir"), help="Write each format given without a path to this folder (apilint.sarif, ...)."),
    api_type: ApiTypeChoice | None = typer.Option(None, *_names("api_type"), help="Treat definitions as this API type."),
    endpoint_type: EndpointChoice | None = typer.Option(None, *_names("endpoint_type"), help="Endpoint type (REST default: edge)."),
    region: str | None = typer.Option(None, *_names("region"), help="AWS region (else AWS_REGION, AWS_DEFAULT_REGION, config)."),
    config_file: Path | None = typer.Option(None, *_names("config_file"), help="Configuration file (default: nearest .apilint.yaml)."),
    select: list[str] | None = typer.Option(None, *_names("select"), help="Only these rules (codes, names or prefixes; comma-separated)."),
    ignore: list[str] | None = typer.Option(None, *_names("ignore"), help="Skip these rules (codes, names or prefixes)."),
    fail_on: SeverityChoice | None = typer.Option(None, *_names("fail_on"), help="Lowest severity that fails the run [default: error]."),
    exclude: list[str] | None = typer.Option(None, *_names("exclude"), help="Skip files and folders matching this glob (repeatable)."),
    baseline: Path | None = typer.Option(
        None, *_names("baseline"), help="Report only findings that are not in this baseline file."),
    write_baseline: Path | None = typer.Option(
        None, *_names("write_baseline"), help="Record every finding of this run in this baseline file (exit code 0)."),
    usage: Path | None = typer.Option(
        None, *_names("usage"), help="Usage file: add the cost summary to the Markdown report."),
    max_file_size: str | None = typer.Option(None, *_names("max_file_size"), help="Largest file read, e.g. 64MB."),
    root: Path | None = typer.Option(None, *_names("root"), help="Repository root; $ref and file references never leave it. Default: the git repository of the working directory, else the working directory."),
    jobs: int | None = typer.Option(None, *_names("jobs"), min=0, help="Worker processes (0 or unset: all cores when the files add up to enough work to share)."),
    verbose: bool = typer.Option(False, *_names("verbose"), help="Say which API type each definition is and why, and how many files were skipped."),
    debug: bool = typer.Option(False, *_names("debug"), help="Show tracebacks of internal errors."),
    stdin_filename: Path | None = typer.Option(
        None, *_names("stdin_filename"), help="With '-' as the path: the file name standard input is checked as."),
    fix: bool = typer.Option(False, *_names("fix"), help="Apply the fixes that cannot change meaning, then report what is left."),
    diff: bool = typer.Option(False, *_names("diff"), help="Print the fixes as a unified diff; write nothing."),
) -> None:
    """Check definitions and templates; print findings with file:line:column."""
    from apilint.runner import run_check

    request = check_request(
        paths=paths,
        output_format=output_format,
        output=output,
        output_dir=output_dir,
        api_type=api_type.value if api_type else None,
        endpoint_type=endpoint_type.value if endpoint_type else None,
        region=region,
        config_file=config_file,
        select=select,
        ignore=ignore,
        fail_on=fail_on.value if fail_on else None,
        exclude=exclude,
        baseline=baseline,
        write_baseline=write_baseline,
        usage=usage,
        max_file_size=max_file_size,
        root=root,
        jobs=jobs,
        verbose=verbose,
        stdin_filename=stdin_filename,
        fix=fix,
        diff=diff,
    )
    raise typer.Exit(run_check(request))


@app.command("rules")
def rules_command(
    output_format: str = typer.Option("text", "--format", "-f", help="text or json."),
) -> None:
    """List every rule: code, name, severity, API types, whether --fix repairs it, and summary."""
    import json

    from tabulate import tabulate

    from apilint.rules import load_rules

    rules = load_rules()
    if output_format == "json":
        typer.echo(json.dumps([rule.to_dict() for rule in rules], indent=2))
        return
    if output_format != "text":
        raise UsageError(f"unknown format {output_format!r} (expected text or json)")
    rows = [(r.code, r.name, str(r.severity), ",".join(sorted(t.value for t in r.api_types)), "fix" if r.fix else "",
             r.summary) for r in rules]
    typer.echo(tabulate(rows, headers=["code", "name", "severity", "api types", "fix", "summary"], tablefmt="simple"))


@app.command("rule")
def rule_command(key: str = typer.Argument(..., help="A rule code (AG201) or name.")) -> None:
    """Show one rule's documentation."""
    from apilint.docs import rule_markdown
    from apilint.rules import find_rule, retired_rule

    rule = find_rule(key)
    if rule is None:
        retired = retired_rule(key)
        if retired is not None:
            code, name, why = retired
            raise UsageError(f"{code} ({name}) was retired: {why}")
        raise UsageError(f"no rule {key!r}; `apilint rules` lists them")
    typer.echo(rule_markdown(rule))


@app.command("server")
def server_command() -> None:
    """Run the language server (LSP) on standard input and output, for editors."""
    try:
        from apilint.server import serve
    except ImportError as error:
        raise UsageError(f"apilint server needs pygls and lsprotocol ({error}): pip install 'apilint[server]'") from None
    serve()


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


def _cost_diff_app() -> typer.Typer:
    """``apilint cost diff`` as an app of its own: ``cost`` takes paths as arguments, so a typer group
    could not tell a ``diff`` sub-command from a path."""
    from apilint.cost.cli import cost_diff_command

    diff = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                       context_settings={"help_option_names": ["-h", "--help"]})
    diff.command()(cost_diff_command)
    return diff


def run_app(args: list[str]) -> int:
    """Parse ``args`` with the full command line and run the command; returns the exit code.

    The parser's own outcomes (help, ``--version``, usage mistakes) become exit codes here; every
    other exception is left to :func:`apilint.cli.main`.
    """
    # Once per process: main() runs many times in one process in tests and embedders.
    if not any(info.name == "cost" for info in app.registered_commands):
        _register_optional_commands()
    target, prog_name = app, "apilint"
    if args[:2] == ["cost", "diff"]:
        target, prog_name, args = _cost_diff_app(), "apilint cost diff", args[2:]
    try:
        code = target(args=args, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.exceptions.Abort:
        return 130
    except click.ClickException as error:
        error.show()
        return EXIT_USAGE if error.exit_code == 2 else error.exit_code
    return code if isinstance(code, int) else EXIT_OK
