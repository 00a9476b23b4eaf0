"""SAM and CloudFormation templates: intrinsic tags, referenced definitions and deployment context."""

from __future__ import annotations

import textwrap

from apilint.load.fastyaml import load_yaml
from tests.conftest import run_cli

ALL_TAGS = """\
Resources:
  X:
    Type: AWS::ApiGateway::RestApi
    Properties:
      A: !Ref Thing
      B: !Sub "${AWS::Region}-x"
      C: !GetAtt Fn.Arn
      D: !Join [",", [a, b]]
      E: !If [Cond, a, b]
      F: !Select [0, !Split [",", "a,b"]]
      G: !FindInMap [M, K, V]
      H: !ImportValue Exported
      I: !Base64 text
      J: !Cidr [10.0.0.0/16, 4, 8]
      K: !GetAZs ""
      L: !Condition Cond
      M: !And [!Equals [a, b], !Or [!Not [!Equals [a, b]], !Equals [c, c]]]
      N: !Transform {Name: AWS::Include, Parameters: {Location: x.yaml}}
"""


def test_every_short_form_tag_becomes_its_long_form():
    document = load_yaml(ALL_TAGS)
    assert document.problems == []
    props = document.data["Resources"]["X"]["Properties"]
    assert props["A"] == {"Ref": "Thing"}
    assert props["B"] == {"Fn::Sub": "${AWS::Region}-x"}
    assert props["C"] == {"Fn::GetAtt": ["Fn", "Arn"]}
    assert props["F"] == {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}
    assert props["K"] == {"Fn::GetAZs": ""}
    assert props["L"] == {"Condition": "Cond"}
    assert props["M"]["Fn::And"][1] == {"Fn::Or": [{"Fn::Not": [{"Fn::Equals": ["a", "b"]}]}, {"Fn::Equals": ["c", "c"]}]}
    assert props["N"] == {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "x.yaml"}}}
    assert set(props) == set("ABCDEFGHIJKLMN")


API = textwrap.dedent("""\
    openapi: 3.0.1
    info: {title: t, version: "1"}
    paths:
      /a:
        get:
          responses: {"200": {description: ok}}
          x-amazon-apigateway-integration:
            type: http_proxy
            httpMethod: GET
            uri: https://example.com
            timeoutInMillis: 45000
    """)


def _positions(result, code="AG201"):
    return [(f["file"], f["line"], f["column"]) for f in result.json()["findings"] if f["code"] == code]


def test_definition_uri_is_followed_with_positions_in_that_file(tmp_path):
    (tmp_path / "api.yaml").write_text(API)
    (tmp_path / "template.yaml").write_text(textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::HttpApi
            Properties:
              DefinitionUri: ./api.yaml
        """))
    result = run_cli("check", "--format", "json", "template.yaml", cwd=tmp_path)
    assert _positions(result) == [("api.yaml", 11, 9)]
    timeout = next(f for f in result.json()["findings"] if f["code"] == "AG201")
    assert "HTTP API maximum of 30,000 ms" in timeout["message"]


def test_aws_include_and_body_s3_location_are_followed(tmp_path):
    (tmp_path / "api.yaml").write_text(API)
    (tmp_path / "template.yaml").write_text(textwrap.dedent("""\
        Resources:
          Rest:
            Type: AWS::ApiGateway::RestApi
            Properties:
              Body:
                Fn::Transform:
                  Name: AWS::Include
                  Parameters:
                    Location: api.yaml
              EndpointConfiguration:
                Types: [REGIONAL]
          V2:
            Type: AWS::ApiGatewayV2::Api
            Properties:
              BodyS3Location: api.yaml
        """))
    result = run_cli("check", "--format", "json", "template.yaml", cwd=tmp_path)
    findings = [(f["file"], f["line"], f["severity"], f["api"]) for f in result.json()["findings"] if f["code"] == "AG201"]
    assert sorted(findings) == [
        ("api.yaml", 11, "error", "template.yaml#V2"),
        ("api.yaml", 11, "warning", "template.yaml#Rest"),
    ]


def test_remote_locations_are_not_followed(tmp_path):
    (tmp_path / "template.yaml").write_text(textwrap.dedent("""\
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              DefinitionUri: s3://bucket/api.yaml
        """))
    result = run_cli("check", "-v", "template.yaml", cwd=tmp_path)
    assert result.code == 0
    assert "s3://bucket/api.yaml is not a local file" in result.out


def test_files_outside_the_root_are_not_read(tmp_path):
    (tmp_path / "api.yaml").write_text(API)
    project = tmp_path / "project"
    project.mkdir()
    (project / "template.yaml").write_text(textwrap.dedent("""\
        Resources:
          Api:
            Type: AWS::Serverless::HttpApi
            Properties:
              DefinitionUri: ../api.yaml
        """))
    result = run_cli("check", "-v", "--format", "json", "template.yaml", cwd=project)
    assert result.json()["findings"] == []


def test_websocket_protocol_and_globals(tmp_path):
    (tmp_path / "template.yaml").write_text(textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Api:
            Domain:
              DomainName: api.example.com
              CertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/x
              EndpointConfiguration: EDGE
        Resources:
          Chat:
            Type: AWS::ApiGatewayV2::Api
            Properties:
              Name: chat
              ProtocolType: WEBSOCKET
              RouteSelectionExpression: $request.body.action
          ChatIntegration:
            Type: AWS::ApiGatewayV2::Integration
            Properties:
              ApiId: !Ref Chat
              IntegrationType: AWS_PROXY
              TimeoutInMillis: 29001
          Rest:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
        """))
    result = run_cli("check", "--format", "json", "template.yaml", cwd=tmp_path)
    data = result.json()
    assert {a["label"]: a["api_type"] for a in data["apis"]} == {"template.yaml#Chat": "websocket",
                                                                 "template.yaml#Rest": "rest"}
    found = sorted((f["code"], f["line"], f["column"]) for f in data["findings"] if f["code"] in {"AG201", "AG501"})
    assert found == [("AG201", 20, 7), ("AG501", 6, 7)]


def test_pyproject_configuration(tmp_path):
    (tmp_path / "api.yaml").write_text(API)
    (tmp_path / "pyproject.toml").write_text('[tool.apilint]\napi-type = "http"\nignore = ["AG002"]\n')
    result = run_cli("check", "--format", "json", "api.yaml", cwd=tmp_path)
    assert [(f["code"], f["severity"]) for f in result.json()["findings"] if f["code"] == "AG201"] == [("AG201", "error")]
    (tmp_path / "pyproject.toml").write_text('[tool.apilint]\napi-type = "soap"\n')
    bad = run_cli("check", "api.yaml", cwd=tmp_path)
    assert bad.code == 2 and "pyproject.toml:1:1: api-type" in bad.err
