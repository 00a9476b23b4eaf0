"""Integration checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apilint.finding import Severity
from apilint.model import Api, ApiType, EndpointType, Setting
from apilint.rules import Violation


def _timeouts(api: Api) -> Iterator[tuple[Setting, bool]]:
    """Every integration timeout (operations, components, template resources, and the ``TimeoutInMillis``
    of SAM function events, which SAM writes into the Lambda integration it generates for the route)
    and whether the response streams."""
    for view in api.all_integrations():
        timeout = view.setting("timeout")
        if timeout.written:
            yield timeout, str(view.get("transfer_mode") or "").upper() == "STREAM"
    for event in api.resource.events if api.resource is not None else ():
        timeout = event.setting("TimeoutInMillis")
        if timeout.written:
            yield timeout, False


def integration_timeout(api: Api, run: Any) -> Iterator[Violation]:
    """Integration timeouts outside the range the API type and endpoint type allow."""
    limits = run.options[api.api_type.value]
    low, high = limits["min"], limits["max"]
    for setting, streaming in _timeouts(api):
        timeout, at = setting.whole(), setting.at
        if timeout is None or at is None:
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
