"""Small helpers checks share for reading values: certificate regions, lower case.

Numbers, booleans and unknown values are read by :mod:`apilint.values` (re-exported here).
"""

from __future__ import annotations

import re
from typing import Any

from apilint.values import is_unknown, known_string, replace_placeholders

# Compiled when a certificate is read (by ``re``'s cache), not by every run that imports this module.
_ACM_ARN = r"^arn:[^:]+:acm:([^:]*):[^:]*:certificate/.+$"
_REGION_TOKEN = "@region@"


def certificate_region(arn: Any) -> str | None:
    """The region of an ACM certificate ARN as written (may be ``${AWS::Region}``); None if unknown."""
    text = known_string(arn)
    if text is None:
        return None
    # placeholders may hold colons (${AWS::AccountId}); the region one is kept as a marker
    text = text.replace("${AWS::Region}", _REGION_TOKEN)
    text = replace_placeholders(text, "x")
    match = re.match(_ACM_ARN, text)
    if match is None:
        return None
    region = match.group(1)
    if region == _REGION_TOKEN:
        return "${AWS::Region}"
    return region if re.fullmatch(r"[a-z]{2}(-[a-z]+)+-[0-9]+", region) else None


def lower(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else None


__all__ = ["certificate_region", "is_unknown", "known_string", "lower"]
