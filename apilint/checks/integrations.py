"""Integration checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apilint.checks.values import known_int
from apilint.finding import Severity
from apilint.model import Api, ApiType, EndpointType, Pointer
from apilint.rules import Violation


def _timeouts(api: Api) -> Iterator[tuple[Any, Pointer, bool]]:
    """Every integration timeout: the value, where it is, and whether the response streams."""
    for integration in api.integrations():
        if "timeoutInMillis" in integration.data:
            streaming = str(integration.get("responseTransferMode", "")).upper() == "STREAM"
            yield integration.get("timeoutInMillis"), integration.at.child("timeoutInMillis"), streaming
    related = api.template_context.get("related", {})
    for _, props, at in related.get("AWS::ApiGateway::Method", []):
        integration = props.get("Integration")
        if isinstance(integration, dict) and "TimeoutInMillis" in integration:
            streaming = str(integration.get("ResponseTransferMode", "")).upper() == "STREAM"
            yield integration["TimeoutInMillis"], at.child("Integration", "TimeoutInMillis"), streaming
    for _, props, at in related.get("AWS::ApiGatewayV2::Integration", []):
        if "TimeoutInMillis" in props:
            yield props["TimeoutInMillis"], at.child("TimeoutInMillis"), False


def integration_timeout(api: Api, run: Any) -> Iterator[Violation]:
    """Integration timeouts outside the range the API type and endpoint type allow."""
    limits = run.options[api.api_type.value]
    low, high = limits["min"], limits["max"]
    for value, at, streaming in _timeouts(api):
        timeout = known_int(value)
        if timeout is None:
            continue
        if timeout < low:
            yield Violation(at, f"integration timeout {timeout:,} ms is below the minimum of {low} ms")
            continue
        if timeout <= high:
            continue
        if api.api_type is not ApiType.REST:
            yield Violation(at, f"integration timeout {timeout:,} ms is over the {api.api_type.label} API "
                                f"maximum of {high:,} ms")
        elif streaming:
            stream_max = limits["stream_max"]
            if timeout > stream_max:
                yield Violation(at, f"integration timeout {timeout:,} ms is over {stream_max:,} ms, the maximum "
                                    "for a streamed response")
        elif api.endpoint_type is EndpointType.EDGE:
            yield Violation(at, f"integration timeout {timeout:,} ms is over {high:,} ms, the fixed maximum for "
                                f"edge-optimized REST APIs ({api.endpoint_reason})")
        else:
            endpoint = api.endpoint_type.value if api.endpoint_type else "Regional"
            yield Violation(at, f"integration timeout {timeout:,} ms is over the default maximum of {high:,} ms; "
                                f"{endpoint} REST APIs need a quota increase for it", Severity.WARNING)
