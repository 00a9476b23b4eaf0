"""What a template declares around an API's stages: throttling against the account quota, canary
traffic, stage variables, and the VPC links integrations go through.

Every check reads the deployment objects of :class:`apilint.model.Api` (stages, usage plans, VPC
links, integrations); none walks a template itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apilint.finding import Severity
from apilint.model import Api, ApiType, Pointer, Setting, Stage
from apilint.rules import Violation
from apilint.template import referenced_name

# --- throttling -----------------------------------------------------------------------------------------

#: The account-level throttle quota per Region (requests per second, burst bucket), shared by every
#: REST, HTTP and WebSocket API of the account (Service Quotas L-8A5B8E43).
ACCOUNT_RATE, ACCOUNT_BURST = 10_000, 5_000
#: The Regions whose default account quota is 2,500 requests per second with a burst of 1,250.
LOW_QUOTA_REGIONS = frozenset({
    "af-south-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2",
    "il-central-1", "mx-central-1",
})
LOW_RATE, LOW_BURST = 2_500, 1_250
#: The value API Gateway's method settings (and Terraform's defaults) use for a throttle that is not set.
NOT_SET = -1


def _account_quota(api: Api) -> tuple[int, int, str]:
    if api.region in LOW_QUOTA_REGIONS:
        return LOW_RATE, LOW_BURST, f"in {api.region}"
    if api.region:
        return ACCOUNT_RATE, ACCOUNT_BURST, f"in {api.region}"
    return ACCOUNT_RATE, ACCOUNT_BURST, "in most Regions"


def _throttles(api: Api) -> Iterator[tuple[str, Setting, Setting, Pointer]]:
    """(what, rate, burst, where) for every throttle the deployment declares."""
    for stage in api.stages:
        for settings in stage.route_settings:
            target = settings.method_path or settings.route_key
            what = stage.label if target in (None, "*/*") else f"{stage.label}, {target}"
            yield what, settings.throttling_rate, settings.throttling_burst, settings.at
    for plan in api.usage_plans:
        yield plan.label, plan.throttle_rate, plan.throttle_burst, plan.at
        for covered in plan.stages:
            for throttle in covered.method_throttles:
                yield f"{plan.label}, {throttle.method}", throttle.rate, throttle.burst, throttle.at


def _shown(value: float) -> str:
    """A number as written in a message: whole numbers with thousands separators (99,999,999, not 1e+08)."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def throttling_quota(api: Api, run: Any) -> Iterator[Violation]:
    """Rates above the account's throttle quota and bursts above its bucket (warnings: the rate
    quota can be raised, the bucket cannot)."""
    rate_quota, burst_quota, where = _account_quota(api)
    for what, rate, burst, _at in _throttles(api):
        rate_value, burst_value = rate.number(), burst.number()
        if rate_value is not None and rate_value > rate_quota and rate.at is not None:
            yield Violation(rate.at, f"{what}: throttling rate {_shown(rate_value)} requests per second is above the "
                                     f"account quota of {rate_quota:,} {where}, shared by every API of the "
                                     "account; request a quota increase first or lower the rate")
        if burst_value is not None and burst_value > burst_quota and burst.at is not None:
            yield Violation(burst.at, f"{what}: burst limit {_shown(burst_value)} is above the account's burst bucket "
                                      f"of {burst_quota:,} requests {where}, which cannot be raised: bursts above "
                                      f"{burst_quota:,} are throttled anyway")


def throttling_values(api: Api, run: Any) -> Iterator[Violation]:
    """Negative rates and bursts, and a burst of 0 under a positive rate, which lets no request through."""
    for what, rate, burst, _at in _throttles(api):
        rate_value, burst_value = rate.number(), burst.number()
        for name, setting, value in (("throttling rate", rate, rate_value), ("burst limit", burst, burst_value)):
            if value is not None and value < 0 and value != NOT_SET and setting.at is not None:
                yield Violation(setting.at, f"{what}: {name} {_shown(value)} is negative; rates (requests per second) "
                                            "and bursts (requests) are 0 or more")
        if burst_value == 0 and rate_value is not None and rate_value > 0 and burst.at is not None:
            yield Violation(burst.at, f"{what}: a burst limit of 0 lets no request through (the token bucket holds "
                                      f"no token), so its rate of {_shown(rate_value)} per second is never reached; give a "
                                      "burst of at least 1, or a rate of 0 too to block on purpose")


# --- canary ---------------------------------------------------------------------------------------------


def canary_traffic(api: Api, run: Any) -> Iterator[Violation]:
    """A canary's ``PercentTraffic`` outside 0–100."""
    for stage in api.stages:
        canary = stage.canary
        if canary is None:
            continue
        percent = canary.percent_traffic
        value = percent.number()
        if value is not None and not 0 <= value <= 100 and percent.at is not None:
            key = percent.at.path[-1]  # PercentTraffic, or Terraform's percent_traffic
            yield Violation(percent.at, f"{stage.label}: canary {key} {_shown(value)} is outside 0–100, the "
                                        "share of requests the canary deployment receives")


# --- stage variables ------------------------------------------------------------------------------------

_VARIABLE_NAME = re.compile(r"[A-Za-z0-9_]+\Z")
_VARIABLE_VALUE = re.compile(r"[A-Za-z0-9\-._~:/?#&=,]+\Z")
_REFERENCE = re.compile(r"\$\{stageVariables\.([^}]*)\}|(?<![$\w{])stageVariables\.([A-Za-z0-9_]+)")
MAX_VARIABLE_NAME, MAX_VARIABLE_VALUE, MAX_VARIABLES = 64, 512, 100


def _variables(stage: Stage) -> Iterator[tuple[str, Setting, Pointer]]:
    for name, setting in stage.variables.items():
        if setting.at is not None:
            yield name, setting, setting.at
    if stage.canary is not None:
        for name, setting in stage.canary.variable_overrides.items():
            if setting.at is not None:
                yield name, setting, setting.at


def stage_variables(api: Api, run: Any) -> Iterator[Violation]:
    """Stage variable names and values API Gateway refuses, and references to variables no stage defines."""
    for stage in api.stages:
        if len(stage.variables) > MAX_VARIABLES and stage.variables_at is not None:
            yield Violation(stage.variables_at, f"{stage.label} defines {len(stage.variables)} stage variables; "
                                                f"a stage holds at most {MAX_VARIABLES}")
        for name, setting, at in _variables(stage):
            if not _VARIABLE_NAME.match(name) or len(name) > MAX_VARIABLE_NAME:
                yield Violation(at, f"{stage.label}: stage variable name {name!r} must be 1–{MAX_VARIABLE_NAME} "
                                    "letters, digits or underscores")
                continue
            value = setting.text()
            if value is None:
                continue  # decided later (an intrinsic or a placeholder), or not text
            if len(value) > MAX_VARIABLE_VALUE:
                yield Violation(at, f"{stage.label}: stage variable {name} is {len(value):,} characters long; "
                                    f"values hold at most {MAX_VARIABLE_VALUE}")
            elif not _VARIABLE_VALUE.match(value):
                bad = sorted({c for c in value if not _VARIABLE_VALUE.match(c)})
                yield Violation(at, f"{stage.label}: stage variable {name} has characters API Gateway refuses in "
                                    f"a value ({' '.join(repr(c) for c in bad)}); values use letters, digits and "
                                    "- . _ ~ : / ? # & = , only")
    yield from _undefined_references(api)


def _undefined_references(api: Api) -> Iterator[Violation]:
    """``${stageVariables.name}`` in the definition when every stage of the API is known and none
    defines ``name``: the reference resolves to nothing at run time."""
    stages = api.stages
    if not stages or any(_unknown_map(stage) for stage in stages):
        return
    defined: set[str] = set()
    for stage in stages:
        defined.update(stage.variables)
        if stage.canary is not None:
            defined.update(stage.canary.variable_overrides)
    document, doc_at = api.root()
    if not document:
        return
    reported: set[str] = set()
    for value, at in _strings(document, doc_at):
        for match in _REFERENCE.finditer(value):
            name = match.group(1) if match.group(1) is not None else match.group(2)
            if name in defined or name in reported:
                continue
            reported.add(name)
            if not _VARIABLE_NAME.match(name or ""):
                yield Violation(at, f"${{stageVariables.{name}}} is not a stage variable reference: names are "
                                    "letters, digits and underscores")
                continue
            names = ", ".join(stage.label for stage in stages)
            yield Violation(at, f"stage variable {name} is used here but no stage of the API defines it ({names}); "
                                "the reference resolves to an empty value at run time", Severity.WARNING)


def _unknown_map(stage: Stage) -> bool:
    """Whether the stage's variables are written as something decided later (an intrinsic)."""
    return stage.variables_at is not None and not stage.variables


def _strings(data: Any, at: Pointer) -> Iterator[tuple[str, Pointer]]:
    """Every string value of a document with its pointer, without recursion."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if "stageVariables" in value:
                yield value, at.child(*path)
        elif isinstance(value, dict):
            stack.extend((item, path + (key,)) for key, item in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((item, path + (index,)) for index, item in reversed(list(enumerate(value))))


# --- VPC links ------------------------------------------------------------------------------------------


def vpc_link_versions(api: Api, run: Any) -> Iterator[Violation]:
    """An HTTP API integration through a REST (V1) VPC link, and V1 links whose targets are not
    Network Load Balancers."""
    links = {link.logical_id: link for link in api.vpc_links if link.logical_id}
    if api.api_type is ApiType.HTTP:
        v1 = {name for name, link in links.items() if link.version == "v1"}
        for integration in api.all_integrations():
            connection = integration.setting("connection_id")
            name = _referenced(connection.value)
            if name in v1 and connection.at is not None:
                v2 = "aws_apigatewayv2_vpc_link" if name.startswith("aws_") else "AWS::ApiGatewayV2::VpcLink"
                yield Violation(connection.at, f"{integration.label} goes through {links[name].label}, a REST API "
                                               f"(V1) VPC link; HTTP API private integrations need an {v2}")
    for link in links.values():
        if link.version != "v1" or not isinstance(link.target_arns.value, list) or link.target_arns.at is None:
            continue
        for index, arn in enumerate(link.target_arns.value):
            if isinstance(arn, str) and ":loadbalancer/app/" in arn:
                yield Violation(link.target_arns.at.child(index),
                                f"{link.label} targets an Application Load Balancer; REST API (V1) VPC links "
                                "reach Network Load Balancers only (use a V2 VPC link for an ALB)")


_TERRAFORM_REFERENCE = re.compile(r"\$\{\s*([a-z][a-z0-9_]*\.[A-Za-z_][\w-]*)\.\w+\s*\}")


def _referenced(value: Any) -> str | None:
    """The resource a value names: a CloudFormation reference, ``${Name}``, or a Terraform attribute
    reference (``${aws_api_gateway_vpc_link.legacy.id}`` names ``aws_api_gateway_vpc_link.legacy``)."""
    if isinstance(value, str):
        match = _TERRAFORM_REFERENCE.fullmatch(value.strip())
        if match is not None:
            return match.group(1)
    name = referenced_name(value)
    if name is None and isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        inner = value[2:-1]
        return inner if "." not in inner else None
    return name
