"""SAM's implicit APIs, function events and WebSocket APIs, with positions in the source template."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli
from tests.model.test_deployment import build, line

IMPLICIT = """\
    Transform: AWS::Serverless-2016-10-31
    Globals:
      Api:
        TracingEnabled: true
        CacheClusterEnabled: true
        CacheClusterSize: "3"
        Auth:
          ApiKeyRequired: true
    Resources:
      Orders:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
          Events:
            List:
              Type: Api
              Properties: {Path: /orders, Method: get}
            Fast:
              Type: HttpApi
              Properties: {Path: /fast, Method: get}
      Admin:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.admin
          Runtime: python3.12
          Events:
            Own:
              Type: Api
              Properties: {RestApiId: !Ref AdminApi, Path: /admin, Method: post}
      AdminApi:
        Type: AWS::Serverless::Api
        Properties:
          StageName: v1
      Chat:
        Type: AWS::Serverless::WebSocketApi
        Properties:
          StageName: live
          RouteSelectionExpression: $request.body.action
          DefaultRouteSettings: {ThrottlingBurstLimit: 10}
          StageVariables: {mode: chat}
"""


def test_function_events_create_the_implicit_apis_with_globals(tmp_path):
    apis = {api.logical_id: api for api in build(tmp_path, IMPLICIT)}
    assert set(apis) == {"AdminApi", "Chat", "ServerlessRestApi", "ServerlessHttpApi"}
    rest = apis["ServerlessRestApi"]
    assert rest.resource is not None and rest.resource.implicit and rest.document is None
    assert (rest.api_type.value, rest.endpoint_type.value if rest.endpoint_type else None) == ("rest", "edge")
    assert rest.api_type_reason == "ServerlessRestApi, the AWS::Serverless::Api SAM creates for the events of Orders"
    [stage] = rest.stages
    assert (stage.name_text, stage.label) == ("Prod", "stage Prod (ServerlessRestApi)")
    assert stage.tracing_enabled.flag() is True and line(stage.tracing_enabled.at) == "4:5"  # in Globals
    assert stage.cache_cluster_size.number() == 3.0 and line(stage.cache_cluster_size.at) == "6:5"
    assert rest.setting("Auth", "ApiKeyRequired").flag() is True
    assert [event.label for event in rest.resource.events] == ["GET /orders (event List of Orders)"]
    assert line(rest.resource_at) == "16:9"  # the first event that creates it
    http = apis["ServerlessHttpApi"]
    assert http.api_type.value == "http" and [s.name_text for s in http.stages] == ["$default"]
    assert [event.name for event in http.resource.events] == ["Fast"]
    admin = apis["AdminApi"]
    assert not admin.resource.implicit and [event.label for event in admin.resource.events] == [
        "POST /admin (event Own of Admin)"]
    assert admin.stages[0].tracing_enabled.flag() is True  # Globals apply to declared APIs too


def test_a_sam_websocket_api_is_a_websocket_api_with_its_stage(tmp_path):
    apis = {api.logical_id: api for api in build(tmp_path, IMPLICIT)}
    chat = apis["Chat"]
    assert (chat.api_type.value, chat.endpoint_type.value if chat.endpoint_type else None) == ("websocket", "regional")
    [stage] = chat.stages
    assert stage.name_text == "live" and stage.variables["mode"].text() == "chat"
    assert stage.route_settings[0].throttling_burst.whole() == 10 and stage.route_settings[0].applies_to_all


def test_findings_about_an_implicit_api_point_at_globals(tmp_path):
    (tmp_path / "template.yaml").write_text(IMPLICIT.replace("\n    ", "\n").removeprefix("    "), encoding="utf-8")
    result = run_cli("check", "--format", "json", "--select", "AG208", "template.yaml", cwd=tmp_path)
    found = sorted((f["line"], f["column"], f["message"]) for f in result.json()["findings"])
    sizes = "is not one of 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237 (GB)"
    # Globals give both SAM REST APIs the size: one mistake, told once at the one place to fix
    assert found == [(6, 5, (f"API AdminApi: cache cluster size '3' {sizes} (set in Globals, inherited by AdminApi, "
                            "ServerlessRestApi)"))]


def test_a_declared_serverless_rest_api_is_not_created_twice(tmp_path: Path):
    template = IMPLICIT + """\
      ServerlessRestApi:
        Type: AWS::Serverless::Api
        Properties: {StageName: Prod}
    """
    apis = [api.logical_id for api in build(tmp_path, template)]
    assert apis.count("ServerlessRestApi") == 1
