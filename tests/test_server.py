"""``apilint server`` driven as an editor drives it: a separate process spoken to over standard input
and output with JSON-RPC messages framed by Content-Length headers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import pytest

pytest.importorskip("pygls")

DEFINITION = """openapi: 3.0.1
info: {title: orders, version: "1"}
paths:
  /orders:
    get:
      responses: {"200": {description: OK}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: GET
        uri: arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:1:function:f/invocations
        passthroughBehaviour: when_no_match
"""

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: orders.yaml
"""


class Client:
    """A minimal language client: frames requests and notifications, reads replies and notifications."""

    def __init__(self, cwd: Path):
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        self.process = subprocess.Popen([sys.executable, "-m", "apilint", "server"], cwd=cwd, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: Queue[dict[str, Any]] = Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            headers: dict[str, str] = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.messages.put(json.loads(body))

    def send(self, *messages: dict[str, Any]) -> None:
        """Messages written at once (several in one write reach the server together)."""
        data = b""
        for message in messages:
            body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
            data += b"Content-Length: %d\r\n\r\n" % len(body) + body
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        request_id = self.next_id
        self.send({"id": request_id, "method": method, "params": params})
        reply = self.wait(lambda m: m.get("id") == request_id and "method" not in m)
        assert "error" not in reply, reply
        return reply.get("result")

    def wait(self, matches, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        skipped = []
        try:
            while True:
                try:
                    message = self.messages.get(timeout=max(deadline - time.monotonic(), 0.01))
                except Empty:
                    raise AssertionError(f"no matching message; saw {skipped}") from None
                if matches(message):
                    return message
                skipped.append(message)
        finally:
            for message in skipped:
                if message.get("method") == "textDocument/publishDiagnostics":
                    self.messages.put(message)

    def diagnostics(self, uri: str, version: int | None = None) -> list[dict[str, Any]]:
        message = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri
                            and (version is None or m["params"].get("version") == version))
        return message["params"]["diagnostics"]


def _summary(diagnostics: list[dict[str, Any]]) -> list[tuple[str, tuple[int, int, int, int]]]:
    return sorted((d["code"], (d["range"]["start"]["line"], d["range"]["start"]["character"],
                               d["range"]["end"]["line"], d["range"]["end"]["character"])) for d in diagnostics)


@pytest.fixture
def client(tmp_path):
    client = Client(tmp_path)
    client.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(),
                                  "capabilities": {"general": {"positionEncodings": ["utf-16"]}}})
    client.notify("initialized", {})
    yield client
    if client.process.poll() is None:
        client.process.kill()
        client.process.wait()


def test_a_session_from_initialize_to_shutdown(client, tmp_path):
    (tmp_path / ".apilint.yaml").write_text("ignore: [AG301]\n")
    uri = (tmp_path / "orders.yaml").as_uri()  # not on disk: the editor's text is what is checked
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                            "text": DEFINITION}})
    diagnostics = client.diagnostics(uri, version=1)
    assert _summary(diagnostics) == [("AG403", (10, 8, 10, 43)), ("AG404", (8, 8, 8, 23))]
    by_code = {d["code"]: d for d in diagnostics}
    assert by_code["AG404"]["severity"] == 1 and by_code["AG403"]["severity"] == 2
    assert by_code["AG404"]["source"] == "apilint (lambda-integration-method-not-post)"
    assert by_code["AG404"]["codeDescription"]["href"].endswith("/docs/rules/AG404.md")
    assert by_code["AG404"]["message"].startswith("GET /orders invokes a Lambda function with httpMethod GET")

    # an edit: the method is fixed, the text gets a line longer; the check waits for the typing to stop
    # (a change typed in two quick steps is checked once, as it is after the second)
    changed = DEFINITION.replace("httpMethod: GET", "httpMethod: POST").replace("info:", "# orders\ninfo:")
    client.send({"method": "textDocument/didChange",
                 "params": {"textDocument": {"uri": uri, "version": 2},
                            "contentChanges": [{"text": changed.replace("POST", "PO")}]}},
                {"method": "textDocument/didChange",
                 "params": {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": changed}]}})
    assert _summary(client.diagnostics(uri, version=3)) == [("AG403", (11, 8, 11, 43))]
    assert not [m for m in list(client.messages.queue) if m.get("params", {}).get("version") == 2]

    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": 11, "character": 12}})
    assert hover["contents"]["kind"] == "markdown"
    assert hover["contents"]["value"].startswith("**AG403 unknown-integration-property** (warning)")
    assert "/docs/rules/AG403.md" in hover["contents"]["value"]
    assert client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                 "position": {"line": 2, "character": 0}}) is None

    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 11, "character": 10}, "end": {"line": 11, "character": 10}},
        "context": {"diagnostics": []}})
    titles = [a["title"] for a in actions]
    assert titles == ["Fix AG403: rename 'passthroughBehaviour' to 'passthroughBehavior'",
                      "Ignore AG403 here (x-apilint-ignore)",
                      "Ignore AG403 on this line (# apilint-ignore)"]
    fix, by_key, by_comment = (a["edit"]["changes"][uri] for a in actions)
    assert fix == [{"range": {"start": {"line": 11, "character": 8}, "end": {"line": 11, "character": 28}},
                    "newText": "passthroughBehavior"}]
    assert by_key == [{"range": {"start": {"line": 8, "character": 8}, "end": {"line": 8, "character": 8}},
                       "newText": "x-apilint-ignore: [AG403]\n        "}]
    assert by_comment == [{"range": {"start": {"line": 11, "character": 0}, "end": {"line": 11, "character": 0}},
                           "newText": "        # apilint-ignore: AG403\n"}]
    assert actions[0]["isPreferred"] is True and actions[0]["diagnostics"][0]["code"] == "AG403"

    # the editor applies the quick fix: nothing is left
    fixed = changed.replace("passthroughBehaviour", "passthroughBehavior")
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4},
                                             "contentChanges": [{"text": fixed}]})
    assert client.diagnostics(uri, version=4) == []

    assert client.request("shutdown", None) is None
    client.notify("exit", {})
    assert client.process.wait(timeout=30) == 0
    assert not (tmp_path / "orders.yaml").exists()  # the server never writes


def test_a_template_and_the_definition_it_deploys(client, tmp_path):
    """The template deploys the definition as an HTTP API: the definition's findings come with that
    context (AG407 applies to HTTP APIs only), wherever the editor is."""
    definition = tmp_path / "orders.yaml"
    definition.write_text(DEFINITION.replace("httpMethod: GET", "httpMethod: POST"))
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    client.notify("textDocument/didOpen", {"textDocument": {"uri": definition.as_uri(), "languageId": "yaml",
                                                            "version": 1, "text": definition.read_text()}})
    codes = sorted(d["code"] for d in client.diagnostics(definition.as_uri(), version=1))
    assert "AG407" in codes  # found through the template on disk, which is not open
    client.notify("textDocument/didOpen", {"textDocument": {"uri": template.as_uri(), "languageId": "yaml",
                                                            "version": 1, "text": TEMPLATE}})
    published = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == definition.as_uri()
                            and any(d["code"] == "AG407" for d in m["params"]["diagnostics"]))
    ag407 = next(d for d in published["params"]["diagnostics"] if d["code"] == "AG407")
    assert ag407["range"]["start"] == {"line": 6, "character": 6}
    # the template stops deploying it: the definition is checked on its own again, without AG407
    client.notify("textDocument/didChange", {"textDocument": {"uri": template.as_uri(), "version": 2},
                                             "contentChanges": [{"text": TEMPLATE.replace("orders.yaml", "other.yaml")}]})
    alone = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                        and m["params"]["uri"] == definition.as_uri()
                        and not any(d["code"] == "AG407" for d in m["params"]["diagnostics"]))
    assert "AG403" in [d["code"] for d in alone["params"]["diagnostics"]]
    client.request("shutdown", None)
    client.notify("exit", {})
    assert client.process.wait(timeout=30) == 0


def test_without_pygls_the_command_says_what_to_install():
    code = ("import sys; sys.modules['pygls'] = None; sys.modules['lsprotocol'] = None\n"
            "from apilint.cli import main\nmain(['server'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 2
    assert "pip install 'apilint[server]'" in result.stderr


@pytest.mark.parametrize("args", [["check", "api.yaml"], ["check", "--fix", "api.yaml"],
                                  ["check", "--diff", "--format", "json", "api.yaml"]])
def test_a_check_never_imports_the_language_server(tmp_path, args):
    (tmp_path / "api.yaml").write_text(DEFINITION)
    probe = ("import sys\nfrom apilint.cli import main\n"
             "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'cattrs')"
             " or m == 'apilint.server'), file=sys.stderr)\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    completed = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                               cwd=tmp_path, env=env, timeout=60, check=False)
    assert completed.stderr.strip().splitlines()[-1] == "[]"
    assert completed.returncode in (0, 1), completed.stderr  # the run did its work


def test_a_length_no_editor_sends_ends_the_session_with_a_reason_not_a_crash(tmp_path):
    """A header claiming 100 GB: the server says why it stops and exits 0, instead of trying to
    allocate it and ending in an internal error."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, "-m", "apilint", "server"], cwd=tmp_path, env=env, timeout=60,
                          input=b"Content-Length: 100000000000\r\n\r\n{}", capture_output=True, check=False)
    assert done.returncode == 0
    assert done.stderr.decode("utf-8").endswith(
        "apilint server: a message of 100,000,000,000 bytes is over the 536,870,912-byte limit; the server stops\n")
