"""Mutual TLS on custom domains: where API Gateway offers it and with which TLS policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apilint.model import Api, EndpointType
from apilint.rules import Violation


def mutual_tls_requires_regional_domain(api: Api, run: Any) -> Iterator[Violation]:
    """Mutual TLS on an edge-optimized custom domain."""
    for domain in api.domains:
        if not domain.mutual_tls or domain.endpoint_type is not EndpointType.EDGE:
            continue
        at = domain.mutual_tls_at or domain.at
        yield Violation(at, f"custom domain {domain.name!s} is edge-optimized: mutual TLS needs a Regional custom "
                            "domain name")


def mutual_tls_requires_tls_1_2(api: Api, run: Any) -> Iterator[Violation]:
    """Mutual TLS on a custom domain whose security policy still allows TLS 1.0."""
    for domain in api.domains:
        if not domain.mutual_tls or domain.security_policy != "TLS_1_0":
            continue
        yield Violation(domain.security_policy_at or domain.at,
                        f"custom domain {domain.name!s} uses mutual TLS with security policy TLS_1_0; mutual TLS "
                        "needs a minimum TLS version of 1.2")
