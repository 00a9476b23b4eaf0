"""What SAM's transform refuses in an ``AWS::Serverless::Api`` or ``AWS::Serverless::HttpApi``.

``sam deploy`` stops before CloudFormation creates anything when SAM cannot expand a resource. The
messages quote SAM's own (aws-sam-translator), so a user recognises them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apilint.checks.values import is_unknown
from apilint.model import Api, is_intrinsic
from apilint.rules import Violation

SAM_API = "AWS::Serverless::Api"
SAM_HTTP_API = "AWS::Serverless::HttpApi"
# the properties SAM can only write into a definition it has inline
_INLINE_ONLY = {SAM_API: ("Cors", "Auth", "GatewayResponses", "Models"), SAM_HTTP_API: ("Cors", "Auth", "Tags")}
_GATEWAY_RESPONSE_PROPERTIES = ("ResponseParameters", "ResponseTemplates", "StatusCode")
_CORS_WILDCARD = "'*'"


def _sam_kind(api: Api) -> str | None:
    return api.resource_type if api.resource_type in (SAM_API, SAM_HTTP_API) else None


# --- AG601 ------------------------------------------------------------------------------------------


def sam_reference_unresolved(api: Api, run: Any) -> Iterator[Violation]:
    """SAM names that refer to nothing: a DefaultAuthorizer missing from Authorizers."""
    kind = _sam_kind(api)
    auth = api.properties.get("Auth")
    if kind is None or not isinstance(auth, dict) or is_intrinsic(auth):
        return
    default = auth.get("DefaultAuthorizer")
    authorizers = auth.get("Authorizers")
    if not isinstance(default, str) or is_unknown(authorizers) or default == "NONE":
        return
    names = set(authorizers) if isinstance(authorizers, dict) else set()
    if kind == SAM_API and not names:
        return  # SAM ignores a REST API's DefaultAuthorizer when it defines no authorizers
    if kind == SAM_API or auth.get("EnableIamAuthorizer") is True:
        names.add("AWS_IAM")  # SAM defines it itself
    if default not in names:
        yield Violation(api.property_at("Auth", "DefaultAuthorizer"),
                        f"SAM refuses the API: \"Unable to set DefaultAuthorizer because '{default}' was not "
                        "defined in 'Authorizers'.\"")


# --- AG602 ------------------------------------------------------------------------------------------


def sam_property_refused(api: Api, run: Any) -> Iterator[Violation]:
    """Properties of a SAM API that SAM's transform refuses."""
    kind = _sam_kind(api)
    if kind is None:
        return
    properties = api.properties
    inline = "DefinitionBody" in properties
    if inline and "DefinitionUri" in properties:
        yield Violation(api.property_at("DefinitionUri"),
                        "SAM refuses the API: \"Specify either 'DefinitionUri' or 'DefinitionBody' property and not "
                        "both.\"")
    elif "DefinitionUri" in properties:
        definition = "Swagger" if kind == SAM_API else "OpenApi"
        for key in _INLINE_ONLY[kind]:
            if properties.get(key) not in (None, {}, []):
                yield Violation(api.property_at(key),
                                f"SAM refuses the API: \"{key} works only with inline {definition} specified in "
                                "'DefinitionBody' property\"; SAM cannot add it to a definition read from "
                                "DefinitionUri")
    yield from _cors(api, properties.get("Cors"))
    if kind == SAM_API:
        yield from _gateway_responses(api, properties.get("GatewayResponses"))
    yield from _route53(api, properties.get("Domain"))
    if kind == SAM_HTTP_API:
        yield from _http_lambda_authorizers(api, properties.get("Auth"))


def _cors(api: Api, cors: Any) -> Iterator[Violation]:
    if not isinstance(cors, dict) or is_intrinsic(cors) or cors.get("AllowCredentials") is not True:
        return
    if api.resource_type == SAM_HTTP_API:
        return  # HttpApi Cors has AllowOrigins (a list); SAM checks its own rule there
    origin = cors.get("AllowOrigin", _CORS_WILDCARD)
    if origin == _CORS_WILDCARD:
        at = api.property_at("Cors", "AllowOrigin" if "AllowOrigin" in cors else "AllowCredentials")
        yield Violation(at, "SAM refuses the API: \"Unable to add Cors configuration because 'AllowCredentials' "
                            "can not be true when 'AllowOrigin' is \"'*'\" or not set\"; name the origin, quoted "
                            "(\"'https://www.example.com'\")")


def _gateway_responses(api: Api, responses: Any) -> Iterator[Violation]:
    if not isinstance(responses, dict) or is_intrinsic(responses):
        return
    for response_type, response in responses.items():
        if not isinstance(response, dict) or is_intrinsic(response):
            continue
        for key in response:
            if key not in _GATEWAY_RESPONSE_PROPERTIES:
                yield Violation(api.property_at("GatewayResponses", response_type, key),
                                f"SAM refuses the API: \"Invalid property '{key}' in 'GatewayResponses' property "
                                f"'{response_type}'.\" (it takes {', '.join(_GATEWAY_RESPONSE_PROPERTIES)})")
        status = response.get("StatusCode")
        if status is not None and not is_unknown(status) and not re.fullmatch(r"[0-9]{1,3}", str(status)):
            yield Violation(api.property_at("GatewayResponses", response_type, "StatusCode"),
                            f"SAM refuses the API: \"Property 'StatusCode' must be numeric\" ({status!r})")


def _route53(api: Api, domain: Any) -> Iterator[Violation]:
    route53 = domain.get("Route53") if isinstance(domain, dict) else None
    if not isinstance(route53, dict) or is_intrinsic(route53):
        return
    if "HostedZoneId" not in route53 and "HostedZoneName" not in route53:
        yield Violation(api.property_at("Domain", "Route53"),
                        "SAM refuses the API: \"HostedZoneId or HostedZoneName is required to enable Route53 "
                        "support on Custom Domains.\"")


def _http_lambda_authorizers(api: Api, auth: Any) -> Iterator[Violation]:
    authorizers = auth.get("Authorizers") if isinstance(auth, dict) else None
    if not isinstance(authorizers, dict) or is_intrinsic(authorizers):
        return
    for name, authorizer in authorizers.items():
        if not isinstance(authorizer, dict) or is_intrinsic(authorizer) or "JwtConfiguration" in authorizer:
            continue  # a JWT (OAuth2) authorizer, or unknown
        for key in ("FunctionArn", "AuthorizerPayloadFormatVersion"):
            if key not in authorizer:
                yield Violation(api.property_at("Auth", "Authorizers", name),
                                f"SAM refuses the API: \"{name} Lambda Authorizer must define '{key}'.\"")
                break  # SAM stops at the first one
