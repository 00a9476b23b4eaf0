"""Custom domain checks: certificates and their regions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apilint.checks.values import certificate_region
from apilint.model import Api, EndpointType
from apilint.rules import Violation

DEPLOY_REGION = "${AWS::Region}"


def edge_certificate_region(api: Api, run: Any) -> Iterator[Violation]:
    """An edge-optimized custom domain whose certificate is not in us-east-1."""
    required = run.options["certificate_region"]
    for domain in api.domains:
        if domain.endpoint_type is not EndpointType.EDGE:
            continue
        region = certificate_region(domain.certificate_arn)
        if region == DEPLOY_REGION:
            if api.region is None or api.region == required:
                continue
            where = f"the deployment region {api.region}"
        elif region is None or region == required:
            continue
        else:
            where = region
        yield Violation(domain.certificate_at,
                        f"edge-optimized custom domain {domain.name!s} uses a certificate in {where}; "
                        f"edge-optimized domains need an ACM certificate in {required}")


def regional_certificate_region(api: Api, run: Any) -> Iterator[Violation]:
    """A Regional custom domain whose certificate is in another region than the API."""
    if api.region is None:
        return
    for domain in api.domains:
        if domain.endpoint_type is not EndpointType.REGIONAL:
            continue
        region = certificate_region(domain.certificate_arn)
        if region is None or region == DEPLOY_REGION or region == api.region:
            continue
        yield Violation(domain.certificate_at,
                        f"Regional custom domain {domain.name!s} uses a certificate in {region}, but the API is in "
                        f"{api.region}; Regional domains need the certificate in the API's region")
