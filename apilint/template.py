"""A SAM/CloudFormation template as resources, and what ties one resource to another.

:func:`refers_to` is the one notion of "this value names that resource": ``Ref``, ``Fn::GetAtt``
(both forms), an ``Fn::Sub`` variable (``${MyApi}``, ``${MyApi.RootResourceId}``) and anything
nested in ``Fn::Join``, ``Fn::If``, ``Fn::Select`` or lists. :class:`Template` answers which
resources belong to an API and gives a SAM resource's properties with ``Globals`` applied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from apilint.model import Properties, Resource
from apilint.pointer import Pointer
from apilint.record import Record
from apilint.values import sub_text

#: SAM resource types and the ``Globals`` section that holds their defaults.
SAM_GLOBALS = {
    "AWS::Serverless::Api": "Api",
    "AWS::Serverless::HttpApi": "HttpApi",
    "AWS::Serverless::Function": "Function",
    "AWS::Serverless::SimpleTable": "SimpleTable",
    "AWS::Serverless::StateMachine": "StateMachine",
}
MAPPING_RESOURCES = ("AWS::ApiGateway::BasePathMapping", "AWS::ApiGateway::BasePathMappingV2",
                     "AWS::ApiGatewayV2::ApiMapping")
#: Properties through which a resource declares the API it belongs to.
OWNER_KEYS = ("RestApiId", "ApiId")


def refers_to(value: Any, logical_id: str) -> bool:
    """Whether a value names the resource ``logical_id`` (Ref, GetAtt or an Fn::Sub variable), at any depth."""
    return logical_id in _names_in(value)


def referenced_name(value: Any) -> str | None:
    """The logical id a value refers to when it is a plain ``Ref``, an ``Fn::GetAtt`` or a ``${Name}`` Sub."""
    if isinstance(value, dict) and len(value) == 1:
        name, inner = next(iter(value.items()))
        if name == "Ref" and isinstance(inner, str):
            return inner
        if name == "Fn::GetAtt":
            target = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(target, str):
                return target.split(".")[0]
        if name == "Fn::Sub":
            text = sub_text(value)
            match = re.fullmatch(r"\$\{([^}.!]+)(\.[^}]*)?\}", text or "")
            if match:
                return match.group(1)
    return None


def arn_parts(value: Any) -> list[Any] | None:
    """An ARN written as text, ``Fn::Sub`` or ``Fn::Join`` with an empty delimiter, as a list of parts:
    literal strings and ``("ref", name, attribute)`` tuples for each reference; None when unreadable."""
    if isinstance(value, str):
        return _sub_parts(value) if "${" in value else [value]
    if not isinstance(value, dict) or len(value) != 1:
        return None
    name, inner = next(iter(value.items()))
    if name == "Fn::Sub":
        text = sub_text(value)
        return _sub_parts(text) if text is not None else None
    if name == "Fn::Join" and isinstance(inner, list) and len(inner) == 2 and inner[0] == "" \
            and isinstance(inner[1], list):
        parts: list[Any] = []
        for item in inner[1]:
            if isinstance(item, str):
                parts.append(item)
                continue
            target = referenced_name(item)
            if target is None:
                sub = arn_parts(item)
                if sub is None:
                    parts.append(("unknown", None, None))
                else:
                    parts.extend(sub)
                continue
            attribute = None
            if isinstance(item, dict) and "Fn::GetAtt" in item:
                at = item["Fn::GetAtt"]
                attribute = at[1] if isinstance(at, list) and len(at) > 1 else (
                    at.split(".", 1)[1] if isinstance(at, str) and "." in at else None)
            parts.append(("ref", target, attribute))
        return parts
    if name == "Ref" or name == "Fn::GetAtt":
        target = referenced_name(value)
        return [("ref", target, None)] if target else None
    return None


def _sub_parts(text: str) -> list[Any]:
    parts: list[Any] = []
    position = 0
    for match in re.finditer(r"\$\{([^}]*)\}", text):
        if match.start() > position:
            parts.append(text[position:match.start()])
        inner = match.group(1)
        if inner.startswith("!"):
            parts.append("${" + inner[1:] + "}")
        else:
            name, _, attribute = inner.partition(".")
            parts.append(("ref", name, attribute or None))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return parts


class Template(Record):
    """The resources of one SAM/CloudFormation template, with their positions."""

    source: Any  # apilint.load.source.Source
    resources: dict[str, Resource]
    globals: dict[str, Any]
    _owned: dict[str, dict[str, list[Resource]]] | None

    def __init__(self, source: Any, resources: dict[str, Resource] | None = None,
                 globals: dict[str, Any] | None = None,
                 _owned: dict[str, dict[str, list[Resource]]] | None = None) -> None:
        self.source = source
        self.resources = {} if resources is None else resources
        self.globals = {} if globals is None else globals
        self._owned = _owned

    @classmethod
    def of(cls, source: Any) -> Template:
        data = source.data if isinstance(source.data, dict) else {}
        raw = data.get("Resources")
        globals_ = data.get("Globals")
        template = cls(source, {}, globals_ if isinstance(globals_, dict) else {})
        if isinstance(raw, dict):
            for logical_id, resource in raw.items():
                if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
                    continue
                properties = resource.get("Properties")
                at = Pointer(source, ("Resources", logical_id))
                template.resources[str(logical_id)] = Resource(
                    str(logical_id), resource["Type"], properties if isinstance(properties, dict) else {}, at,
                    at.child("Properties"))
        return template

    def of_type(self, *types: str) -> Iterator[Resource]:
        for resource in self.resources.values():
            if resource.type in types:
                yield resource

    def get(self, logical_id: Any) -> Resource | None:
        return self.resources.get(logical_id) if isinstance(logical_id, str) else None

    def properties(self, resource: Resource) -> Properties:
        """The resource's properties as deployed: a SAM resource's own over its ``Globals`` section."""
        section = SAM_GLOBALS.get(resource.type)
        defaults = self.globals.get(section) if section else None
        if isinstance(defaults, dict):
            return Properties(resource.properties, resource.properties_at, defaults,
                              Pointer(self.source, ("Globals", section)))
        return Properties(resource.properties, resource.properties_at)

    def owned_by(self, logical_id: str) -> dict[str, list[Resource]]:
        """Resources, by type, whose ``RestApiId``/``ApiId`` refers to the resource ``logical_id``."""
        if self._owned is None:
            owned: dict[str, dict[str, list[Resource]]] = {}
            for resource in self.resources.values():
                for key in OWNER_KEYS:
                    owner = resource.properties.get(key)
                    if owner is None:
                        continue
                    for candidate in _names_in(owner):
                        owned.setdefault(candidate, {}).setdefault(resource.type, []).append(resource)
                    break
            self._owned = owned
        return self._owned.get(logical_id, {})

    def referring_to(self, logical_id: str, types: Iterable[str] | None = None) -> Iterator[Resource]:
        """Resources (of ``types``, or any) whose properties refer to ``logical_id`` anywhere."""
        wanted = set(types) if types is not None else None
        for resource in self.resources.values():
            if resource.name == logical_id or (wanted is not None and resource.type not in wanted):
                continue
            if refers_to(resource.properties, logical_id):
                yield resource


def _names_in(value: Any) -> set[str]:
    """Every logical id a value refers to (Ref, GetAtt, Sub variables), for indexing ownership."""
    names: set[str] = set()
    if isinstance(value, dict):
        if len(value) == 1:
            name, inner = next(iter(value.items()))
            if name == "Ref" and isinstance(inner, str):
                names.add(inner)
            elif name == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) and inner else inner
                if isinstance(target, str):
                    names.add(target.split(".")[0])
            elif name == "Fn::Sub":
                text = sub_text(value)
                if text is not None:
                    names.update(m.group(1) for m in re.finditer(r"\$\{([^}.!]+)(\.[^}]*)?\}", text))
        for child in value.values():
            names |= _names_in(child)
    elif isinstance(value, list):
        for child in value:
            names |= _names_in(child)
    return names


__all__ = ["MAPPING_RESOURCES", "OWNER_KEYS", "SAM_GLOBALS", "Template", "arn_parts", "referenced_name", "refers_to"]
