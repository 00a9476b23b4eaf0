"""A definition is checked as the template that deploys it, however it is reached."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.conftest import run_cli

DEFINITION = """\
    openapi: 3.0.1
    info: {title: orders, version: "1"}
    paths:
      /orders:
        get:
          responses: {"200": {description: ok}}
          x-amazon-apigateway-integration:
            type: aws_proxy
            httpMethod: POST
            uri: arn:aws:lambda:eu-west-1:123456789012:function:orders
            timeoutInMillis: 30000
    """

HTTP_TEMPLATE = """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      OrdersApi:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefinitionUri: ../api/openapi.yaml
    """


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def findings(*args: str, cwd: Path) -> list[tuple[str, str, int, int, str]]:
    result = run_cli("check", "--format", "json", *args, cwd=cwd)
    assert result.code in (0, 1), result.err
    return sorted((f["file"], f["code"], f["line"], f["column"], f["message"]) for f in result.json()["findings"])


def test_a_definition_named_alone_is_checked_as_its_sam_http_api(tmp_path):
    root = write(tmp_path, {"infra/template.yaml": HTTP_TEMPLATE, "api/openapi.yaml": DEFINITION})
    alone = findings("api/openapi.yaml", cwd=root)
    whole = [f for f in findings(".", cwd=root) if f[0] == "api/openapi.yaml"]
    assert alone == whole
    codes = {f[1] for f in alone}
    assert "AG407" in codes  # an HTTP API Lambda proxy integration without payloadFormatVersion
    assert not codes & {"AG201", "AG409"}  # 30 s and a function ARN are fine for HTTP APIs
    [ag407] = [f for f in alone if f[1] == "AG407"]
    assert ag407[2:4] == (7, 7)


def test_without_a_template_the_definition_keeps_its_assumptions_and_says_so(tmp_path):
    root = write(tmp_path, {"api/openapi.yaml": DEFINITION, "infra/template.yaml": HTTP_TEMPLATE.replace(
        "../api/openapi.yaml", "../api/other.yaml")})
    codes = {f[1] for f in findings("api/openapi.yaml", cwd=root)}
    assert {"AG201", "AG409"} <= codes and "AG407" not in codes  # checked as a REST edge-optimized API
    verbose = run_cli("check", "--verbose", "api/openapi.yaml", cwd=root)
    assert "nothing in the document decides; REST (API Gateway's default) is assumed" in verbose.out + verbose.err


def test_a_walk_of_the_definitions_folder_finds_the_template_above_it(tmp_path):
    root = write(tmp_path, {"infra/template.yaml": HTTP_TEMPLATE, "api/openapi.yaml": DEFINITION})
    assert findings("api", cwd=root) == [f for f in findings(".", cwd=root) if f[0] == "api/openapi.yaml"]


def test_named_from_a_sub_folder_of_the_repository_the_definition_is_still_checked_as_deployed(tmp_path):
    """Without --root, the root is the repository the working directory is in: a definition named
    from its own folder finds the template in a sibling folder, and paths stay relative to where
    the command runs."""
    root = write(tmp_path, {"infra/template.yaml": HTTP_TEMPLATE, "api/openapi.yaml": DEFINITION})
    (root / ".git").mkdir()
    whole = [f for f in findings(".", cwd=root) if f[0] == "api/openapi.yaml"]
    from_api = findings("openapi.yaml", cwd=root / "api")
    assert from_api == [("openapi.yaml", *f[1:]) for f in whole]
    assert "AG407" in {f[1] for f in from_api}
    from_infra = findings("template.yaml", cwd=root / "infra")
    assert from_infra == [("../api/openapi.yaml", *f[1:]) for f in whole]
    github = run_cli("check", "--format", "github", "openapi.yaml", cwd=root / "api")
    # annotations name files from the repository top, as GitHub shows them
    assert github.out.startswith("::error file=api/openapi.yaml,line=7,col=7,endLine=12,endColumn=1,title=AG407 ")
    # --root keeps the root where it is told: the template outside it is not read
    alone = {f[1] for f in findings("--root", ".", "openapi.yaml", cwd=root / "api")}
    assert "AG407" not in alone and "AG201" in alone


def test_the_verbose_run_names_the_deploying_template(tmp_path):
    root = write(tmp_path, {"infra/template.yaml": HTTP_TEMPLATE, "api/openapi.yaml": DEFINITION})
    verbose = run_cli("check", "--verbose", "api/openapi.yaml", cwd=root)
    text = verbose.out + verbose.err
    assert "infra/template.yaml#OrdersApi" in text
    assert "AWS::Serverless::HttpApi resource OrdersApi" in text


OPEN_DEFINITION = """\
    swagger: "2.0"
    info: {title: items, version: "1"}
    paths:
      /items:
        get:
          responses: {"200": {description: ok}}
          x-amazon-apigateway-integration:
            type: http_proxy
            httpMethod: GET
            uri: https://items.example.com
      /admin:
        get:
          responses: {"200": {description: ok}}
          x-amazon-apigateway-auth: {type: AWS_IAM}
          x-amazon-apigateway-integration:
            type: http_proxy
            httpMethod: GET
            uri: https://items.example.com/admin
    """


def sam_template(endpoint: str, auth: str) -> str:
    head = textwrap.dedent(f"""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          ItemsApi:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              EndpointConfiguration: {endpoint}
              DefinitionUri: definitions/items.yaml
              Auth:
        """)
    return head + textwrap.indent(textwrap.dedent(auth), " " * 8)


PROTECTIONS = {
    "private-with-policy": ("{Type: PRIVATE, VPCEndpointIds: [vpce-0123456789abcdef0]}", """\
        ResourcePolicy:
          CustomStatements:
            - Effect: Allow
              Principal: "*"
              Action: execute-api:Invoke
              Resource: execute-api:/*
              Condition: {StringEquals: {aws:SourceVpce: vpce-0123456789abcdef0}}
        """),
    "api-key": ("REGIONAL", "ApiKeyRequired: true\n"),
    "default-authorizer": ("REGIONAL", """\
        DefaultAuthorizer: Lambda
        Authorizers:
          Lambda: {FunctionArn: arn:aws:lambda:eu-west-1:123456789012:function:auth}
        """),
}


def test_protections_written_in_the_template_apply_to_the_named_definition(tmp_path):
    # alone, GET /items is open beside the IAM-protected GET /admin
    bare = write(tmp_path / "bare", {"definitions/items.yaml": OPEN_DEFINITION})
    assert [f[1:4] for f in findings("definitions/items.yaml", cwd=bare) if f[1] == "AG301"] == [("AG301", 5, 5)]
    for name, (endpoint, auth) in PROTECTIONS.items():
        root = write(tmp_path / name, {"template.yaml": sam_template(endpoint, auth),
                                       "definitions/items.yaml": OPEN_DEFINITION})
        alone = findings("definitions/items.yaml", cwd=root)
        assert "AG301" not in {f[1] for f in alone}, (name, alone)
        assert alone == [f for f in findings(".", cwd=root) if f[0] == "definitions/items.yaml"], name


INCLUDE_TEMPLATE = """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      OrdersApi:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefinitionBody:
            openapi: 3.0.1
            info: {title: placeholder, version: "1"}
            paths:
              /myMethod:
                post: {}
            Fn::Transform:
              Name: AWS::Include
              Parameters:
                Location: ./api/openapi.yaml
    """


def test_an_include_beside_placeholder_keys_is_followed_and_the_placeholders_are_not_checked(tmp_path):
    root = write(tmp_path, {"template.yaml": INCLUDE_TEMPLATE, "api/openapi.yaml": DEFINITION})
    whole = findings(".", cwd=root)
    assert not [f for f in whole if f[0] == "template.yaml"]  # no AG002 on Fn::Transform, no AG301 on /myMethod
    assert ("api/openapi.yaml", "AG407") in {f[:2] for f in whole}
    assert findings("api/openapi.yaml", cwd=root) == [f for f in whole if f[0] == "api/openapi.yaml"]


BODY_S3_TEMPLATE = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      OrdersApi:
        Type: AWS::ApiGatewayV2::Api
        Properties:
          BodyS3Location: api/openapi.yaml
    """


def test_a_local_body_s3_location_deploys_the_named_definition(tmp_path):
    root = write(tmp_path, {"stack.yaml": BODY_S3_TEMPLATE, "api/openapi.yaml": DEFINITION})
    alone = findings("api/openapi.yaml", cwd=root)
    assert alone == [f for f in findings(".", cwd=root) if f[0] == "api/openapi.yaml"]
    assert "AG407" in {f[1] for f in alone} and not {"AG201", "AG409"} & {f[1] for f in alone}


def test_a_template_naming_the_file_without_deploying_it_changes_nothing(tmp_path):
    root = write(tmp_path, {"api/openapi.yaml": DEFINITION, "docs.yaml": """\
        Resources:
          Readme:
            Type: AWS::S3::Object
            Properties: {Location: api/openapi.yaml}
        """})
    assert {"AG201", "AG409"} <= {f[1] for f in findings("api/openapi.yaml", cwd=root)}


def test_the_template_search_never_blocks_on_a_named_pipe(tmp_path):
    import os

    if not hasattr(os, "mkfifo"):
        return
    root = write(tmp_path, {"infra/template.yaml": HTTP_TEMPLATE, "api/openapi.yaml": DEFINITION})
    os.mkfifo(root / "infra" / "pipe.yaml")  # nothing writes to it: reading it would hang the search
    assert "AG407" in {f[1] for f in findings("api/openapi.yaml", cwd=root)}
