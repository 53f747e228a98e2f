"""The OpenAPI document declares, for every operation, what it answers, the body it takes and who may call it.

The operations come from /openapi.json at run time, so a route added later is held to the same.
"""
from __future__ import annotations

import inspect
import re

import pytest

from kiosk.web.api import answers

BODY_METHODS = {"post", "put", "patch"}
# what a view reads the request's body with when it does not declare it through @bp.input
READS_BODY = re.compile(r"request\.(get_data|get_json|json|form|files|stream|data)\b")


def _schema_of(response: dict, doc: dict) -> list[dict]:
    return [media.get("schema") or {} for media in response.get("content", {}).values()]


def _declared(schema: dict, doc: dict) -> bool:
    """A schema that says something: a named component with fields, or a type of its own."""
    ref = schema.get("$ref")
    if ref:
        schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
        return bool(schema.get("properties"))
    return bool(schema.get("type"))


def _operations(doc: dict):
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            yield path, method, op


def test_every_operation_declares_its_answer_its_body_and_its_credential(app, client):
    doc = client.get("/openapi.json").json
    schemes = doc["components"]["securitySchemes"]
    assert set(schemes) == {"DeviceToken", "StaffToken", "StaffSession"}
    reads_body = _views_reading_the_body(app)
    wrong = []
    for path, method, op in _operations(doc):
        name = f"{method.upper()} {path}"
        answers_2xx = [r for code, r in op["responses"].items() if code.startswith("2")]
        if not any(_declared(s, doc) for r in answers_2xx for s in _schema_of(r, doc)):
            wrong.append(f"{name}: no schema of its answer")
        body = op.get("requestBody")
        if body is not None and not all(_declared(m.get("schema") or {}, doc) for m in body["content"].values()):
            wrong.append(f"{name}: a body without its schema")
        if body is None and (path, method) in reads_body:
            wrong.append(f"{name}: reads a body it does not declare")
        security = op.get("security")
        if not security:
            wrong.append(f"{name}: no security entry")
        elif any(scheme not in schemes for requirement in security for scheme in requirement):
            wrong.append(f"{name}: an unknown credential in {security}")
    assert not wrong, "\n".join(wrong)
    schemas = doc["components"]["schemas"]
    assert not [n for n in schemas if n.rstrip("0123456789") != n and n.rstrip("0123456789") in schemas]


def _views_reading_the_body(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of the views whose own code reads the request's body."""
    found = set()
    for rule in app.url_map.iter_rules():
        methods = {m.lower() for m in rule.methods or ()} & BODY_METHODS
        if not methods:
            continue
        source = inspect.getsource(inspect.unwrap(app.view_functions[rule.endpoint]))
        if READS_BODY.search(source):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            found |= {(path, m) for m in methods}
    return found


def test_the_credential_follows_the_roles(client):
    paths = client.get("/openapi.json").json["paths"]
    staff = [{"StaffToken": []}, {"StaffSession": []}]
    assert paths["/api/tickets"]["post"]["security"] == [*staff, {"DeviceToken": []}]  # kiosks issue
    assert paths["/api/triages"]["get"]["security"] == staff  # guides only
    assert paths["/api/tickets/status/{token}"]["get"]["security"] == [{}]  # the customer's link
    assert paths["/healthz"]["get"]["security"] == [{}]
    assert paths["/api/stream"]["get"]["security"][0] == {}  # the display's channels are public
    snapshot = paths["/api/visits/{visit_id}/snapshot"]["post"]["requestBody"]["content"]
    assert list(snapshot) == ["image/jpeg"]


def test_an_answer_with_a_key_its_schema_does_not_declare_is_refused():
    assert answers.Me().dump({"name": "guide1", "role": "guide"}) == {"name": "guide1", "role": "guide"}
    with pytest.raises(RuntimeError, match="secret"):
        answers.Me().dump({"name": "guide1", "role": "guide", "secret": "x"})


def test_a_production_hall_logs_an_undeclared_key_and_answers_it(app, monkeypatch, caplog):
    settings = app.extensions["settings"]
    monkeypatch.setattr(type(settings), "production", property(lambda _self: True))
    with app.app_context():
        answer = answers.Me().dump({"name": "guide1", "role": "guide", "extra": 1})
    assert answer == {"name": "guide1", "role": "guide", "extra": 1}
    assert "Me does not declare ['extra']" in caplog.text


def test_answers_pass_values_through_unchanged():
    ticket = answers.CurrentTicket().dump({"ticket": {"id": 7, "estimated_wait_min": 3, "position": None}})
    assert ticket == {"ticket": {"id": 7, "estimated_wait_min": 3, "position": None}}
    assert type(ticket["ticket"]["estimated_wait_min"]) is int
