"""CloudFormation resources of one REST API that do not fit together."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apilint.checks.values import is_unknown
from apilint.finding import Severity
from apilint.model import Api, is_intrinsic
from apilint.rules import Violation
from apilint.template import referenced_name, refers_to

REST_API = "AWS::ApiGateway::RestApi"
SAM_REST_API = "AWS::Serverless::Api"
# what a method's AuthorizationType needs its authorizer's Type to be
_AUTHORIZER_TYPES = {"CUSTOM": ("TOKEN", "REQUEST"), "COGNITO_USER_POOLS": ("COGNITO_USER_POOLS",)}
# resources that PutRestApi with the Body overwrites (CloudFormation updates the API in overwrite mode)
_DEFINED_BY_BODY = ("AWS::ApiGateway::Resource", "AWS::ApiGateway::Method", "AWS::ApiGateway::Model",
                    "AWS::ApiGateway::RequestValidator", "AWS::ApiGateway::GatewayResponse",
                    "AWS::ApiGateway::Authorizer")


def cloudformation_api_resources(api: Api, run: Any) -> Iterator[Violation]:
    """REST API resources that contradict each other or the API."""
    if api.resource is None or api.resource_type not in (REST_API, SAM_REST_API):
        return
    properties = api.properties
    if api.resource_type == SAM_REST_API:
        # SAM deploys an AWS::ApiGateway::RestApi whose Body is the inline definition or the one it
        # generates from the function events (BodyS3Location for DefinitionUri): always a definition
        yield from _authorizer_types(api)
        yield from _tied_elsewhere(api)
        yield from _method_settings(api)
        source = next((key for key in ("DefinitionBody", "DefinitionUri") if key in properties), None)
        yield from _mixed_definitions(api, source or "definition SAM generates from its function events",
                                      "a SAM REST API")
        return
    body = next((key for key in ("Body", "BodyS3Location") if key in properties), None)
    if "Name" not in properties and body is None:
        yield Violation(api.resource.resource.properties_at,
                        "the REST API has neither Name nor Body/BodyS3Location: CloudFormation cannot create it "
                        "without a name (cfn-lint E3660: 'Name' is a required property when not specifying one "
                        "of ['Body', 'BodyS3Location'])")
    yield from _authorizer_types(api)
    yield from _tied_elsewhere(api)
    yield from _method_settings(api)
    if body is not None:
        yield from _mixed_definitions(api, body, "a REST API")


def _authorizer_types(api: Api) -> Iterator[Violation]:
    authorizers = {resource.name: resource.properties for resource in api.related("AWS::ApiGateway::Authorizer")}
    for method in api.related("AWS::ApiGateway::Method"):
        logical_id, props, at = method.name, method.properties, method.properties_at
        kind = props.get("AuthorizationType")
        target = referenced_name(props.get("AuthorizerId"))
        if not isinstance(kind, str) or target not in authorizers:
            continue
        needed = _AUTHORIZER_TYPES.get(kind.upper())
        authorizer_type = authorizers[target].get("Type")
        if needed is None or not isinstance(authorizer_type, str) or is_unknown(authorizer_type):
            continue
        if authorizer_type.upper() not in needed:
            yield Violation(at.child("AuthorizationType"),
                            f"method {logical_id} has AuthorizationType {kind} but its authorizer {target} is of "
                            f"type {authorizer_type}: {kind} takes {' or '.join(needed)} authorizers "
                            f"({'COGNITO_USER_POOLS' if kind.upper() == 'CUSTOM' else 'CUSTOM'} fits this one)")


def _tied_elsewhere(api: Api) -> Iterator[Violation]:
    """Methods naming another API's authorizer, stages naming another API's deployment."""
    assert api.resource is not None
    siblings, name = api.resource.siblings, api.resource.name
    checks = (("AWS::ApiGateway::Method", "AuthorizerId", "AWS::ApiGateway::Authorizer",
               ("API Gateway refuses the method: \"Invalid authorizer ID specified. Setting the authorization type "
               "to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.\"")),
              ("AWS::ApiGateway::Stage", "DeploymentId", "AWS::ApiGateway::Deployment",
               "a stage deploys a deployment of its own REST API only"))
    for owner_type, key, target_type, consequence in checks:
        for owner in api.related(owner_type):
            target_name = referenced_name(owner.get(key))
            target = siblings.get(target_name) if target_name else None
            if target is None or target.type != target_type:
                continue
            target_api = target.get("RestApiId")
            if target_api is None or is_unknown(target_api) and not referenced_name(target_api):
                continue
            if not refers_to(target_api, name):
                other = referenced_name(target_api) or "another REST API"
                yield Violation(owner.properties_at.child(key),
                                f"{owner.name} belongs to {name} but its {key} names {target.name}, which belongs "
                                f"to {other}: {consequence}")


def _method_settings(api: Api) -> Iterator[Violation]:
    stages = [(stage.name, stage.get("MethodSettings"), stage.properties_at.child("MethodSettings"))
              for stage in api.related("AWS::ApiGateway::Stage")]
    for deployment in api.related("AWS::ApiGateway::Deployment"):
        description = deployment.get("StageDescription")
        if isinstance(description, dict):
            stages.append((deployment.name, description.get("MethodSettings"),
                           deployment.properties_at.child("StageDescription", "MethodSettings")))
    for logical_id, settings, settings_at in stages:
        if not isinstance(settings, list) or is_intrinsic(settings):
            continue
        for index, setting in enumerate(settings):
            path = setting.get("ResourcePath") if isinstance(setting, dict) else None
            if isinstance(path, str) and not is_unknown(path) and not path.startswith("/"):
                yield Violation(settings_at.child(index, "ResourcePath"),
                                f"MethodSettings ResourcePath {path!r} of {logical_id} does not start with /: "
                                "CloudFormation refuses it (pattern ^/.*$); write /* for every resource, or the "
                                "resource path with / escaped as ~1 (/~1orders)")


def _mixed_definitions(api: Api, body: str, what: str) -> Iterator[Violation]:
    for resource_type in _DEFINED_BY_BODY:
        for resource in api.related(resource_type):
            yield Violation(resource.at, f"{resource_type} {resource.name} belongs to {what} defined by its {body}: "
                                "CloudFormation puts the definition in overwrite mode, so the API drifts between "
                                "the two; declare it in the definition instead", Severity.WARNING)
