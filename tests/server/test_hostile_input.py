"""Every operation of the OpenAPI document, as the app generates it, gets wrong types, huge numbers,
long text and deep JSON: the answer is always a 4xx (or a success), never a 5xx.

The operations come from /openapi.json at run time, so routes added later are walked too.
"""
from __future__ import annotations

import json
import re
import shutil

import pytest

from kiosk.settings import Settings

HUGE = [2**64, 10**25, 2**31, -(2**63) - 1, 1e308, -1]
WRONG = ["not-a-number", "", "x" * 20_000, [], {}, None, True, 3.5, "2147483648", "\u0000\ud7ff<script>"]
PATH_VALUES = ["99999999999999999999999", "2147483648", "9223372036854775808", "-1", "0", "abc", "x" * 500,
               "%00", "..%2F..%2Fetc"]
QUERY_VALUES = ["99999999999999999999999", "-99999999999999999999", "1e999", "nan", "abc", "x" * 5000, "[]"]


def deep(n: int) -> str:
    """JSON text of arrays nested n deep (as text: the encoder itself would overflow)."""
    return "[" * n + "1" + "]" * n


def deep_object(n: int) -> str:
    return '{"a":' * n + "1" + "}" * n


def hostile_bodies(schema: dict) -> list[str]:
    """Bodies of the right shape with one hostile value each, then bodies of the wrong shape (JSON texts)."""
    props = schema.get("properties", {})
    required = {name: _plausible(props[name]) for name in schema.get("required", []) if name in props}
    values = [json.dumps(v) for v in [*HUGE, *WRONG]] + [deep(50), deep(3000), deep_object(40)]
    bodies = [json.dumps({**required, name: "@@"}).replace('"@@"', value) for name in props for value in values]
    shapes = [{**required, "unknown_field": 1}, [], "text", 12, None]
    return bodies + [json.dumps(shape) for shape in shapes] + [deep(5000), deep_object(3000)]


def _plausible(prop: dict):
    kind = prop.get("type")
    if "enum" in prop:
        return prop["enum"][0]
    return {"integer": 1, "number": 1.0, "boolean": False, "array": [], "object": {}}.get(kind, "pay_bill")


def _unavailable(resp) -> bool:
    """A 503 saying a service the hall relies on is away (this test runs without the assistant)."""
    body = resp.get_json(silent=True) if resp.mimetype == "application/json" else None
    code = (body or {}).get("error", {}).get("code") or (body or {}).get("status")
    return resp.status_code == 503 and code in ("assistant_unavailable", "printer_unavailable", "not_ready")


def resolve(doc: dict, schema: dict) -> dict:
    ref = schema.get("$ref")
    return doc["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


@pytest.fixture
def walker_app(db_url, tmp_path):
    """The app with its own copy of the business types: an admin may rewrite them (PUT)."""
    from kiosk.web import create_app
    from kiosk.web import maintenance
    from kiosk.web.database import dispose

    types = tmp_path / "business_types.yml"
    shutil.copy(Settings().business_types_file, types)
    app = create_app({"database_url": db_url, "device_token": "test-device-token", "env": "development",
                      "secret_key": "test-secret-key", "snapshot_dir": tmp_path / "snapshots",
                      "business_types_file": types, "rasa_url": "http://127.0.0.1:9"})
    app.config["TESTING"] = True
    yield app
    maintenance.stop(app)
    dispose(app)


def test_every_operation_survives_hostile_input(walker_app):
    from kiosk.hall import accounts

    client = walker_app.test_client()
    with walker_app.extensions["sessions"]() as s, s.begin():
        admin = accounts.create_user(s, "walker", "admin", "password-123")[1]
    identities = [{"Authorization": f"Bearer {admin}"}, {"Authorization": "Bearer test-device-token"}]
    doc = client.get("/openapi.json").json
    failures, sent = [], 0

    def send(method: str, url: str, headers: dict, **kwargs) -> None:
        nonlocal sent
        sent += 1
        resp = client.open(url, method=method.upper(), headers={**headers, "Last-Event-ID": "9" * 30,
                                                                 "Idempotency-Key": "k" * 100}, **kwargs)
        if resp.status_code >= 500 and not _unavailable(resp):
            failures.append((method.upper(), url[:120], str(kwargs.get("data", ""))[:120], resp.status_code))
        resp.close()

    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            params = op.get("parameters", [])
            path_names = re.findall(r"{(\w+)}", path)

            def url(values: dict, query: dict | None = None, _path=path) -> str:
                out = _path
                for name in path_names:
                    out = out.replace("{" + name + "}", str(values.get(name, "1")))
                if query:
                    out += "?" + "&".join(f"{k}={v}" for k, v in query.items())
                return out

            body_schema = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
            for headers in identities:
                for name in path_names:
                    for value in PATH_VALUES:
                        send(method, url({name: value}), headers, json={})
                for param in (p for p in params if p["in"] == "query"):
                    for value in QUERY_VALUES:
                        send(method, url({}, {param["name"]: value}), headers)
                send(method, url({}), headers, data=b"{not json", content_type="application/json")
                send(method, url({}), headers, data=b"\xff\xfe\x00", content_type="application/json")
                send(method, url({}), headers, data=deep_object(3000), content_type="application/json")
                if body_schema is not None:
                    for body in hostile_bodies(resolve(doc, body_schema)):
                        send(method, url({}), headers, data=body, content_type="application/json")
    assert sent > 2000
    assert failures == [], "\n".join(map(str, failures))


def test_deep_json_is_refused_with_a_clear_error(client, device):
    resp = client.post("/api/tickets", data='{"business_type": ' + deep(100) + "}", headers=device,
                       content_type="application/json")
    assert resp.status_code == 400 and resp.json["error"]["code"] == "json_too_deep"
    # brackets inside strings are text, not nesting
    text = client.post("/api/tickets", json={"business_type": "[" * 41},
                       headers=device)
    assert text.status_code == 422 and text.json["error"]["code"] == "validation_failed"


@pytest.mark.parametrize("url", ["/api/tickets/9223372036854775808", "/api/visits/99999999999999999999999",
                                 "/api/appointments/2147483648"])
def test_ids_past_the_database_column_are_not_found(client, staff, url):
    resp = client.get(url, headers=staff("supervisor"))
    assert resp.status_code == 404 and resp.json["error"]["code"] == "not_found"


def test_huge_offsets_on_the_review_pages_are_clamped(app, client):
    from tests.staff.test_login import _login

    with app.extensions["sessions"]() as s, s.begin():
        from kiosk.hall import accounts

        accounts.create_user(s, "sup-a", "supervisor", "password-123")
    app.config["WTF_CSRF_ENABLED"] = True
    assert _login(client, "sup-a").status_code == 302
    assert client.get(f"/staff/review?offset={10**25}").status_code == 200
    assert client.get(f"/staff/review/audit?offset={10**25}&purged={10**30}").status_code == 200
