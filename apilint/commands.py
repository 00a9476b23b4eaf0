"""The ``apilint`` commands, defined with typer.

:mod:`apilint.cli` is the entry point; it imports this module for every command line except the
plain ``apilint check PATH...`` that pre-commit runs, which it serves without the parser.
"""

from __future__ import annotations

import inspect
import re
import sys
from enum import Enum
from pathlib import Path

import click
import typer
from typer.core import TyperCommand
from typer.models import ArgumentInfo

from apilint import __version__
from apilint.options import (
    CHECK_OPTIONS,
    CHOICES,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    check_request,
    split_short_equals,
    use_color,
)

# Plain help (click's formatter): rich markup would swallow "[default: ...]" and truncate long option
# names at 80 columns. `--install-completion` and `--show-completion` set up shell completion.
app = typer.Typer(
    add_completion=True,
    rich_markup_mode=None,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Lint Amazon API Gateway definitions (OpenAPI with x-amazon-apigateway-*, SAM, CloudFormation, "
    "Terraform) and compare what an API costs as REST, HTTP or WebSocket.",
)


# The choices and option names come from the table the entry point reads check lines with.
ApiTypeChoice = Enum("ApiTypeChoice", {v: v for v in CHOICES["api_type"]}, type=str)  # type: ignore[misc]
EndpointChoice = Enum("EndpointChoice", {v: v for v in CHOICES["endpoint_type"]}, type=str)  # type: ignore[misc]
SeverityChoice = Enum("SeverityChoice", {v: v for v in CHOICES["fail_on"]}, type=str)  # type: ignore[misc]


class _Command(TyperCommand):
    """A command whose help lists its arguments once, under "Arguments" (click 8.3 and later would add
    a "Positional arguments" section of its own)."""

    def format_arguments(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        return None


def _names(parameter: str) -> tuple[str, ...]:
    return CHECK_OPTIONS[parameter][0]


@app.command(cls=_Command)
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
    api_type: ApiTypeChoice | None = typer.Option(None, *_names("api_type"), case_sensitive=False, help="Treat definitions as this API type (default: what each definition says)."),
    endpoint_type: EndpointChoice | None = typer.Option(None, *_names("endpoint_type"), case_sensitive=False, help="Endpoint type (REST default: edge)."),
    region: str | None = typer.Option(None, *_names("region"), help="AWS region (else the configuration's, the deployment's, AWS_REGION, AWS_DEFAULT_REGION)."),
    config_file: Path | None = typer.Option(None, *_names("config_file"), help="Configuration file (default: nearest .apilint.yaml)."),
    select: list[str] | None = typer.Option(None, *_names("select"), help="Only these rules (codes, names or prefixes; comma-separated)."),
    ignore: list[str] | None = typer.Option(None, *_names("ignore"), help="Skip these rules (codes, names or prefixes)."),
    fail_on: SeverityChoice | None = typer.Option(None, *_names("fail_on"), case_sensitive=False, help="Lowest severity that fails the run (default: the configuration's fail-on, else error)."),
    exclude: list[str] | None = typer.Option(None, *_names("exclude"), help="Skip files and folders matching this glob (repeatable)."),
    baseline: Path | None = typer.Option(
        None, *_names("baseline"), help="Report only findings that are not in this baseline file."),
    write_baseline: Path | None = typer.Option(
        None, *_names("write_baseline"), help="Record every finding of this run in this baseline file (exit code 0)."),
    usage: Path | None = typer.Option(
        None, *_names("usage"), help="Usage file: add the cost summary to the Markdown report."),
    max_file_size: str | None = typer.Option(None, *_names("max_file_size"), help="Largest file read, e.g. 64MB (default: the configuration's max-file-size, else 16MB)."),
    root: Path | None = typer.Option(None, *_names("root"), help="Repository root; $ref and file references never leave it (default: the git repository of the working directory, else the working directory)."),
    jobs: int | None = typer.Option(None, *_names("jobs"), min=0, help="Worker processes (0 or unset: all cores when the files add up to enough work to share)."),
    verbose: bool = typer.Option(False, *_names("verbose"), help="Say which API type each definition is and why, and how many files were skipped."),
    debug: bool = typer.Option(False, *_names("debug"), help="Show tracebacks of internal errors."),
    stdin_filename: Path | None = typer.Option(
        None, *_names("stdin_filename"), help="With '-' as the path: the file name standard input is checked as."),
    fix: bool = typer.Option(False, *_names("fix"), help="Apply the fixes that cannot change meaning, then report what is left."),
    diff: bool = typer.Option(False, *_names("diff"), help="Print the fixes as a unified diff; write nothing."),
    exit_zero: bool = typer.Option(
        False, *_names("exit_zero"), help="Report findings but exit with 0; usage and internal errors still exit 2 and 3."),
    fail_on_empty: bool = typer.Option(
        False, *_names("fail_on_empty"),
        help="Exit with 2 when no API definition or template is found (default: the configuration's fail-on-empty, "
        "else off)."),
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
        exit_zero=exit_zero,
        fail_on_empty=fail_on_empty,
    )
    raise typer.Exit(run_check(request))


@app.command("rules", cls=_Command)
def rules_command(
    output_format: str = typer.Option("text", "--format", "-f", help="text or json."),
) -> None:
    """List every rule: code, name, severity, API types, whether --fix repairs it, and summary.

    On a terminal the table fits its width; piped, each rule is one line.
    """
    import json

    from apilint.rules import load_rules
    from apilint.terminal import rules_table, terminal_width

    rules = load_rules()
    if output_format == "json":
        typer.echo(json.dumps([rule.to_dict() for rule in rules], indent=2))
        return
    if output_format != "text":
        raise UsageError(f"unknown format {output_format!r} (expected text or json)")
    typer.echo(rules_table(rules, terminal_width(sys.stdout)))


def _complete_rule(incomplete: str) -> list[str]:
    from apilint.rules import load_rules

    return [r.code for r in load_rules() if r.code.lower().startswith(incomplete.lower())] + [
        r.name for r in load_rules() if incomplete and r.name.startswith(incomplete.lower())]


@app.command("rule", cls=_Command)
def rule_command(
    key: str = typer.Argument(..., help="A rule code (AG201) or name.", autocompletion=_complete_rule),
    output_format: str | None = typer.Option(
        None, "--format", "-f",
        help="text (rendered for a terminal) or markdown (default: text on a terminal, else markdown)."),
) -> None:
    """Show one rule's documentation."""
    from apilint.docs import rule_markdown
    from apilint.rules import find_rule, retired_rule
    from apilint.terminal import render_markdown, terminal_width

    if output_format not in (None, "text", "markdown"):
        raise UsageError(f"unknown format {output_format!r} (expected text or markdown)")
    rule = find_rule(key)
    if rule is None:
        retired = retired_rule(key)
        if retired is not None:
            code, name, why = retired
            raise UsageError(f"{code} ({name}) was retired: {why}")
        raise UsageError(f"no rule {key!r}; `apilint rules` lists them")
    text = rule_markdown(rule)
    width = terminal_width(sys.stdout)
    if output_format == "text" or (output_format is None and width is not None):
        typer.echo(render_markdown(text, width or 80, color=use_color(sys.stdout)), nl=False)
    else:
        typer.echo(text)


@app.command("server", cls=_Command)
def server_command() -> None:
    """Run the language server (LSP) on standard input and output, for editors."""
    try:
        from apilint.server import serve
    except ImportError as error:
        raise UsageError(f"apilint server needs pygls and lsprotocol ({error}): pip install 'apilint[server]'") from None
    serve()


@app.command("version", cls=_Command)
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
    app.command("cost", cls=_Command)(cost_command)


def _cost_diff_app() -> typer.Typer:
    """``apilint cost diff`` as an app of its own: ``cost`` takes paths as arguments, so a typer group
    could not tell a ``diff`` sub-command from a path."""
    from apilint.cost.cli import cost_diff_command

    diff = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
                       context_settings={"help_option_names": ["-h", "--help"]})
    diff.command(cls=_Command)(cost_diff_command)
    return diff


def run_app(args: list[str]) -> int:
    """Parse ``args`` with the full command line and run the command; returns the exit code.

    The parser's own outcomes (help, ``--version``, usage mistakes) become exit codes here; every
    other exception is left to :func:`apilint.cli.main`.
    """
    # Once per process: main() runs many times in one process in tests and embedders.
    if not any(info.name == "cost" for info in app.registered_commands):
        _register_optional_commands()
    args = split_short_equals(args)
    target, prog_name = app, "apilint"
    if args[:2] == ["cost", "diff"]:
        target, prog_name, args = _cost_diff_app(), "apilint cost diff", args[2:]
    command = typer.main.get_command(target)
    _restore_argument_help(command)
    try:
        code = command.main(args=args, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.exceptions.Abort:
        return 130
    except click.ClickException as error:
        message = _once(error.format_message())
        error.format_message = lambda: message  # type: ignore[method-assign]
        error.show()
        return EXIT_USAGE if error.exit_code == 2 else error.exit_code
    return code if isinstance(code, int) else EXIT_OK


def _restore_argument_help(command: click.Command) -> None:
    """Give arguments back the help text they were declared with.

    click 8.3 and later have a help text for arguments, which its constructor sets after typer's,
    so typer's arguments show none.
    """
    commands = command.commands.values() if isinstance(command, click.Group) else [command]
    for each in commands:
        if each.callback is None:
            continue
        declared = inspect.signature(inspect.unwrap(each.callback)).parameters
        for param in each.params:
            info = declared[param.name].default if param.name in declared else None
            if isinstance(param, click.Argument) and isinstance(info, ArgumentInfo):
                param.help = getattr(param, "help", None) or info.help


def _once(message: str) -> str:
    """A usage error says "Did you mean 'check'?" once: click and typer both add the suggestion."""
    return re.sub(r"( Did you mean [^?]*\?)\1+", r"\1", message)
