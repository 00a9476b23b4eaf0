"""Small helpers checks share for reading values that may be unknown."""

from __future__ import annotations

import re
from typing import Any

from apilint.model import has_placeholder, is_intrinsic, known_string

_ACM_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:acm:([^:]*):[^:]*:certificate/.+$")


def known_int(value: Any) -> int | None:
    """An integer value; None for intrinsics, placeholders and anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return None


def is_unknown(value: Any) -> bool:
    """Whether a value is decided later (an intrinsic function or a ``${...}`` placeholder)."""
    return is_intrinsic(value) or has_placeholder(value)


def certificate_region(arn: Any) -> str | None:
    """The region of an ACM certificate ARN as written (may be ``${AWS::Region}``); None if unknown."""
    text = known_string(arn)
    if text is None:
        return None
    match = _ACM_ARN.match(text)
    if match is None:
        return None
    return match.group(1)


def lower(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else None
