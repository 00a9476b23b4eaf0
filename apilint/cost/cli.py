"""``apilint cost``: the command function, and ``main(argv)`` to run it on its own.

Exit codes: 0 the estimate was printed; 2 a usage error (bad flag value, bad usage file, a region
without prices), reported in one line per problem on stderr.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from apilint.cost.errors import CostError

if TYPE_CHECKING:
    from apilint.cost.blockers import ApiBlockers
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


def cost_command(
    paths: list[Path] | None = typer.Argument(
        None,
        help="OpenAPI definitions or templates, to find features that block a move to another type.",
        show_default=False,
    ),
    usage: Path | None = typer.Option(
        None, "--usage", help="Usage file (YAML): several APIs, traffic per route."
    ),
    region: str | None = typer.Option(
        None, "--region", help="AWS region (default: usage file, AWS_REGION, us-east-1)."
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
        None, "--cache-size-gb", help="REST stage cache in GB (rounded up to an offered size)."
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
    output_format: str = typer.Option("text", "--format", "-f", help="text, json or markdown."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to this file."),
) -> None:
    """Estimate what an API costs per month as REST, HTTP and WebSocket, and what switching saves."""
    from apilint.cost.usage import UsageFlags

    flags = UsageFlags(
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
    )
    request = CostRequest(
        paths=tuple(paths or ()),
        usage_file=usage,
        region=region,
        flags=flags,
        free_tier=free_tier,
        hours_per_month=hours_per_month,
        price_list=price_list,
        output_format=output_format,
        environment=dict(os.environ),
    )
    try:
        report = run_cost(request)
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
    from apilint.cost.blockers import collect_blockers
    from apilint.cost.estimate import estimate
    from apilint.cost.prices import load_price_book
    from apilint.cost.pricing import EstimateOptions
    from apilint.cost.report import REPORTERS

    if request.output_format not in REPORTERS:
        raise CostError(f"--format: expected one of {', '.join(REPORTERS)}, got {request.output_format!r}")
    for path in request.paths:
        if not path.exists():
            raise CostError(f"{path}: no such file or directory")
    apis, settings = _usage(request)
    notes: list[str] = []
    region = _region(request, settings, notes)
    options = EstimateOptions(
        hours_per_month=_hours(request, settings),
        free_tier=bool(request.free_tier if request.free_tier is not None else settings.free_tier),
    )
    book = load_price_book(region, request.price_list)
    by_path, hook_notes = collect_blockers(request.paths)
    notes.extend(hook_notes)
    apis, blockers = _attach_blockers(apis, by_path, request, notes)
    result = estimate(book, apis, options, blockers, notes)
    _require_some_price(result, region)
    return REPORTERS[request.output_format](result)


def _usage(request: CostRequest) -> tuple[tuple[ApiUsage, ...], UsageProfile]:
    from apilint.cost.usage import UsageProfile, load_usage_file, usage_from_flags

    flags = request.flags
    if request.usage_file is not None:
        given = flags.given() if flags is not None else []
        if given:
            raise CostError(
                f"{', '.join(given)} cannot be combined with --usage; describe the traffic in the usage file"
            )
        profile = load_usage_file(request.usage_file)
        return profile.apis, profile
    if flags is None or not flags.given():
        raise CostError(
            "no usage given: pass --requests (or --messages for a WebSocket API), or --usage FILE"
        )
    name = request.paths[0].name if len(request.paths) == 1 else "API"
    api = usage_from_flags(flags, name=name)
    return (api,), UsageProfile(apis=(api,))


def _region(request: CostRequest, settings: UsageProfile, notes: list[str]) -> str:
    environment = request.environment
    for value, origin in (
        (request.region, None),
        (settings.region, None),
        (environment.get("AWS_REGION"), "AWS_REGION"),
        (environment.get("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION"),
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


def _attach_blockers(
    apis: tuple[ApiUsage, ...], by_path: dict[str, ApiBlockers], request: CostRequest, notes: list[str]
) -> tuple[tuple[ApiUsage, ...], dict[str, ApiBlockers]]:
    """Blockers per API name: a usage-file API gets those of its ``definition``; flag usage gets all."""
    from apilint.cost.blockers import ApiBlockers

    if not by_path:
        return apis, {}
    if request.usage_file is None:
        merged = ApiBlockers()
        for entry in by_path.values():
            merged = merged.merged(entry)
        api = apis[0]
        if merged.current_type is not None and (request.flags is None or request.flags.api_type is None):
            api = replace(api, current_type=merged.current_type)
            notes.append(f"Current type {merged.current_type.value.upper()} as the definitions show.")
        return (api,), {api.name: merged}
    resolved = {str(Path(path).resolve()): entry for path, entry in by_path.items()}
    # A usage file names definitions relative to itself.
    base = request.usage_file.parent
    blockers: dict[str, ApiBlockers] = {}
    for api in apis:
        found = resolved.get(str((base / api.definition).resolve())) if api.definition else None
        if found is not None:
            blockers[api.name] = found
        else:
            notes.append(
                f"{api.name}: no definition of it was passed, so its blocking features were not checked."
            )
    return apis, blockers


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``apilint cost`` on its own (``python -m apilint.cost.cli ...``); returns the exit code."""
    import click

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command(name="cost")(cost_command)
    try:
        code = app(
            args=list(argv) if argv is not None else None, prog_name="apilint cost", standalone_mode=False
        )
    except click.ClickException as error:
        typer.echo(f"apilint: error: {error.format_message()}", err=True)
        return EXIT_USAGE
    except click.exceptions.Abort:
        return 130
    return code if isinstance(code, int) else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
