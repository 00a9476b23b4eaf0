"""What SAM's transform refuses in an ``AWS::Serverless::Api`` or ``AWS::Serverless::HttpApi``.

``sam deploy`` stops before CloudFormation creates anything when SAM cannot expand a resource. The
messages quote SAM's own (aws-sam-translator), so a user recognises them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apilint.checks.values import is_unknown
from apilint.model import Api, FunctionEvent, Pointer, is_intrinsic
from apilint.record import Frozen
from apilint.rules import Violation
from apilint.values import NO_VALUE

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
    """SAM names that refer to nothing: a DefaultAuthorizer missing from Authorizers; what function
    events name (an authorizer, a model, the API itself) and the API does not define."""
    yield from _default_authorizer(api)
    yield from _event_references(api)


def _default_authorizer(api: Api) -> Iterator[Violation]:
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


def _event_references(api: Api) -> Iterator[Violation]:
    """What the API's function events name and the API does not define: an authorizer, ``NONE``
    without a default authorizer, a request model; and events whose RestApiId/ApiId names no API."""
    yield from _stray_events(api.stray_events)
    if api.resource is None:
        return
    if _sam_kind(api) is None or not api.resource.events_merged:
        return  # SAM leaves an explicit definition to its author and reads nothing of the events
    auth = api.properties.get("Auth")
    auth = auth if isinstance(auth, dict) else {}
    if is_intrinsic(auth):
        return
    for event in api.resource.events:
        yield from _event_authorizer(api, event, auth)
        if event.kind == "Api":
            yield from _event_model(api, event)


def _refused(event: FunctionEvent) -> str:
    return f"SAM refuses the event {event.name} of {event.function}"


def _stray_events(events: list[FunctionEvent]) -> Iterator[Violation]:
    for event in events:
        key = "RestApiId" if event.kind == "Api" else "ApiId"
        wanted = "AWS::Serverless::Api" if event.kind == "Api" else "AWS::Serverless::HttpApi"
        owner = event.owner.value
        name = owner.get("Ref") if isinstance(owner, dict) and "Ref" in owner else owner
        elsewhere = "SAM adds routes only to an API of the same template (declare the route in the definition of " \
                    "an API deployed elsewhere)"
        if isinstance(name, dict):
            named = f"is {next(iter(name), 'an intrinsic function')}, which SAM cannot look up; {elsewhere}"
        elif event.owner_type is not None:
            named = f"names {name}, an {event.owner_type}: an HttpApi event adds routes to an HTTP API"
        else:
            named = f"names {name}, which is no resource of this template (a parameter, or nothing); {elsewhere}"
        assert event.owner.at is not None
        yield Violation(event.owner.at,
                        f"{_refused(event)}: \"{key} must be a valid reference to "
                        f"an '{wanted}' resource in same template.\" Its {key} {named}")


def _event_authorizer(api: Api, event: FunctionEvent, auth: dict[str, Any]) -> Iterator[Violation]:
    """The event's ``Auth.Authorizer`` as SAM resolves it against the API's ``Auth``."""
    event_auth = event.auth.value
    if not isinstance(event_auth, dict) or is_intrinsic(event_auth):
        return
    name = event_auth.get("Authorizer")
    at = event.setting("Auth", "Authorizer").where(event.auth.where(event.at))
    where = f"on API {event.route_text}"
    if name is None or name == "":
        if event.kind == "HttpApi" and not auth.get("DefaultAuthorizer"):
            yield Violation(at, f"{_refused(event)}: \"'Auth' section requires either an explicit 'Authorizer' "
                                "set or a 'DefaultAuthorizer' configured on the HttpApi.\"")
        return
    if not isinstance(name, str):
        return  # an intrinsic function: SAM refuses it too, but a resolved parameter is not ruled out here
    if name == "NONE":
        if not auth.get("DefaultAuthorizer"):
            yield Violation(at, f"{_refused(event)}: \"Unable to set Authorizer {where} because 'NONE' is only a "
                                "valid value when a DefaultAuthorizer on the API is specified.\"")
        return
    if name == "AWS_IAM" and (event.kind == "Api" or auth.get("EnableIamAuthorizer") is True):
        return  # SAM's own IAM authorizer
    authorizers = auth.get("Authorizers")
    if is_unknown(authorizers):
        return
    if not authorizers:
        yield Violation(at, f"{_refused(event)}: \"Unable to set Authorizer [{name}] {where} because the "
                            f"related API does not define any Authorizers.\" ({_api_name(api)} has no Auth.Authorizers)")
    elif isinstance(authorizers, dict) and not authorizers.get(name):
        defined = ", ".join(sorted(str(key) for key in authorizers))
        yield Violation(at, f"{_refused(event)}: \"Unable to set Authorizer [{name}] {where} because it wasn't "
                            f"defined in the API's Authorizers.\" ({_api_name(api)} defines {defined})")


def _event_model(api: Api, event: FunctionEvent) -> Iterator[Violation]:
    """The event's ``RequestModel.Model`` as SAM resolves it against the API's ``Models``."""
    model = event.setting("RequestModel", "Model")
    name, models = model.value, api.properties.get("Models")
    if not isinstance(name, str) or not name or is_unknown(models) or model.at is None:
        return
    if not models:
        yield Violation(model.at, f"{_refused(event)}: \"Unable to set RequestModel [{name}] on API "
                                  f"{event.route_text} because the related API does not define any Models.\" "
                                  f"({_api_name(api)} has no Models)")
    elif isinstance(models, dict) and not models.get(name):
        defined = ", ".join(sorted(str(key) for key in models))
        yield Violation(model.at, f"{_refused(event)}: \"Unable to set RequestModel [{name}] on API "
                                  f"{event.route_text} because it wasn't defined in the API's Models.\" "
                                  f"({_api_name(api)} defines {defined})")


def _api_name(api: Api) -> str:
    return f"the API {api.logical_id}"


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
    yield from _property_shapes(api, kind)
    yield from _authorizers(api, kind)
    yield from _read_by_sam(api, kind)
    yield from _cors(api, properties.get("Cors"))
    if kind == SAM_API:
        yield from _gateway_responses(api, properties.get("GatewayResponses"))
        yield from _open_api_version(api)
    yield from _domain(api, kind, properties.get("Domain"))
    yield from _malformed_ifs(api)
    if kind == SAM_HTTP_API:
        yield from _http_lambda_authorizers(api, properties.get("Auth"))
    else:
        yield from _missing_stage_name(api)
        yield from _empty_stage_name(api)
        yield from _disable_execute_api_endpoint(api)


def _disable_execute_api_endpoint(api: Api) -> Iterator[Violation]:
    """``DisableExecuteApiEndpoint`` of a REST API, which SAM writes into the definition: it needs
    one SAM can edit, inline."""
    setting = api.setting("DisableExecuteApiEndpoint")
    if setting.value is None or setting.at is None:
        return
    properties = api.properties
    body = properties.get("DefinitionBody")
    if "DefinitionUri" in properties and body is None:
        yield Violation(setting.at, "SAM refuses the API: \"DisableExecuteApiEndpoint works only within "
                                    "'DefinitionBody' property.\"; SAM writes it into the definition, which it "
                                    "cannot do to one read from DefinitionUri")
    elif isinstance(body, dict) and is_intrinsic(body) and "Fn::Transform" not in body and not _chooses_definition(body):
        yield Violation(api.property_at("DefinitionBody"),
                        "SAM refuses the API: \"Invalid Swagger document or the Swagger document is not explicitly "
                        "defined in 'DefinitionBody'.\" (DisableExecuteApiEndpoint makes SAM write into the "
                        f"definition, which {next(iter(body))} hides from it)")


def _chooses_definition(body: dict[str, Any]) -> bool:
    """Whether an ``Fn::If`` body chooses between definitions written inline (not judged here: SAM's
    refusal was seen for a body that holds none, as in its own error input)."""
    branches = body.get("Fn::If")
    return isinstance(branches, list) and any(
        isinstance(branch, dict) and ("swagger" in branch or "openapi" in branch) for branch in branches)


def _missing_stage_name(api: Api) -> Iterator[Violation]:
    """An ``AWS::Serverless::Api`` without ``StageName``, its own or in ``Globals`` (SAM creates the
    stage from it; only the implicit API has a default, ``Prod``)."""
    if api.resource is None or api.resource.implicit or api.setting("StageName").written:
        return
    yield Violation(api.resource.resource.at, "SAM refuses the API: \"Missing required property 'StageName'.\"; "
                                              "name the stage (StageName: prod), here or under Globals: Api")


def _empty_stage_name(api: Api) -> Iterator[Violation]:
    """An empty ``StageName`` on a REST API that function events name (SAM reads it for their
    permissions; the implicit API's stage is always ``Prod``)."""
    stage = api.setting("StageName")
    if api.resource is None or api.resource.implicit or stage.value != "" or stage.at is None:
        return
    named_by = [event for event in api.resource.events if event.owner.written]
    if named_by:
        yield Violation(stage.at, f"SAM refuses the API: \"StageName cannot be empty.\" (event {named_by[0].name} of "
                                  f"{named_by[0].function} names it)")


def _cors(api: Api, cors: Any) -> Iterator[Violation]:
    if not isinstance(cors, dict) or is_intrinsic(cors):
        return
    if (api.resource_type == SAM_API and "AllowOrigin" in cors and cors["AllowOrigin"] in ("", None)
            and "DefinitionUri" not in api.properties):
        yield Violation(api.property_at("Cors", "AllowOrigin"),
                        "SAM refuses the API: \"Invalid input. Value for AllowedOrigins is required\"; name the "
                        "origin, quoted (\"'https://www.example.com'\"), or \"'*'\" for any")
    if cors.get("AllowCredentials") is not True:
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


class _Shape(Frozen):
    """A property SAM reads as a value of one type: where, which type, and SAM's words when it is not.
    ``truthy``: SAM looks at the value only when it is not empty/false."""

    kinds: tuple[str, ...]
    path: tuple[str, ...]
    expected: type | tuple[type, ...]
    message: str
    truthy: bool

    def __init__(self, kinds: tuple[str, ...], path: tuple[str, ...], expected: type | tuple[type, ...],
                 message: str, truthy: bool = False) -> None:
        object.__setattr__(self, "kinds", kinds)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "expected", expected)
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "truthy", truthy)


_BOTH = (SAM_API, SAM_HTTP_API)
#: The property types SAM checks (its type validators, aws-sam-translator), in the order it reads them.
_SHAPES = (
    _Shape((SAM_API,), ("DefinitionBody",), dict, "Property 'DefinitionBody' should be a map."),
    _Shape((SAM_API,), ("OpenApiVersion",), str, "Property 'OpenApiVersion' should be a string."),
    _Shape(_BOTH, ("DisableExecuteApiEndpoint",), bool, "Type of property 'DisableExecuteApiEndpoint' is invalid."),
    _Shape((SAM_API,), ("Domain", "MutualTlsAuthentication"), dict,
           "Property 'Domain.MutualTlsAuthentication' should be a map.", truthy=True),
    _Shape((SAM_HTTP_API,), ("Domain", "MutualTlsAuthentication"), dict,
           "MutualTlsAuthentication must be a map with at least one of the following fields ['TruststoreUri', "
           "'TruststoreVersion'].", truthy=True),
    _Shape(_BOTH, ("Domain", "Route53"), dict, "Property 'Domain.Route53' should be a map."),
    _Shape((SAM_API,), ("Domain", "Route53", "SeparateRecordSetGroup"), bool,
           "Property 'Domain.Route53.SeparateRecordSetGroup' should be a boolean.", truthy=True),
    _Shape((SAM_API,), ("Domain", "AccessAssociation"), dict, "Property 'Domain.AccessAssociation' should be a map."),
    _Shape(_BOTH, ("Auth",), dict, "Property 'Auth' should be a map."),
    _Shape(_BOTH, ("Auth", "Authorizers"), dict, "Property 'Auth.Authorizers' should be a map."),
)
_TYPE_NAMES = {dict: "a map", list: "a list", str: "a string", bool: "a boolean", int: "a number",
               float: "a number", type(None): "null"}


def _property_shapes(api: Api, kind: str) -> Iterator[Violation]:
    """Properties whose value is of a type SAM refuses; an intrinsic function is an unknown value."""
    for shape in _SHAPES:
        if kind not in shape.kinds:
            continue
        found, value = _known_at(api.properties, shape.path)
        if not found or value is None or is_unknown(value) or (shape.truthy and not value):
            continue
        if not isinstance(value, shape.expected):
            yield Violation(api.property_at(*shape.path),
                            f"SAM refuses the API: \"{shape.message}\" (it is {_type_name(value)})")
        elif shape.expected is str and _number_as_written(api.property_at(*shape.path)):
            yield Violation(api.property_at(*shape.path),
                            f"SAM refuses the API: \"{shape.message}\" (it is a number as written: {value}; "
                            f"quote it, '{value}')")


#: A YAML plain scalar that SAM's YAML reader takes for a number.
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def _number_as_written(at: Pointer) -> bool:
    """Whether the value at ``at`` is written as a bare number (``OpenApiVersion: 3.0``). apilint
    reads a number under a key that names a version as the text written, as API Gateway reads a
    definition's versions; SAM reads the template's own properties as YAML types."""
    source = at.source
    span = source.locate(at.path)
    start, end = source.offset(span.line, span.column), source.offset(span.end_line, span.end_column)
    if start is None or end is None:
        return False
    _key, colon, value = source.text[start:end].partition(":")
    return bool(colon) and _PLAIN_NUMBER.fullmatch(value.split(" #")[0].strip()) is not None


def _type_name(value: Any) -> str:
    """How a value's type reads in a message: "a map", "a string", "null"."""
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _authorizers(api: Api, kind: str) -> Iterator[Violation]:
    """``Auth.Authorizers`` entries as SAM reads each: a map (an empty entry is null to SAM; SAM stops
    at the first that is not), a REST ``FunctionPayloadType`` of TOKEN or REQUEST, no HTTP
    ``OpenIdConnectUrl``; and an HTTP API's ``Auth.DefaultAuthorizer``, a name SAM looks up before
    any parameter is filled in."""
    found, authorizers = _known_at(api.properties, ("Auth", "Authorizers"))
    if found and isinstance(authorizers, dict) and not is_intrinsic(authorizers):
        not_a_map_said = False
        for name, authorizer in authorizers.items():
            if not isinstance(authorizer, dict):
                if not not_a_map_said:
                    yield Violation(api.property_at("Auth", "Authorizers", name),
                                    f"SAM refuses the API: \"Property 'Auth.Authorizers.{name}' should be a map.\" "
                                    f"(it is {_type_name(authorizer)})")
                    not_a_map_said = True
                continue
            payload = authorizer.get("FunctionPayloadType")
            if kind == SAM_API and isinstance(payload, str) and payload not in ("TOKEN", "REQUEST"):
                yield Violation(api.property_at("Auth", "Authorizers", name, "FunctionPayloadType"),
                                f"SAM refuses the API: \"{name} Authorizer has invalid 'FunctionPayloadType': "
                                f"{payload}.\" (TOKEN or REQUEST)")
            if kind == SAM_HTTP_API and "OpenIdConnectUrl" in authorizer:
                yield Violation(api.property_at("Auth", "Authorizers", name, "OpenIdConnectUrl"),
                                f"SAM refuses the API: \"'OpenIdConnectUrl' is no longer a supported property for "
                                f"authorizer '{name}'. Please refer to the AWS SAM documentation.\" (the issuer goes "
                                "in JwtConfiguration)")
    found, default = _known_at(api.properties, ("Auth", "DefaultAuthorizer"))
    if kind != SAM_HTTP_API or not found or default is None or isinstance(default, str) or default == NO_VALUE:
        return
    why = (f"SAM reads the name before any parameter is filled in; {next(iter(default))} is not one"
           if is_intrinsic(default) else f"it is {_type_name(default)}")
    yield Violation(api.property_at("Auth", "DefaultAuthorizer"),
                    f"SAM refuses the API: \"Property 'Auth.DefaultAuthorizer' should be a string.\" ({why})")


#: A URL of any scheme: SAM takes ``s3://`` ones only (a local path is uploaded by ``sam deploy`` first).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _read_by_sam(api: Api, kind: str) -> Iterator[Violation]:
    """Values of a REST API that SAM reads itself while it writes the API (its api_generator),
    refused with SAM's messages."""
    if kind != SAM_API:
        return
    properties = api.properties
    domain = properties.get("Domain")
    if domain is not None and domain != NO_VALUE and not (isinstance(domain, dict) and not is_intrinsic(domain)):
        written = next(iter(domain)) if is_intrinsic(domain) else _type_name(domain)
        yield Violation(api.property_at("Domain"), "SAM refuses the API: \"Property 'Domain' should be a map.\" "
                                                   f"(SAM reads its keys itself; it is {written})")
    uri = properties.get("DefinitionUri")
    if isinstance(uri, str) and _URL.match(uri) and not uri.startswith("s3://"):
        yield Violation(api.property_at("DefinitionUri"),
                        "SAM refuses the API: \"'DefinitionUri' is not a valid S3 Uri of the form 's3://bucket/key' "
                        "with optional versionId query parameter.\"")
    elif isinstance(uri, dict) and not is_intrinsic(uri) and not (uri.get("Bucket") and uri.get("Key")):
        yield Violation(api.property_at("DefinitionUri"),
                        "SAM refuses the API: \"'DefinitionUri' requires Bucket and Key properties to be specified.\"")


def _known_at(properties: dict[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    """The value at ``path`` when every map on the way is written out (not an intrinsic function)."""
    node: Any = properties
    for key in path:
        if not isinstance(node, dict) or is_intrinsic(node) or key not in node:
            return False, None
        node = node[key]
    return True, node


#: SAM's OpenApiVersion pattern (SwaggerEditor.get_openapi_versions_supported_regex), matched from the start
_OPEN_API_VERSION = re.compile(r"[2-3](\.\d)(\.\d)?$")


def _open_api_version(api: Api) -> Iterator[Violation]:
    version = api.properties.get("OpenApiVersion")
    if not isinstance(version, str) or _number_as_written(api.property_at("OpenApiVersion")):
        return  # a number: SAM refuses its type first (_property_shapes)
    if version and not is_unknown(version) and not _OPEN_API_VERSION.match(version):
        yield Violation(api.property_at("OpenApiVersion"),
                        "SAM refuses the API: \"The OpenApiVersion value must be of the format '3.0.0'.\" "
                        f"({version!r}; SAM takes 2.x, 2.x.y, 3.x or 3.x.y)")


_DOMAIN_ENDPOINTS = {SAM_API: ["EDGE", "REGIONAL", "PRIVATE"], SAM_HTTP_API: ["REGIONAL"]}
_MTLS_FIELDS = ("TruststoreUri", "TruststoreVersion")


def _domain(api: Api, kind: str, domain: Any) -> Iterator[Violation]:
    """``Domain`` as SAM reads it to create the custom domain, its mappings and its records."""
    if not isinstance(domain, dict) or is_intrinsic(domain):
        return
    missing = [key for key in ("DomainName", "CertificateArn") if domain.get(key) is None]
    if missing and kind == SAM_API:
        yield Violation(api.property_at("Domain", missing[0]) if missing[0] in domain else api.property_at("Domain"),
                        f"SAM refuses the API: \"Property 'Domain.{missing[0]}' is required.\"")
    elif missing:
        yield Violation(api.property_at("Domain", missing[0]) if missing[0] in domain else api.property_at("Domain"),
                        "SAM refuses the API: \"Custom Domains only works if both DomainName and CertificateArn are "
                        f"provided.\" (it has no {missing[0]})")
    endpoint = domain.get("EndpointConfiguration")
    if endpoint is not None and not is_unknown(endpoint) and endpoint not in _DOMAIN_ENDPOINTS[kind]:
        yield Violation(api.property_at("Domain", "EndpointConfiguration"),
                        "SAM refuses the API: \"EndpointConfiguration for Custom Domains must be one of "
                        f"{_DOMAIN_ENDPOINTS[kind]}.\" ({endpoint!r})")
    mtls = domain.get("MutualTlsAuthentication")
    if isinstance(mtls, dict) and not is_intrinsic(mtls) and any(key not in _MTLS_FIELDS for key in mtls):
        unknown = sorted(str(key) for key in mtls if key not in _MTLS_FIELDS)
        prefix = "Domain." if kind == SAM_API else ""
        yield Violation(api.property_at("Domain", "MutualTlsAuthentication", unknown[0]),
                        f"SAM refuses the API: \"Available {prefix}MutualTlsAuthentication fields are "
                        f"{list(_MTLS_FIELDS)}.\" ({', '.join(unknown)} is not one)")
    yield from _base_paths(api, kind, domain.get("BasePath"))
    yield from _route53(api, domain.get("Route53"))


#: What an HTTP API base path may hold, as SAM checks it ("Invalid Basepath name provided.").
_HTTP_BASE_PATH_REFUSED = re.compile(r"[^0-9a-zA-Z/_-]")


def _base_paths(api: Api, kind: str, base_paths: Any) -> Iterator[Violation]:
    if not base_paths or not isinstance(base_paths, list):
        return
    for index, path in enumerate(base_paths):
        at = api.property_at("Domain", "BasePath", index)
        if isinstance(path, str):
            if kind == SAM_HTTP_API and _HTTP_BASE_PATH_REFUSED.search(path):
                yield Violation(at, f"SAM refuses the API: \"Invalid Basepath name provided.\" ({path!r}: a base "
                                    "path of an HTTP API holds only letters, digits, /, - and _)")
                return
            continue
        if is_intrinsic(path):
            if kind == SAM_HTTP_API and not _resolved_by_sam(path, _parameters(api)):
                yield Violation(at, "SAM refuses the API: \"Basepath must be a string.\" (SAM fills in template "
                                    "parameters here, nothing else; write the path, or a Ref or Sub of a parameter)")
                return
            continue  # SAM resolves parameters in Domain: a value decided at deployment
        message = f"Property 'Domain.BasePath[{index}]' should be a string." if kind == SAM_API else \
            "Basepath must be a string."
        yield Violation(at, f"SAM refuses the API: \"{message}\" ({path!r}; quote it)")
        return  # SAM stops at the first one


def _parameters(api: Api) -> set[str]:
    """The names of the template's parameters."""
    if api.resource is None:
        return set()
    parameters = api.resource.resource.at.source.data.get("Parameters")
    return {str(name) for name in parameters} if isinstance(parameters, dict) else set()


def _resolved_by_sam(value: Any, parameters: set[str]) -> bool:
    """Whether SAM's transform turns a ``Ref`` or ``Fn::Sub`` into text: every name it uses is a
    parameter or a pseudo parameter (``AWS::Region``), or a variable the ``Sub`` defines."""
    name, inner = next(iter(value.items()))
    if name == "Ref":
        return isinstance(inner, str) and (inner in parameters or inner.startswith("AWS::"))
    if name != "Fn::Sub":
        return False
    text, variables = (inner[0], inner[1]) if isinstance(inner, list) and len(inner) == 2 else (inner, {})
    if not isinstance(text, str) or not isinstance(variables, dict):
        return False
    used = re.findall(r"\$\{([^}!]+)\}", text)
    return all(n in parameters or n in variables or n.startswith("AWS::") for n in used)


def _route53(api: Api, route53: Any) -> Iterator[Violation]:
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
        if not isinstance(authorizer, dict) or is_intrinsic(authorizer):
            continue
        # SAM stops at the first refusal of an authorizer: one finding each
        refusal = _http_authorizer_field(authorizer)
        if refusal is not None:
            yield Violation(api.property_at("Auth", "Authorizers", name, refusal[0]),
                            f"SAM refuses the API: \"{refusal[1]}\" (authorizer {name})")
            continue
        if "JwtConfiguration" in authorizer:
            continue  # a JWT (OAuth2) authorizer
        for key in ("FunctionArn", "AuthorizerPayloadFormatVersion"):
            if key not in authorizer:
                yield Violation(api.property_at("Auth", "Authorizers", name),
                                f"SAM refuses the API: \"{name} Lambda Authorizer must define '{key}'.\"")
                break


def _http_authorizer_field(authorizer: dict[str, Any]) -> tuple[str, str] | None:
    """The first field of an HTTP API authorizer SAM refuses for its kind (JWT when it has a
    JwtConfiguration, else Lambda): the key, and SAM's words."""
    jwt = bool(authorizer.get("JwtConfiguration"))
    scopes = authorizer.get("AuthorizationScopes")
    if scopes is not None and not is_unknown(scopes) and not isinstance(scopes, list):
        return "AuthorizationScopes", "AuthorizationScopes must be a list."
    if scopes is not None and not jwt:
        return "AuthorizationScopes", "AuthorizationScopes must be defined only for OAuth2 Authorizer."
    if authorizer.get("IdentitySource") is not None and not jwt:
        return "IdentitySource", "IdentitySource must be defined only for OAuth2 Authorizer."
    return None


def _malformed_ifs(api: Api) -> Iterator[Violation]:
    """``Fn::If`` whose value is not a list in an inline definition (SAM reads the branches of each it
    meets; CloudFormation takes only ``[condition, value if true, value if false]``)."""
    if api.document is None or api.doc_at is None or api.doc_at.path[-1:] != ("DefinitionBody",):
        return
    stack: list[tuple[Any, tuple[Any, ...]]] = [(api.document, ())]
    while stack:
        node, steps = stack.pop()
        if isinstance(node, dict):
            if len(node) == 1 and "Fn::If" in node and not isinstance(node["Fn::If"], list):
                yield Violation(api.doc_at.child(*steps, "Fn::If"), "SAM refuses the API: \"Value of Fn::If must "
                                "be a list.\" (Fn::If takes [condition, value if true, value if false])")
                continue
            stack.extend((value, (*steps, key)) for key, value in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((value, (*steps, index)) for index, value in reversed(list(enumerate(node))))


# --- AG604 ------------------------------------------------------------------------------------------

#: What SAM reads a RequestParameters entry as: the name's prefix, and the keys of its settings.
_REQUEST_PARAMETER = re.compile(r"method\.request\.(querystring|path|header)\.")
_REQUEST_PARAMETER_KEYS = ("Required", "Caching")


def sam_event_refused(api: Api, run: Any) -> Iterator[Violation]:
    """Function events SAM cannot add to the definition it writes: a route two events add, malformed
    RequestParameters, ApiKeyRequired false on an API that requires no keys."""
    if api.resource is None or _sam_kind(api) is None:
        return
    if api.resource.definition_generated:
        yield from _duplicate_routes(api.resource.events)
    for event in api.resource.events:
        if event.kind == "Api":
            yield from _override_api_auth(event)  # SAM checks it whoever writes the definition
    if not api.resource.events_merged:
        return
    auth = api.properties.get("Auth")
    for event in api.resource.events:
        yield from _event_scopes(event)
        if event.kind != "Api":
            continue
        yield from _request_parameters(event)
        yield from _request_validators(api, event)
        required = event.setting("Auth", "ApiKeyRequired")
        api_required = auth.get("ApiKeyRequired") if isinstance(auth, dict) else None
        if required.value is False and required.at is not None and not api_required and not is_unknown(auth):
            yield Violation(required.at, f"{_refused(event)}: \"Unable to set ApiKeyRequired [False] on API "
                                         f"{event.route_text} because the related API does not specify any "
                                         "ApiKeyRequired.\" (leave it out: the route requires no key already)")


def _event_scopes(event: FunctionEvent) -> Iterator[Violation]:
    """``Auth.AuthorizationScopes`` that SAM cannot write into the operation's security: not a list."""
    scopes = event.setting("Auth", "AuthorizationScopes")
    if not scopes.value or scopes.at is None or is_unknown(scopes.value) or isinstance(scopes.value, list):
        return
    yield Violation(scopes.at, f"{_refused(event)}: \"Unable to set Authorizer on API {event.route_text} because "
                               f"'AuthorizationScopes' must be a list of strings.\" ({scopes.value!r}; write it as "
                               "[...] or a list of lines)")


def _request_validators(api: Api, event: FunctionEvent) -> Iterator[Violation]:
    """``RequestModel.ValidateBody`` and ``ValidateParameters``: SAM takes only booleans (not text, not
    an intrinsic function), once it has found the model in the API's ``Models``."""
    name = event.setting("RequestModel", "Model").value
    models = api.properties.get("Models")
    if not isinstance(name, str) or not isinstance(models, dict) or is_intrinsic(models) or not models.get(name):
        return  # no model, or one AG601 reports
    for key in ("ValidateBody", "ValidateParameters"):
        setting = event.setting("RequestModel", key)
        if setting.at is not None and setting.value is not None and not isinstance(setting.value, bool):
            yield Violation(setting.at, f"{_refused(event)}: \"Unable to set Validator to RequestModel [{name}] on "
                                        f"API {event.route_text} ValidateBody and ValidateParameters must be a "
                                        "boolean type, strings or intrinsics are not supported.\" "
                                        f"({key} is {setting.value!r})")
            return  # SAM stops at the first


def _override_api_auth(event: FunctionEvent) -> Iterator[Violation]:
    """``Auth.OverrideApiAuth: true`` with nothing to override the API's Auth with."""
    override = event.setting("Auth", "OverrideApiAuth")
    auth = event.auth.value
    if override.value is not True or override.at is None or not isinstance(auth, dict):
        return
    if not any(key in auth for key in ("Authorizer", "ApiKeyRequired", "ResourcePolicy")):
        yield Violation(override.at, f"{_refused(event)}: \"Must define one of: Authorizer, ApiKeyRequired or "
                                     "ResourcePolicy when using the OverrideApiAuth property.\"")


def _duplicate_routes(events: list[FunctionEvent]) -> Iterator[Violation]:
    first: dict[tuple[str, str], FunctionEvent] = {}
    for event in events:
        route = event.route()
        if route is None:
            continue
        if route not in first:
            first[route] = event
            continue
        earlier = first[route]
        method, path = str(event.method.value or route[1]).lower(), route[0]
        quote = '"' if event.kind == "Api" else "'"
        yield Violation(event.path.where(event.at),
                        f"{_refused(event)}: \"API method {quote}{method}{quote} defined multiple times for path "
                        f"{quote}{path}{quote}.\" (event {earlier.name} of {earlier.function} adds the same route)")


def _request_parameters(event: FunctionEvent) -> Iterator[Violation]:
    parameters = event.setting("RequestParameters")
    if not isinstance(parameters.value, list) or parameters.at is None:
        return
    prefix = "Invalid value for 'RequestParameters' property."
    for index, parameter in enumerate(parameters.value):
        at: Pointer = parameters.at.child(index)
        if is_intrinsic(parameter):
            continue
        if isinstance(parameter, dict) and parameter:
            name, settings = next(iter(parameter.items()))
            if not isinstance(name, str) or not _REQUEST_PARAMETER.match(name):
                yield Violation(at.child(name), _parameter_name_refused(event, prefix, name))
            elif not isinstance(settings, dict) or any(key not in _REQUEST_PARAMETER_KEYS for key in settings):
                yield Violation(at.child(name), f"{_refused(event)}: \"{prefix} Values must be an object, e.g "
                                                "{ Required: true, Caching: false }\" (Required and Caching are "
                                                "its only keys)")
        elif isinstance(parameter, str):
            if not _REQUEST_PARAMETER.match(parameter):
                yield Violation(at, _parameter_name_refused(event, prefix, parameter))
        else:
            yield Violation(at, f"{_refused(event)}: \"{prefix} Property must be either a string or an object\"")


def _parameter_name_refused(event: FunctionEvent, prefix: str, name: Any) -> str:
    return (f"{_refused(event)}: \"{prefix} Keys must be in the format "
            "'method.request.[querystring|path|header].{value}', e.g 'method.request.header.Authorization'.\" "
            f"({name!r} is not)")


# --- AG605 ------------------------------------------------------------------------------------------


def definition_file_missing(api: Api, run: Any) -> Iterator[Violation]:
    """A local definition file the template or module names that does not exist."""
    if api.missing_definition is None:
        return
    location, at = api.missing_definition
    key = at.path[-1] if at.path else ""
    if key == "body":
        yield Violation(at, f"the body is read from {location}, which does not exist: `terraform plan` stops "
                            "(file() and templatefile() read it when the configuration is evaluated); correct the "
                            "path (relative to the module) or add the file")
    elif key == "Location":
        yield Violation(at, f"the AWS::Include Location {location} does not exist: `sam deploy` and `aws "
                            "cloudformation package` stop before anything is deployed; correct the path (relative "
                            "to the template) or add the file")
    else:
        resource = api.resource.resource.name if api.resource is not None else "..."
        yield Violation(at, f"{key} names {location}, which does not exist: `sam deploy` and `aws cloudformation "
                            f"package` stop (\"Parameter {key} of resource {resource} refers to a file or folder "
                            "that does not exist\"); correct the path (relative to the template) or add the file")
