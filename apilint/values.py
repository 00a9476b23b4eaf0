"""One reader for values as templates and definitions write them.

A value may be decided later: a CloudFormation intrinsic function (``!Ref``, ``!Sub``, ...), a
``${...}`` placeholder (``!Sub``, Terraform ``templatefile``, stage variables). Such values are
*unknown*: a reader returns None for them and a check stays silent. Numbers and booleans are also
read when written as strings (``TimeoutInMillis: "45000"``, ``TracingEnabled: "true"``), because
CloudFormation converts them the same way when it deploys the template.
"""

from __future__ import annotations

import math
import re
from typing import Any

INTRINSIC_KEYS = frozenset(
    {
        "Ref", "Condition", "Fn::Sub", "Fn::GetAtt", "Fn::Join", "Fn::If", "Fn::Select", "Fn::Split",
        "Fn::FindInMap", "Fn::ImportValue", "Fn::Base64", "Fn::Cidr", "Fn::GetAZs", "Fn::And", "Fn::Or",
        "Fn::Not", "Fn::Equals", "Fn::Transform", "Fn::Length", "Fn::ToJsonString", "Fn::Unknown",
    }
)
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
#: ``!Ref AWS::NoValue``: the property is left out, as if it were not written.
NO_VALUE = {"Ref": "AWS::NoValue"}


def is_intrinsic(value: Any) -> bool:
    """Whether a value is a CloudFormation intrinsic function (an unknown value here)."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in INTRINSIC_KEYS


#: A ``${...}`` placeholder (``!Sub``, Terraform ``templatefile``, stage variables). Compiled on first
#: use by ``re``'s cache, not by every run that imports this module.
_PLACEHOLDER = r"\$\{[^}]*\}"


def replace_placeholders(text: str, fill: str) -> str:
    """``text`` with each ``${...}`` placeholder replaced by ``fill``."""
    return re.sub(_PLACEHOLDER, fill, text)


def has_placeholder(value: Any) -> bool:
    """Whether a string holds a ``${...}`` placeholder filled in later (templatefile, !Sub)."""
    return isinstance(value, str) and "${" in value


def is_unknown(value: Any) -> bool:
    """Whether a value is decided later (an intrinsic function or a ``${...}`` placeholder)."""
    return is_intrinsic(value) or has_placeholder(value)


def known_string(value: Any) -> str | None:
    """A string value, or the literal text of a ``!Sub`` without variables; None when unknown."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1 and "Fn::Sub" in value:
        inner = value["Fn::Sub"]
        if isinstance(inner, str):
            return inner
    return None


def sub_text(value: Any) -> str | None:
    """A string, or the template string of an ``Fn::Sub`` (both of its forms); None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1 and "Fn::Sub" in value:
        inner = value["Fn::Sub"]
        if isinstance(inner, list) and inner:
            inner = inner[0]
        return inner if isinstance(inner, str) else None
    return None


def whole_number(value: Any) -> int | None:
    """An integer, also written as a string of digits (``"300"``); None when unknown or not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value.strip())
    return None


def number(value: Any) -> float | None:
    """A number, also written as a string (``"0.5"``); None when unknown or not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and not has_placeholder(value):
        try:
            result = float(value.strip())
        except ValueError:
            return None
        return result if math.isfinite(result) else None
    return None


def flag(value: Any) -> bool | None:
    """A boolean, also written as ``"true"``/``"false"`` (any case); None when unknown or not a boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def text(value: Any) -> str | None:
    """A string without placeholders; None for anything decided later or not a string."""
    return value if isinstance(value, str) and "${" not in value else None


__all__ = ["INTRINSIC_KEYS", "flag", "has_placeholder", "is_intrinsic", "is_unknown", "known_string", "number",
           "sub_text", "text", "whole_number"]
