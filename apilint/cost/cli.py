"""``apilint cost``: the command function, and ``main(argv)`` to run it on its own.

Exit codes: 0 the estimate was printed; 2 a usage error (bad flag value, bad usage file, a region
without prices), reported in one line per problem on stderr.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from apilint.cost.errors import CostError
from apilint.cost.money import plain
from apilint.cost.revision import WORKING_TREE, Tree
from apilint.model import ApiType

if TYPE_CHECKING:
    from apilint.cost.blockers import ApiBlockers, DefinedApi
    from apilint.cost.estimate import EstimateResult
    from apilint.cost.usage import ApiUsage, UsageFlags, UsageProfile

EXIT_OK, EXIT_USAGE = 0, 2
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class CostRequest:
    """Everything ``apilint cost`` was asked, still as typed."""

    paths: tuple[Path, ...] = ()
    usage_file: Path | None = None
    region: str | None = None
    flags: UsageFlags | None = None
    free_tier: bool | None = None
    hours_per_month: str | None = None
    price_list: Path | None = None
    output_format: str = "text"
    environment: dict[str, str] = field(default_factory=dict)
    config_file: Path | None = None
    root: Path | None = None
    exclude: tuple[str, ...] = ()
    brief: bool = False
    details: bool = False
    #: The APIs ``apilint check --usage`` built from the same paths: priced as they are instead of
    #: being built again (None: build them from the paths).
    defined: tuple[DefinedApi, ...] | None = None


def usage_flags(**values: str | None) -> UsageFlags:
    """The traffic flags as typed (None: not given)."""
    from apilint.cost.usage import UsageFlags

    return UsageFlags(**values)


def cost_command(
    paths: list[Path] | None = typer.Argument(
        None,
        help="Definitions, templates or folders (as apilint check takes them): the current type, the "
        "stage cache and the features that block a move to another type.",
        show_default=False,
    ),
    usage: Path | None = typer.Option(
        None, "--usage", help="Usage file (YAML): several APIs, traffic per route."
    ),
    region: str | None = typer.Option(
        None, "--region", help="AWS region (default: usage file, the deployment's stated region, AWS_REGION, us-east-1)."
    ),
    api_type: str | None = typer.Option(
        None,
        "--api-type",
        help="Current type when no definition says: rest, http or websocket (default: rest).",
    ),
    requests: str | None = typer.Option(
        None, "--requests", help="Calls per month: 5000000, 432M, 1.08M, 15B."
    ),
    request_size_kb: str | None = typer.Option(
        None, "--request-size-kb", help="Average request payload in KB."
    ),
    response_size_kb: str | None = typer.Option(
        None, "--response-size-kb", help="Average response payload in KB."
    ),
    cache_size_gb: str | None = typer.Option(
        None,
        "--cache-size-gb",
        help="REST stage cache in GB (default: the template's stage cache; rounded up to an offered size).",
    ),
    messages: str | None = typer.Option(
        None, "--messages", help="WebSocket messages per month, sent plus received."
    ),
    message_size_kb: str | None = typer.Option(
        None, "--message-size-kb", help="Average WebSocket message in KB."
    ),
    connection_minutes: str | None = typer.Option(
        None, "--connection-minutes", help="WebSocket connection minutes per month."
    ),
    clients: str | None = typer.Option(
        None, "--clients", help="WebSocket clients connected at once (with --session-minutes)."
    ),
    session_minutes: str | None = typer.Option(
        None, "--session-minutes", help="Minutes each client stays connected per session."
    ),
    sessions_per_day: str | None = typer.Option(
        None, "--sessions-per-day", help="Sessions per client a day (default: 1)."
    ),
    days_per_month: str | None = typer.Option(
        None, "--days-per-month", help="Days a month clients connect (default: 30)."
    ),
    messages_sent_per_day: str | None = typer.Option(
        None, "--messages-sent-per-day", help="Messages each client sends a day."
    ),
    messages_received_per_day: str | None = typer.Option(
        None, "--messages-received-per-day", help="Messages each client receives a day."
    ),
    messages_per_request: str | None = typer.Option(
        None, "--messages-per-request", help="As WebSocket: messages per request (default: 2)."
    ),
    connection_minutes_per_request: str | None = typer.Option(
        None,
        "--connection-minutes-per-request",
        help="As WebSocket: connection minutes per request (default: 1).",
    ),
    endpoint_type: str | None = typer.Option(
        None,
        "--endpoint-type",
        help="edge, regional or private (private REST APIs pay no data transfer out).",
    ),
    vpc_endpoint_azs: str | None = typer.Option(
        None,
        "--vpc-endpoint-azs",
        help="Private APIs: Availability Zones of the VPC endpoint, to add PrivateLink.",
    ),
    free_tier: bool | None = typer.Option(
        None, "--free-tier/--no-free-tier", help="Apply the 12-month free tier (default: off)."
    ),
    hours_per_month: str | None = typer.Option(
        None, "--hours-per-month", help="Hours billed for caches and VPC endpoints (default: 730)."
    ),
    price_list: Path | None = typer.Option(
        None, "--price-list", help="AWS Price List offer file for AmazonApiGateway (JSON)."
    ),
    config_file: Path | None = typer.Option(
        None, "--config", "-c", help="Configuration file (default: nearest .apilint.yaml), as apilint check."
    ),
    root: Path | None = typer.Option(
        None, "--root", help="Repository root; file references never leave it (default: the git repository of the working directory, else the working directory)."
    ),
    exclude: list[str] | None = typer.Option(
        None, "--exclude", help="Skip files and folders matching this glob (repeatable)."
    ),
    brief: bool = typer.Option(False, "--brief", help="Text: one line per API type with the verdict."),
    details: bool = typer.Option(
        False, "--details", help="Text: tiers, every assumption and the sources of each price."
    ),
    output_format: str = typer.Option("text", "--format", "-f", help="text, json or markdown."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to this file."),
) -> None:
    """Estimate what an API costs per month as REST, HTTP and WebSocket, and what switching saves.

    `apilint cost diff --base REV` prices a change (see apilint cost diff --help).
    """
    flags = usage_flags(
        api_type=api_type,
        requests=requests,
        request_size_kb=request_size_kb,
        response_size_kb=response_size_kb,
        cache_size_gb=cache_size_gb,
        messages=messages,
        message_size_kb=message_size_kb,
        connection_minutes=connection_minutes,
        messages_per_request=messages_per_request,
        connection_minutes_per_request=connection_minutes_per_request,
        endpoint_type=endpoint_type,
        vpc_endpoint_azs=vpc_endpoint_azs,
        clients=clients,
        session_minutes=session_minutes,
        sessions_per_day=sessions_per_day,
        days_per_month=days_per_month,
        messages_sent_per_day=messages_sent_per_day,
        messages_received_per_day=messages_received_per_day,
    )
    request = _cost_request(paths, exclude, usage_file=usage, region=region, flags=flags, free_tier=free_tier,
                            hours_per_month=hours_per_month, price_list=price_list, output_format=output_format,
                            config_file=config_file, root=root, brief=brief, details=details)
    _run_and_print(lambda: run_cost(request), output)


def _cost_request(paths: list[Path] | None, exclude: list[str] | None, **given: Any) -> CostRequest:
    """The request the options ask for, as typed: ``apilint cost`` and ``apilint cost diff`` share it."""
    return CostRequest(paths=tuple(paths or ()), exclude=tuple(exclude or ()), environment=dict(os.environ), **given)


def _run_and_print(produce: Callable[[], str], output: Path | None) -> None:
    try:
        report = produce()
        if output is None:
            typer.echo(report, nl=False)
        else:
            _write(output, report)
    except CostError as error:
        for line in str(error).splitlines():
            typer.echo(f"apilint: error: {line}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CostError(f"cannot write {path}: {error.strerror or error}") from None


def run_cost(request: CostRequest) -> str:
    """Load usage and prices, estimate, and render the report; bad input raises :class:`CostError`."""
    from apilint.cost.report import REPORTERS, brief_report, text_report

    if request.output_format not in REPORTERS:
        raise CostError(f"--format: expected one of {', '.join(REPORTERS)}, got {request.output_format!r}")
    if request.brief and request.output_format != "text":
        raise CostError("--brief is a text view; leave out --format or use --format text")
    result = estimate_request(request, WORKING_TREE)
    if request.brief:
        return brief_report(result)
    if request.output_format == "text":
        return text_report(result, details=request.details)
    return REPORTERS[request.output_format](result)


def estimate_request(request: CostRequest, tree: Tree) -> EstimateResult:
    """The estimate a request asks for, with usage and definitions read from ``tree``."""
    from apilint.cost.estimate import estimate
    from apilint.cost.prices import load_price_book
    from apilint.cost.pricing import EstimateOptions

    notes: list[str] = []
    apis, settings = _usage(request, tree, notes)
    defined = _definitions(request, apis, tree, notes)
    region = _region(request, settings, notes, defined)
    options = EstimateOptions(
        hours_per_month=_hours(request, settings),
        free_tier=bool(request.free_tier if request.free_tier is not None else settings.free_tier),
    )
    book = load_price_book(region, request.price_list)
    apis, blockers = _attach_definitions(apis, defined, request, notes)
    result = estimate(book, apis, options, blockers, notes)
    _require_some_price(result, region)
    return result


# --------------------------------------------------------------------------- where files come from




def _usage(request: CostRequest, tree: Tree, notes: list[str]) -> tuple[tuple[ApiUsage, ...], UsageProfile]:
    from apilint.cost.usage import UsageProfile, load_usage_file, usage_from_flags

    flags = request.flags
    if request.usage_file is not None:
        given = flags.given() if flags is not None else []
        if given:
            raise CostError(
                f"{', '.join(given)} cannot be combined with --usage; describe the traffic in the usage file"
            )
        text = None
        if tree.where:
            if tree.exists(request.usage_file):
                text = tree.read_text(request.usage_file)
            else:
                notes.append(f"{request.usage_file} does not exist{tree.where}: the working tree's is used.")
        profile = load_usage_file(request.usage_file, text)
        return profile.apis, profile
    if flags is None or not flags.given():
        raise CostError(
            "no usage given: pass --requests (or --messages for a WebSocket API), or --usage FILE"
        )
    api = usage_from_flags(flags, name=_flag_api_name(request.paths))
    return (api,), UsageProfile(apis=(api,))


def _flag_api_name(paths: Sequence[Path]) -> str:
    """What a report calls the one API that flags price: the file or folder given (``.`` is the working
    directory's name), or "API" for several paths or none."""
    if len(paths) != 1:
        return "API"
    return paths[0].name or paths[0].resolve().name or "API"


def _definition_paths(request: CostRequest, apis: Sequence[ApiUsage], tree: Tree, notes: list[str]) -> list[Path]:
    """The paths given, and the definitions a usage file names (relative to the usage file).

    At a revision, a path the revision does not have is left out with a note (the change adds it).
    """
    paths = []
    for path in request.paths:
        if tree.exists(path):
            paths.append(path)
        elif tree.where:
            notes.append(f"{path} does not exist{tree.where}.")
        else:
            raise CostError(f"{path}: no such file or directory")
    if request.usage_file is None:
        return paths
    given = {path.resolve() for path in paths}
    for api in apis:
        if not api.definition:
            continue
        path = _usage_relative(request.usage_file, api.definition)
        if not tree.exists(path):
            raise CostError(
                f"{request.usage_file}: the definition {api.definition} of API {api.name} does not exist"
                f"{tree.where}"
            )
        if path.resolve() not in given and not any(_is_under(path, folder) for folder in given):
            paths.append(path)
            given.add(path.resolve())
    return paths


def _usage_relative(usage_file: Path, definition: str) -> Path:
    """A usage file's ``definition`` as a path: relative to the usage file, ``#LogicalId`` left out."""
    return Path(os.path.normpath(usage_file.parent / definition.partition("#")[0]))


def _is_under(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False


def _definitions(
    request: CostRequest, apis: Sequence[ApiUsage], tree: Tree, notes: list[str]
) -> list[DefinedApi] | None:
    """The APIs the check engine builds from the definitions, or None when none were given."""
    from apilint.config import ConfigError
    from apilint.cost.blockers import defined_apis
    from apilint.engine import UsageProblem
    from apilint.load.source import ReadError
    from apilint.workspace import CheckRequest

    paths = _definition_paths(request, apis, tree, notes)
    if not paths:
        return None
    if request.defined is not None and {path.resolve() for path in paths} <= {p.resolve() for p in request.paths}:
        return list(request.defined)  # the check run built these from the same paths
    check = CheckRequest(
        paths=paths, config_file=request.config_file, root=request.root, exclude=list(request.exclude)
    )
    try:
        return defined_apis(tree.apis(check))
    except (ConfigError, UsageProblem, ReadError) as error:
        raise CostError(str(error)) from None


def _region(request: CostRequest, settings: UsageProfile, notes: list[str],
            defined: Sequence[DefinedApi] | None = None) -> str:
    """--region, the usage file's, the one the definitions' deployment states (all that state one
    agree: a Terraform provider's region, the SAM CLI configuration's), the environment's, else
    us-east-1."""
    from apilint.apis import environment_region

    stated = {api.region.strip() for api in defined or () if api.region and api.region.strip()}
    deployed = next(iter(stated)) if len(stated) == 1 else None
    environment = environment_region(request.environment) or (None, None)
    for value, origin in (
        (request.region, None),
        (settings.region, None),
        (deployed, "the deployment of the definitions"),
        environment,
    ):
        if value:
            if origin:
                notes.append(f"Region {value} taken from {origin}.")
            return value.strip()
    notes.append(f"No region given (--region, usage file, AWS_REGION): {DEFAULT_REGION} is priced.")
    return DEFAULT_REGION


def _hours(request: CostRequest, settings: UsageProfile) -> Decimal:
    from apilint.cost.usage import DEFAULT_HOURS_PER_MONTH, parse_number

    if request.hours_per_month is not None:
        return parse_number(request.hours_per_month, "--hours-per-month", positive=True)
    return settings.hours_per_month or DEFAULT_HOURS_PER_MONTH


def _attach_definitions(
    apis: tuple[ApiUsage, ...], defined: list[DefinedApi] | None, request: CostRequest, notes: list[str]
) -> tuple[tuple[ApiUsage, ...], dict[str, ApiBlockers]]:
    """Each API's facts from its definitions: a usage-file API gets those of its ``definition``;
    flag usage gets those of every definition given."""
    from apilint.cost.blockers import ApiBlockers

    if defined is None:
        notes.append(
            "No definition given: blocking features were not checked; every API type counts as available."
        )
        return apis, {}
    if request.usage_file is None:
        if not defined:
            notes.append("The paths given hold no API definition: blocking features were not checked.")
            return apis, {}
        facts = ApiBlockers()
        for entry in defined:
            facts = facts.merged(entry.facts)
        api = with_facts(apis[0], facts, notes)
        return (api,), {api.name: facts}
    blockers: dict[str, ApiBlockers] = {}
    result = []
    for api in apis:
        if not api.definition:
            notes.append(f"{api.name}: no definition named (definition:), so its blocking features were not checked.")
            result.append(api)
            continue
        path = _usage_relative(request.usage_file, api.definition).resolve()
        logical_id = api.definition.partition("#")[2]
        matching = [
            entry.facts for entry in defined if path in entry.files and logical_id in ("", entry.logical_id)
        ]
        if not matching:
            notes.append(f"{api.name}: {api.definition} holds no API definition; its blocking features were not checked.")
            result.append(api)
            continue
        facts = matching[0]
        for more in matching[1:]:
            facts = facts.merged(more)
        api = with_facts(api, facts, notes)
        blockers[api.name] = facts
        result.append(api)
    return tuple(result), blockers


def with_facts(api: ApiUsage, facts: ApiBlockers, notes: list[str]) -> ApiUsage:
    """The usage completed with what the definitions say, where the usage does not say it."""
    from apilint.cost.usage import check_api

    changes: dict[str, object] = {}
    current = api.current_type
    if not api.type_given and facts.current_type is not None and facts.current_type is not api.current_type:
        current = facts.current_type
        changes["current_type"] = current
        notes.append(f"{api.name}: current type {current.label}, as its definition says.")
    if not api.endpoint_given and facts.endpoint_type is not None and api.endpoint_type is None:
        changes["endpoint_type"] = facts.endpoint_type
    if api.cache_size_gb is None and facts.cache_sizes_gb and current is ApiType.REST:
        first, *more = facts.cache_sizes_gb
        changes["cache_size_gb"] = first
        changes["more_caches_gb"] = tuple(more)
        sizes = " and ".join(f"{plain(size)} GB" for size in facts.cache_sizes_gb)
        notes.append(
            f"{api.name}: stage cache{'s' if more else ''} of {sizes}, as the template declares "
            f"({facts.cache_at}); --cache-size-gb or cache_size_gb overrides {'them' if more else 'it'}."
        )
    if not changes:
        return api
    updated = replace(api, **changes)  # type: ignore[arg-type]
    problems = check_api(updated)
    if problems:
        raise CostError("\n".join(problems))
    return updated


def _require_some_price(result: EstimateResult, region: str) -> None:
    from apilint.cost.prices import OFFER_URL

    comparisons = [result.total] + [api.comparison for api in result.apis]
    if any(e.monthly_usd is not None for c in comparisons for e in c.estimates):
        return
    missing = next((m for e in result.total.estimates for m in e.priced.missing), "no prices")
    raise CostError(
        f"nothing could be priced: {missing}; download the offer file "
        f"({OFFER_URL.format(region=region)}) and pass it with --price-list"
    )


# --------------------------------------------------------------------------- apilint cost diff


def cost_diff_command(
    paths: list[Path] | None = typer.Argument(
        None,
        help="Definitions, templates or folders, read at each revision; without --base, two usage files or "
        "two definitions: BEFORE AFTER.",
        show_default=False,
    ),
    base: str | None = typer.Option(
        None, "--base", help="Revision before the change (origin/main, a tag, a commit), read with git."
    ),
    head: str | None = typer.Option(
        None, "--head", help="Revision after the change (default: the working tree)."
    ),
    usage: Path | None = typer.Option(
        None, "--usage", help="Usage file, read at each revision (the working tree's when a revision lacks it)."
    ),
    region: str | None = typer.Option(None, "--region", help="AWS region (default: usage file, the deployment's stated region, AWS_REGION, us-east-1)."),
    api_type: str | None = typer.Option(None, "--api-type", help="Current type when no definition says: rest, http or websocket (default: rest)."),
    requests: str | None = typer.Option(None, "--requests", help="Calls per month: 5000000, 432M, 15B."),
    request_size_kb: str | None = typer.Option(None, "--request-size-kb", help="Average request payload in KB."),
    response_size_kb: str | None = typer.Option(None, "--response-size-kb", help="Average response payload in KB."),
    messages: str | None = typer.Option(None, "--messages", help="WebSocket messages per month."),
    message_size_kb: str | None = typer.Option(None, "--message-size-kb", help="Average WebSocket message in KB."),
    connection_minutes: str | None = typer.Option(
        None, "--connection-minutes", help="WebSocket connection minutes per month."
    ),
    free_tier: bool | None = typer.Option(
        None, "--free-tier/--no-free-tier", help="Apply the 12-month free tier (default: off)."
    ),
    hours_per_month: str | None = typer.Option(
        None, "--hours-per-month", help="Hours billed for caches and VPC endpoints (default: 730)."
    ),
    price_list: Path | None = typer.Option(
        None, "--price-list", help="AWS Price List offer file for AmazonApiGateway (JSON)."
    ),
    config_file: Path | None = typer.Option(
        None, "--config", "-c", help="Configuration file (default: nearest .apilint.yaml)."
    ),
    root: Path | None = typer.Option(None, "--root", help="Repository root (default: the git repository of the working directory, else the working directory)."),
    exclude: list[str] | None = typer.Option(
        None, "--exclude", help="Skip files and folders matching this glob (repeatable)."
    ),
    output_format: str = typer.Option("text", "--format", "-f", help="text, json or markdown (a PR comment)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to this file."),
) -> None:
    """What a change does to the monthly cost: per API and line item, before, after and the difference."""
    flags = usage_flags(
        api_type=api_type,
        requests=requests,
        request_size_kb=request_size_kb,
        response_size_kb=response_size_kb,
        messages=messages,
        message_size_kb=message_size_kb,
        connection_minutes=connection_minutes,
    )
    request = _cost_request(paths, exclude, usage_file=usage, region=region, flags=flags, free_tier=free_tier,
                            hours_per_month=hours_per_month, price_list=price_list, output_format=output_format,
                            config_file=config_file, root=root)
    _run_and_print(lambda: run_cost_diff(request, base, head), output)


def run_cost_diff(request: CostRequest, base: str | None, head: str | None) -> str:
    """Estimate before and after, compare, and render; bad input raises :class:`CostError`."""
    from apilint.cost.diff import DIFF_REPORTERS, compare_estimates

    if request.output_format not in DIFF_REPORTERS:
        raise CostError(f"--format: expected one of {', '.join(DIFF_REPORTERS)}, got {request.output_format!r}")
    if base is None:
        if head is not None:
            raise CostError("--head needs --base")
        before_request, after_request = _two_files(request)
        before = estimate_request(before_request, WORKING_TREE)
        after = estimate_request(after_request, WORKING_TREE)
        labels = (str(_side(before_request)), str(_side(after_request)))
    else:
        from apilint.cost.revision import GitRevision

        old = GitRevision.open(base)
        new: Tree = GitRevision.open(head) if head is not None else WORKING_TREE
        before = estimate_request(request, old)
        after = estimate_request(request, new)
        labels = (base, head or "working tree")
    return DIFF_REPORTERS[request.output_format](compare_estimates(before, after, *labels))


def _side(request: CostRequest) -> Path:
    return request.usage_file if request.usage_file is not None else request.paths[0]


def _two_files(request: CostRequest) -> tuple[CostRequest, CostRequest]:
    """BEFORE AFTER, each a usage file or a definition (traffic from --usage or the flags)."""
    if len(request.paths) != 2:
        raise CostError(
            "give --base REVISION (and optionally --head), or two files to compare: BEFORE AFTER "
            "(usage files, or definitions with --usage or traffic flags)"
        )
    first, second = request.paths
    kinds = [_is_usage_file(path) for path in (first, second)]
    if kinds[0] != kinds[1]:
        raise CostError(f"{first} and {second} are not the same kind of file: give two usage files or two definitions")
    if kinds[0]:
        if request.usage_file is not None or (request.flags is not None and request.flags.given()):
            raise CostError("two usage files carry their own traffic; leave out --usage and the traffic flags")
        return (replace(request, paths=(), usage_file=first), replace(request, paths=(), usage_file=second))
    return replace(request, paths=(first,)), replace(request, paths=(second,))


def _is_usage_file(path: Path) -> bool:
    """Whether a file is a usage file (a mapping with ``apis``) rather than a definition or template."""
    import yaml

    if not path.is_file():
        raise CostError(f"{path}: no such file")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and "apis" in data and not any(k in data for k in ("openapi", "swagger", "Resources"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``apilint cost`` on its own (``python -m apilint.cost.cli ...``); returns the exit code."""
    import sys

    import click

    args = list(argv) if argv is not None else sys.argv[1:]
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    prog_name = "apilint cost"
    if args[:1] == ["diff"]:
        app.command(name="diff")(cost_diff_command)
        args, prog_name = args[1:], "apilint cost diff"
    else:
        app.command(name="cost")(cost_command)
    try:
        code = app(args=args, prog_name=prog_name, standalone_mode=False)
    except click.ClickException as error:
        typer.echo(f"apilint: error: {error.format_message()}", err=True)
        return EXIT_USAGE
    except click.exceptions.Abort:
        return 130
    return code if isinstance(code, int) else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
