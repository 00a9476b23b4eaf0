"""Access logging of the stages a template deploys: a stage that writes no access log, and a log
format without the request id that ties a log line to a request.

Both read :class:`apilint.model.Stage` (``access_log_at``, ``access_log_destination``,
``access_log_format``); neither walks a template.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apilint.model import Api, Stage
from apilint.rules import Violation
from apilint.values import has_placeholder, known_string

#: The resource AWS creates for an HTTP API made by quick create, which can set its stage's access log.
MANAGED_OVERRIDES = "AWS::ApiGatewayV2::ApiGatewayManagedOverrides"
#: The variables API Gateway accepts as the request id an access log format must hold.
REQUEST_IDS = ("$context.requestId", "$context.extendedRequestId")


def _logs_elsewhere(api: Api) -> bool:
    """Whether the template sets the access log of the API's stage in a managed-overrides resource."""
    for resource in api.related(MANAGED_OVERRIDES):
        stage = resource.get("Stage")
        if not isinstance(stage, dict) or "AccessLogSettings" in stage:
            return True
    return False


def _logging(stage: Stage) -> bool | None:
    """Whether the stage writes access logs: True, False, or None when decided at deployment."""
    if stage.access_log_at is None:
        return False  # no access log setting
    destination = stage.access_log_destination
    if destination.written:
        return destination.unknown or destination.value not in (None, "")
    if not isinstance(stage.access_log.value, dict) or stage.access_log.unknown:
        return None  # an intrinsic function (decided at deployment), or not a mapping (malformed)
    return False  # a format (or nothing), but nowhere to write it


def stage_without_access_logging(api: Api, run: Any) -> Iterator[Violation]:
    """A stage whose access log setting is missing or names no destination."""
    if not api.stages or _logs_elsewhere(api):
        return
    for stage in api.stages:
        if _logging(stage) is False:
            at = stage.access_log_at or stage.at
            what = "has no access log destination" if stage.access_log_at is not None else "writes no access log"
            yield Violation(at, f"{stage.label} {what}: requests to it leave no record of who called what and "
                                "with which result (set the stage's access log destination and format)")


def access_log_format_without_request_id(api: Api, run: Any) -> Iterator[Violation]:
    """An access log format without ``$context.requestId`` or ``$context.extendedRequestId``."""
    for stage in api.stages:
        setting = stage.access_log_format
        text = known_string(setting.value)
        if setting.at is None or text is None or has_placeholder(text) or not text.strip():
            continue  # not written, decided at deployment (a parameter, an intrinsic), or not text
        if any(variable in text for variable in REQUEST_IDS):
            continue
        yield Violation(setting.at, f"{stage.label}: the access log format has neither "
                                    "$context.requestId nor $context.extendedRequestId; API Gateway requires one "
                                    "of them, and without it a log line cannot be matched to the request and its "
                                    "execution log")
