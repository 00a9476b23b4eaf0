"""Checks that the extensions say something API Gateway can carry out.

Integrations are read the same way whether an OpenAPI definition or a template declares them:
:meth:`Api.all_integrations` gives one view over ``x-amazon-apigateway-integration`` objects (those under
``components.x-amazon-apigateway-integrations`` included), ``Integration`` of
``AWS::ApiGateway::Method`` resources and ``AWS::ApiGatewayV2::Integration`` resources.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apilint.checks.values import is_unknown
from apilint.finding import Severity
from apilint.fix import Fix
from apilint.model import (
    INTEGRATION,
    Api,
    ApiType,
    IntegrationView,
    Operation,
    Pointer,
    has_placeholder,
)
from apilint.rules import Violation
from apilint.values import replace_placeholders

INTEGRATIONS = "x-amazon-apigateway-integrations"
REQUEST_VALIDATOR = "x-amazon-apigateway-request-validator"
REQUEST_VALIDATORS = "x-amazon-apigateway-request-validators"

# --- shapes of URIs -----------------------------------------------------------------------------------

_LAMBDA_INVOCATION = re.compile(r"^arn:[^:]+:apigateway:[^:]+:lambda:path/")
_LAMBDA_INVOCATION_FORMS = (
    re.compile(r"^arn:[^:]+:apigateway:[^:]+:lambda:path/2015-03-31/functions/.+/invocations$"),
    re.compile(r"^arn:[^:]+:apigateway:[^:]+:lambda:path/2021-11-15/functions/.+/response-streaming-invocations$"),
)
_STREAMING_INVOCATION = re.compile(r"/response-streaming-invocations$")
_LAMBDA_FUNCTION = re.compile(r"^arn:[^:]+:lambda:[^:]+:[^:]+:function:[^:/]+(:[^:/]+)?$")
_AWS_SERVICE = re.compile(r"^arn:[^:]+:apigateway:[^:]+:(?P<service>[^:/]+):(path|action)/.+$")
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<host>[^/:?#]+)(:(?P<port>[^/?#]*))?([/?#].*)?$")
_VPC_LINK_TARGET = re.compile(r"^arn:[^:]+:(elasticloadbalancing|servicediscovery):")
_ARN_HEAD = re.compile(r"^arn:(?P<partition>[^:]*):apigateway:(?P<region>[^:]*):")
# AWS partitions (botocore endpoints data); placeholders are replaced by X before matching
_PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f",
                         "aws-eusc"})
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
# the only services an AWS_PROXY integration of a REST API can call
_PROXY_SERVICES = frozenset({"lambda", "firehose"})


def _shape(text: str) -> str:
    """The text with each placeholder replaced by a neutral token (no colon, no slash)."""
    return replace_placeholders(text, "X")


def uri_shape(view: IntegrationView) -> str | None:
    """The integration URI with placeholders neutralized; None when nothing of its shape is known."""
    text = view.text("uri")
    if text is None or not text.strip() or text.startswith("${"):
        return None
    return _shape(text.strip())


def is_lambda(view: IntegrationView, api: Api) -> bool:
    """Whether the integration invokes a Lambda function."""
    kind = view.type
    if kind in ("mock", "http", "http_proxy"):
        return False
    shape = uri_shape(view)
    if shape is not None and (_LAMBDA_INVOCATION.match(shape) or _LAMBDA_FUNCTION.match(shape)):
        return True
    # an HTTP API AWS_PROXY integration without a subtype can only be a Lambda proxy integration
    return (kind == "aws_proxy" and api.api_type is ApiType.HTTP and not view.has("subtype")
            and view.form != "method")


def _upper(value: Any) -> str | None:
    return value.upper() if isinstance(value, str) and not has_placeholder(value) else None


# --- AG404 ------------------------------------------------------------------------------------------


def lambda_method_not_post(api: Api, run: Any) -> Iterator[Violation]:
    """Lambda integrations that call the function with another HTTP method than POST."""
    for view in api.all_integrations():
        method = _upper(view.get("method"))
        if method is None or method == "POST" or not is_lambda(view, api):
            continue
        written = view.get("method")
        at = view.pointer("method")
        yield Violation(at, f"{view.label} invokes a Lambda function with {view.key('method')} {method}; Lambda "
                            "functions are invoked with POST, whatever the method of the request",
                        fix=Fix.replace_value(at, written, "POST") if isinstance(written, str) else None)


# --- AG405 ------------------------------------------------------------------------------------------


def request_validator_undefined(api: Api, run: Any) -> Iterator[Violation]:
    """Request validators named at the root or on an operation but not declared."""
    document, at = api.root()
    declared = document.get(REQUEST_VALIDATORS)
    if is_unknown(declared):
        return
    names = set(declared) if isinstance(declared, dict) else set()
    uses: list[tuple[Any, Pointer, str]] = []
    if REQUEST_VALIDATOR in document:
        uses.append((document[REQUEST_VALIDATOR], at.child(REQUEST_VALIDATOR), "the API's default validator"))
    for operation in api.operations():
        if REQUEST_VALIDATOR in operation.data:
            uses.append((operation.data[REQUEST_VALIDATOR], operation.at.child(REQUEST_VALIDATOR),
                         operation.label))
    for name, where, who in uses:
        if not isinstance(name, str) or has_placeholder(name) or name in names:
            continue
        if names:
            known = ", ".join(sorted(map(str, names)))
            detail = f"{REQUEST_VALIDATORS} declares only {known}"
        else:
            detail = f"the definition has no {REQUEST_VALIDATORS}"
        yield Violation(where, f"request validator {name!r} ({who}) is not declared: {detail}")


# --- AG406 ------------------------------------------------------------------------------------------


def missing_integration(api: Api, run: Any) -> Iterator[Violation]:
    """REST operations without an integration in a definition whose other operations have one."""
    if api.resource_type == "AWS::Serverless::Api":
        return  # SAM adds integrations to the definition from the functions' Api events
    operations = list(api.operations())
    with_integration = [op for op in operations if INTEGRATION in op.data]
    if not with_integration:
        return  # integrations come from elsewhere (console, CLI, Terraform), or none yet
    for operation in operations:
        if INTEGRATION in operation.data:
            continue
        yield Violation(operation.at,
                        f"{operation.label} has no {INTEGRATION}: API Gateway imports it, but deploying the "
                        "API fails with \"No integration defined for method\"")


# --- AG407 ------------------------------------------------------------------------------------------


def payload_format_version(api: Api, run: Any) -> Iterator[Violation]:
    """HTTP API Lambda proxy integrations without a payload format version, or 2.0 elsewhere."""
    for view in api.all_integrations():
        if view.form == "method":
            continue
        lambda_proxy = is_lambda(view, api) and view.type == "aws_proxy"
        if not view.has("payload_format"):
            if lambda_proxy:
                yield Violation(view.at, f"{view.label} is a Lambda proxy integration of an HTTP API without "
                                         f"{view.key('payload_format')}; set \"1.0\" or \"2.0\" (the event "
                                         "formats differ)")
            continue
        version = view.get("payload_format")
        if is_unknown(version) or view.type is None:
            continue
        if str(version) in ("2.0", "2") and not lambda_proxy:
            yield Violation(view.pointer("payload_format"),
                            f"{view.label} sets {view.key('payload_format')} 2.0, which only Lambda proxy "
                            "integrations support; other integrations take 1.0")


# --- AG408 ------------------------------------------------------------------------------------------


def vpc_link_without_connection_id(api: Api, run: Any) -> Iterator[Violation]:
    """``connectionType: VPC_LINK`` without the VPC link's ID."""
    for view in api.all_integrations():
        if _upper(view.get("connection_type")) != "VPC_LINK" or view.has("connection_id"):
            continue
        yield Violation(view.pointer("connection_type"),
                        f"{view.label} uses a VPC link but sets no {view.key('connection_id')}: name the VPC "
                        "link (or a stage variable that holds its ID)")


# --- AG409 ------------------------------------------------------------------------------------------


def integration_uri_format(api: Api, run: Any) -> Iterator[Violation]:
    """Integration URIs that do not fit the integration type."""
    if api.api_type is ApiType.WEBSOCKET:
        return
    for view in api.all_integrations():
        if view.form == "v2" and api.api_type is not ApiType.HTTP:
            continue
        shape = uri_shape(view)
        kind = view.type
        if shape is None or kind is None or kind == "mock":
            continue
        problem = _uri_problem(api, view, kind, shape)
        if problem:
            yield Violation(view.pointer("uri"), f"{view.label}: {problem}")


def _uri_problem(api: Api, view: IntegrationView, kind: str, shape: str) -> str | None:
    uri = view.text("uri") or shape
    if kind in ("http", "http_proxy"):
        vpc_link = _upper(view.get("connection_type")) == "VPC_LINK"
        if vpc_link and api.api_type is ApiType.HTTP and _VPC_LINK_TARGET.match(shape):
            return None
        return _url_problem(api, uri, shape, vpc_link)
    if kind not in ("aws", "aws_proxy"):
        return None
    partition = _partition_problem(uri, shape)
    if partition:
        return partition
    if api.api_type is ApiType.HTTP:
        if view.has("subtype"):
            return None
        if _LAMBDA_INVOCATION.match(shape):
            return _lambda_invocation_problem(shape)
        if _LAMBDA_FUNCTION.match(shape) or kind != "aws_proxy":
            return None
        return (f"{uri!r} is not a Lambda function ARN or invocation URI; an HTTP API AWS_PROXY integration "
                "without integrationSubtype invokes a Lambda function")
    if _LAMBDA_FUNCTION.match(shape):
        return (f"{uri!r} is a Lambda function ARN; REST APIs need the invocation URI "
                "arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations")
    if _LAMBDA_INVOCATION.match(shape):
        return _lambda_invocation_problem(shape)
    service = _AWS_SERVICE.match(shape)
    if not service:
        return (f"{uri!r} is not an AWS service URI; {kind.upper()} integrations take "
                "arn:aws:apigateway:{region}:{service}:path|action/{service API}")
    service_name = service.group("service").split(".")[-1]  # {subdomain.service} names the service last
    if kind == "aws_proxy" and "X" not in service_name and service_name.lower() not in _PROXY_SERVICES:
        return (f"{uri!r} calls {service.group('service')} through an AWS_PROXY integration; API Gateway refuses "
                "it (\"Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose "
                "stream invocations.\"): use an AWS integration for other services")
    return None


def _partition_problem(uri: str, shape: str) -> str | None:
    """A URI whose ARN partition or region field cannot be right."""
    match = _ARN_HEAD.match(shape)
    if match is None:
        return None
    partition, region = match.group("partition"), match.group("region")
    if "X" not in partition and re.fullmatch(r"[a-z0-9_-]+", partition) and partition not in _PARTITIONS:
        return (f"{uri!r} names the partition {partition!r}, which does not exist (partitions: "
                f"{', '.join(sorted(_PARTITIONS))}); write arn:aws:apigateway:... or arn:${{AWS::Partition}}:...")
    # a placeholder became X in the shape; <<region>> and the like are placeholders of other tools
    if "X" not in region and re.fullmatch(r"[a-z0-9_-]+", region) and not _REGION.match(region):
        return (f"{uri!r} has {region!r} where the region belongs: expected arn:aws:apigateway:{{region}}:"
                "{service}:...")
    return None


def _lambda_invocation_problem(shape: str) -> str | None:
    if any(form.match(shape) for form in _LAMBDA_INVOCATION_FORMS):
        return None
    return (f"{shape!r} is not a Lambda invocation URI: expected arn:aws:apigateway:{{region}}:lambda:path/"
            "2015-03-31/functions/{function ARN}/invocations (for streaming: 2021-11-15/functions/"
            "{function ARN}/response-streaming-invocations)")


def _url_problem(api: Api, uri: str, shape: str, vpc_link: bool) -> str | None:
    match = _URL.match(shape)
    if match is None:
        return f"{uri!r} is not an absolute http:// or https:// URL"
    scheme = match.group("scheme").lower()
    if scheme not in ("http", "https"):
        return f"{uri!r} uses the scheme {scheme}://; HTTP integrations take http:// or https:// URLs"
    port = match.group("port")
    if api.api_type is ApiType.REST and port and port.isdigit():
        number = int(port)
        if number not in (80, 443) and not 1024 < number <= 65535:
            return (f"port {number} of {uri!r} is not supported: REST API HTTP integrations use port 80, 443 "
                    "or a port above 1024")
    return None


# --- AG410 ------------------------------------------------------------------------------------------

SAM_RESOURCES = ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")
# Requirement names API Gateway has honoured without a definition since its first Swagger importer
# (which looked only for these names); AWS's request-validation sample still relies on `api_key`.
CONVENTIONAL_SCHEMES = frozenset({"api_key", "sigv4"})


def defined_scheme_names(api: Api) -> set[str] | None:
    """Names a security requirement may use; None when they cannot be known."""
    document, _ = api.root()
    container = document.get("securityDefinitions") if "securityDefinitions" in document else None
    components = document.get("components")
    if container is None and isinstance(components, dict):
        container = components.get("securitySchemes")
    if is_unknown(container) or is_unknown(components):
        return None
    names = set(api.security_schemes()) | CONVENTIONAL_SCHEMES
    if api.resource_type in SAM_RESOURCES:
        auth = api.properties.get("Auth")
        if is_unknown(auth):
            return None
        if isinstance(auth, dict):
            authorizers = auth.get("Authorizers")
            if is_unknown(authorizers):
                return None
            if isinstance(authorizers, dict):
                names.update(str(name) for name in authorizers)
            # SAM writes these schemes into the definition when its Auth settings ask for them
            names.add("AWS_IAM")
    return names


def security_requirements(api: Api) -> Iterator[tuple[Any, Pointer, str]]:
    """Every security requirement list: root level and per operation, with who it belongs to."""
    document, at = api.root()
    if "security" in document:
        yield document["security"], at.child("security"), "the root-level security"
    for operation in api.operations():
        if "security" in operation.data:
            yield operation.data["security"], operation.at.child("security"), operation.label


def undefined_security_scheme(api: Api, run: Any) -> Iterator[Violation]:
    """Security requirements naming a scheme the definition does not define."""
    names = defined_scheme_names(api)
    if names is None:
        return
    for requirements, at, who in security_requirements(api):
        if not isinstance(requirements, list):
            continue
        for index, requirement in enumerate(requirements):
            if not isinstance(requirement, dict) or is_unknown(requirement):
                continue
            for name in requirement:
                if not isinstance(name, str) or name in names or has_placeholder(name):
                    continue
                defined = sorted(names - CONVENTIONAL_SCHEMES)
                known = ", ".join(defined) if defined else "none"
                yield Violation(at.child(index, name),
                                f"{who} requires security scheme {name!r}, which is not defined "
                                f"(defined: {known})")


# --- AG411 ------------------------------------------------------------------------------------------


def response_transfer_mode(api: Api, run: Any) -> Iterator[Violation]:
    """Response streaming where API Gateway cannot stream."""
    for view in api.all_integrations():
        mode = _upper(view.get("transfer_mode"))
        if mode != "STREAM":
            if mode == "BUFFERED" or not view.has("transfer_mode"):
                yield from _streaming_uri_without_stream(api, view)
            continue
        at = view.pointer("transfer_mode")
        if api.api_type is not ApiType.REST:
            yield Violation(at, f"{view.label} streams its response, but only REST APIs support response "
                                f"streaming, not {api.api_type.label} APIs")
            continue
        kind = view.type
        if kind is not None and kind not in ("aws_proxy", "http_proxy"):
            yield Violation(at, f"{view.label} streams its response from a {kind.upper()} integration; "
                                "response streaming needs an HTTP_PROXY or AWS_PROXY integration")
            continue
        shape = uri_shape(view)
        if shape is not None and _LAMBDA_INVOCATION.match(shape) and not _STREAMING_INVOCATION.search(shape):
            yield Violation(at, f"{view.label} streams a Lambda response, but its URI calls the Lambda Invoke "
                                "API; streaming uses .../2021-11-15/functions/{function ARN}/"
                                "response-streaming-invocations", Severity.WARNING)


def _streaming_uri_without_stream(api: Api, view: IntegrationView) -> Iterator[Violation]:
    shape = uri_shape(view)
    if shape is None or not _STREAMING_INVOCATION.search(shape) or not _LAMBDA_INVOCATION.match(shape):
        return
    yield Violation(view.pointer("uri"), f"{view.label} calls the Lambda streaming API "
                                         "(response-streaming-invocations) without responseTransferMode STREAM",
                    Severity.WARNING)


# --- AG412 ------------------------------------------------------------------------------------------

_LOCATIONS = {"path": "path", "querystring": "query", "multivaluequerystring": "query", "header": "header",
              "multivalueheader": "header"}
_METHOD_PARAMETER = re.compile(r"^method\.request\.(?P<location>[a-z]+)\.(?P<name>.+)$")
_PATH_TEMPLATE = re.compile(r"\{([^{}]+)\}")


def cache_key_parameter_undeclared(api: Api, run: Any) -> Iterator[Violation]:
    """Cache key parameters that are not method request parameters."""
    for view in api.all_integrations():
        keys = view.get("cache_keys")
        if not isinstance(keys, list) or view.form == "v2":
            continue
        declared = _method_parameters(api, view)
        if declared is None:
            continue
        keys_at = view.pointer("cache_keys")
        for index, key in enumerate(keys):
            if not isinstance(key, str) or has_placeholder(key):
                continue
            match = _METHOD_PARAMETER.match(key)
            location = _LOCATIONS.get(match.group("location")) if match else None
            if match is None or location is None:
                yield Violation(keys_at.child(index), f"cache key {key!r} of {view.label} is not a method request "
                                                      "parameter (method.request.{path|querystring|header}.{name})")
                continue
            name = match.group("name")
            if (location, name.lower() if location == "header" else name) not in declared:
                yield Violation(keys_at.child(index),
                                f"cache key {key!r} of {view.label} is not declared as a {location} parameter "
                                "of the method; cache keys must also be method request parameters")


def _method_parameters(api: Api, view: IntegrationView) -> set[tuple[str, str]] | None:
    """(location, name) of the method's request parameters; None when they cannot be known."""
    declared: set[tuple[str, str]] = set()
    if view.form == "method":
        method_props = _method_properties(api, view)
        parameters = method_props.get("RequestParameters") if method_props is not None else None
        if not isinstance(parameters, dict):
            return None if parameters is not None else declared
        for key in parameters:
            match = _METHOD_PARAMETER.match(str(key))
            location = _LOCATIONS.get(match.group("location")) if match else None
            if match and location:
                name = match.group("name")
                declared.add((location, name.lower() if location == "header" else name))
        return declared
    operation = view.operation
    if operation is None:
        return None
    for name in _PATH_TEMPLATE.findall(operation.path_key):
        declared.add(("path", name.rstrip("+")))
        declared.add(("path", name))
    for container, container_at in ((operation.path_item, operation.path_item_at), (operation.data, operation.at)):
        parameters = container.get("parameters")
        if is_unknown(parameters):
            return None
        if not isinstance(parameters, list):
            continue
        for index, parameter in enumerate(parameters):
            parameter, _ = api.deref(parameter, container_at.child("parameters", index))
            if not isinstance(parameter, dict):
                continue
            location, name = parameter.get("in"), parameter.get("name")
            if isinstance(location, str) and isinstance(name, str):
                declared.add((location, name.lower() if location == "header" else name))
    return declared


def _method_properties(api: Api, view: IntegrationView) -> dict[str, Any] | None:
    return view.resource.properties if view.form == "method" and view.resource is not None else None


# --- AG414 ------------------------------------------------------------------------------------------


def integration_response_status_undeclared(api: Api, run: Any) -> Iterator[Violation]:
    """Integration responses mapped to a status code the operation does not declare."""
    for view in api.all_integrations():
        operation = view.operation
        responses = view.data.get("responses")
        if operation is None or view.form != "openapi" or not isinstance(responses, dict):
            continue
        if view.type not in ("aws", "http", "mock"):
            continue  # proxy integrations pass the backend's response through; their `responses` go unused
        declared = operation.data.get("responses")
        if not isinstance(declared, dict) or is_unknown(declared) or "default" in declared:
            continue
        codes = {str(code) for code in declared}
        for pattern, response in responses.items():
            status = response.get("statusCode") if isinstance(response, dict) else None
            if isinstance(status, bool) or not isinstance(status, (str, int)) or has_placeholder(status):
                continue
            if str(status) in codes:
                continue
            yield Violation(view.at.child("responses", pattern, "statusCode"),
                            f"integration response {pattern!r} of {view.label} maps to status {status}, which the "
                            "operation's responses do not declare; API Gateway creates no integration response "
                            "without a matching method response")


# --- AG415 ------------------------------------------------------------------------------------------


def request_parameter_undeclared(api: Api, run: Any) -> Iterator[Violation]:
    """Integration request parameters mapped from method request parameters the operation does not declare."""
    for view in api.all_integrations():
        if view.form == "v2":
            continue
        key = "requestParameters" if view.form == "openapi" else "RequestParameters"
        mappings = view.data.get(key)
        if not isinstance(mappings, dict):
            continue
        declared = _method_parameters(api, view)
        if declared is None:
            continue
        for target, source in mappings.items():
            if not isinstance(source, str) or has_placeholder(source):
                continue
            match = _METHOD_PARAMETER.match(source.strip())
            location = _LOCATIONS.get(match.group("location")) if match else None
            if match is None or location is None:
                continue
            name = match.group("name")
            if (location, name.lower() if location == "header" else name) in declared:
                continue
            yield Violation(view.at.child(key, target),
                            f"{target} of {view.label} is mapped from {source}, which is not declared as a "
                            f"{location} parameter of the method; API Gateway rejects the mapping (\"Invalid "
                            "mapping expression specified\")")


# --- AG419 ------------------------------------------------------------------------------------------

# Types whose integration request needs a method: AWS refuses them without one.
_METHOD_REQUIRED = ("http", "http_proxy", "aws")


def integration_method_missing(api: Api, run: Any) -> Iterator[Violation]:
    """REST integrations that call a backend without saying with which HTTP method."""
    for view in api.all_integrations():
        if view.form == "v2" or view.has("method"):
            continue
        kind = view.type
        if kind in _METHOD_REQUIRED:
            yield Violation(view.at, f"{view.label} has a {kind.upper()} integration without "
                                     f"{view.key('method')}: API Gateway refuses it (\"Enumeration value for "
                                     "HttpMethod must be non-empty\"); name the method the backend is called with")
        elif kind == "aws_proxy":
            yield Violation(view.at, f"{view.label} has an AWS_PROXY integration without {view.key('method')}; "
                                     "AWS documents it as required for every type but MOCK (Lambda functions "
                                     "take POST)", Severity.WARNING)


# --- AG424 ------------------------------------------------------------------------------------------

_CALLER_CREDENTIALS = re.compile(r"^arn:[a-z-]+:iam::\*:user/\*$")
_AUTH = "x-amazon-apigateway-auth"


def _operation_uses_iam(api: Api, operation: Operation) -> bool | None:
    """Whether the operation is authorized with IAM (None: cannot be known)."""
    auth = operation.data.get(_AUTH)
    if isinstance(auth, dict):
        kind = auth.get("type")
        if is_unknown(kind):
            return None
        if isinstance(kind, str) and kind.upper() == "AWS_IAM":
            return True
    requirements, _ = api.effective_security(operation)
    if is_unknown(requirements):
        return None
    schemes = api.security_schemes()
    for requirement in requirements if isinstance(requirements, list) else []:
        if not isinstance(requirement, dict):
            return None
        for name in requirement:
            scheme = schemes.get(str(name), ({}, None))[0]
            authtype = scheme.get("x-amazon-apigateway-authtype")
            if name in ("sigv4", "AWS_IAM") or (isinstance(authtype, str) and authtype.lower() == "awssigv4"):
                return True
    return False


def caller_credentials_without_iam(api: Api, run: Any) -> Iterator[Violation]:
    """Integrations that pass on the caller's credentials of a method that does not authorize with IAM."""
    sam_default = None
    if api.resource_type == "AWS::Serverless::Api":
        auth = api.properties.get("Auth")
        sam_default = auth.get("DefaultAuthorizer") if isinstance(auth, dict) else None
    if sam_default is not None:
        return  # SAM writes its own authorization into the operations
    for view in api.all_integrations():
        if view.form == "v2":
            continue
        key = "credentials" if view.form == "openapi" else "Credentials"
        credentials = view.data.get(key)
        if not isinstance(credentials, str) or not _CALLER_CREDENTIALS.match(credentials.strip()):
            continue
        if view.form == "openapi":
            if view.operation is None:
                continue
            uses_iam = _operation_uses_iam(api, view.operation)
        else:
            method = _method_properties(api, view) or {}
            kind = method.get("AuthorizationType")
            uses_iam = None if is_unknown(kind) else isinstance(kind, str) and kind.upper() == "AWS_IAM"
        if uses_iam is False:
            yield Violation(view.at.child(key),
                            f"{view.label} passes the caller's credentials ({credentials}) to the backend, but the "
                            "method is not authorized with AWS_IAM, so callers bring no AWS credentials to pass; "
                            "require IAM authorization or give the integration a role")
