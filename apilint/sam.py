"""SAM's own semantics, modelled where apilint can keep positions: the APIs SAM creates from function
events, and the events that add routes to an API.

A function event of ``Type: Api`` without ``RestApiId`` adds its route to the REST API SAM creates
implicitly (logical id ``ServerlessRestApi``, stage ``Prod``); ``Type: HttpApi`` without ``ApiId``
adds it to ``ServerlessHttpApi`` (stage ``$default``). ``Globals.Api`` / ``Globals.HttpApi`` apply to
them as to declared ones. docs/design.md says why SAM is modelled here rather than translated with
``aws-sam-translator``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apilint.model import UNSET, FunctionEvent, Pointer, Resource, Setting
from apilint.record import replace
from apilint.template import OWNER_KEYS, Template, refers_to

FUNCTION = "AWS::Serverless::Function"
IMPLICIT = {
    "Api": ("ServerlessRestApi", "AWS::Serverless::Api", "RestApiId", "Prod"),
    "HttpApi": ("ServerlessHttpApi", "AWS::Serverless::HttpApi", "ApiId", "$default"),
}


def function_events(template: Template) -> Iterator[FunctionEvent]:
    """Every ``Api`` and ``HttpApi`` event of the template's SAM functions, in template order."""
    for function in template.of_type(FUNCTION):
        events = function.get("Events")
        if not isinstance(events, dict):
            continue
        for name, event in events.items():
            if not isinstance(event, dict) or event.get("Type") not in IMPLICIT:
                continue
            at = function.properties_at.child("Events", name)
            properties = event.get("Properties")
            properties = properties if isinstance(properties, dict) else {}
            props_at = at.child("Properties")

            owner_key = IMPLICIT[event["Type"]][2]
            yield FunctionEvent(function.name, str(name), event["Type"], at, _setting(properties, props_at, "Path"),
                                _setting(properties, props_at, "Method"), _setting(properties, props_at, "Auth"),
                                properties, props_at, _setting(properties, props_at, owner_key))


def _setting(data: dict[str, Any], at: Pointer, key: str) -> Setting:
    return Setting(data[key], at.child(key)) if key in data else UNSET


def implicit_apis(template: Template) -> list[tuple[Resource, str]]:
    """The APIs SAM creates for events that name no API: a resource standing for each (its pointers lead
    to the first such event) and the stage name SAM gives it."""
    result = []
    for kind, (name, resource_type, owner_key, stage) in IMPLICIT.items():
        if name in template.resources:
            continue  # a resource of that name is declared: SAM uses it
        first = next((event for event in function_events(template)
                      if event.kind == kind and owner_key not in event.properties), None)
        if first is not None:
            result.append((Resource(name, resource_type, {}, first.at, first.at.child("Properties")), stage))
    return result


def events_of(template: Template, api: Resource, implicit: bool) -> list[FunctionEvent]:
    """The function events that add routes to an API: those naming it, or for an implicit API those
    naming none."""
    kinds = {"AWS::Serverless::Api": "Api", "AWS::Serverless::HttpApi": "HttpApi"}
    kind = kinds.get(api.type)
    if kind is None:
        return []
    owner_key = IMPLICIT[kind][2]
    result = []
    for event in function_events(template):
        if event.kind != kind:
            continue
        owner = event.properties.get(owner_key)
        # SAM looks the API up by logical id: a Ref, or the id written as text
        if (owner is None and implicit) or owner == api.name or (owner is not None and refers_to(owner, api.name)):
            result.append(event)
    return result


def stray_events(template: Template) -> list[FunctionEvent]:
    """Events whose RestApiId/ApiId names no API SAM can add them to.

    SAM looks the API up by logical id among the template's resources (a ``Ref`` or the id written
    as text): a parameter (as when functions and API are split into nested stacks), a pseudo
    parameter, a resource that does not exist, another intrinsic function (``Fn::ImportValue``), or
    an ``AWS::Serverless::HttpApi`` named by an ``Api`` event stop the transform. Any other resource
    type is taken (SAM leaves the definition of an ``AWS::ApiGateway::RestApi`` to its author).
    """
    result = []
    for event in function_events(template):
        owner = event.owner.value
        if not event.owner.written or owner is None:
            continue
        name = owner.get("Ref") if isinstance(owner, dict) and len(owner) == 1 and "Ref" in owner else owner
        if isinstance(name, dict):
            result.append(event)  # an intrinsic function SAM cannot look up
            continue
        if not isinstance(name, str):
            continue  # a number or a list: the event's schema is wrong, not the reference
        target = template.get(name)
        if target is None or (event.kind == "Api" and target.type == "AWS::Serverless::HttpApi"):
            result.append(replace(event, owner_type=target.type if target else None))
    return result


__all__ = ["IMPLICIT", "OWNER_KEYS", "events_of", "function_events", "implicit_apis", "stray_events"]
