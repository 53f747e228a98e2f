"""Bad input of every kind gets a JSON 4xx, never a 500, and changes nothing stored."""
import pytest

NASTY = ["'; DROP TABLE tickets; --", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
         "{{7*7}}", "１２３", "\u0000\u0007", "A" * 5000, "💡", ""]


def ticket_count(client, device):
    return sum(q["waiting"] for q in client.get("/api/queues").json["queues"])


@pytest.mark.parametrize("value", NASTY + [None, 12, True, [], {}])
def test_ticket_business_type_junk(client, device, value):
    resp = client.post("/api/tickets", json={"business_type": value}, headers=device)
    assert resp.status_code == 422 and resp.json["error"]["code"]
    assert ticket_count(client, device) == 0


@pytest.mark.parametrize("body,ctype", [
    (b"", "application/json"), (b"{", "application/json"), (b"[]", "application/json"),
    (b"null", "application/json"), (b"\xff\xfe", "application/json"),
    (b"business_type=pay_bill", "application/x-www-form-urlencoded"),
])
def test_malformed_bodies(client, device, body, ctype):
    resp = client.post("/api/tickets", data=body, headers={**device, "Content-Type": ctype})
    assert 400 <= resp.status_code < 500 and "error" in resp.json


def test_oversized_body_is_413(client, device):
    resp = client.post("/api/tickets", data=b"{" + b" " * (5 * 1024 * 1024) + b"}",
                       headers={**device, "Content-Type": "application/json"})
    assert resp.status_code == 413 and resp.json["error"]["code"] == "body_too_large"


@pytest.mark.parametrize("path", ["/api/tickets/0", "/api/tickets/99999999", "/api/tickets/abc",
                                  "/api/business-types/nope", "/api/nothing-here"])
def test_unknown_ids_and_paths_are_404(client, device, path):
    resp = client.get(path, headers=device)
    assert resp.status_code == 404 and resp.json["error"]["code"]


def test_wrong_method_is_405_json(client):
    resp = client.delete("/api/queues")
    assert resp.status_code == 405 and resp.json["error"]["code"] == "method_not_allowed"


def test_query_junk_on_reports(client, staff):
    sup = staff("supervisor")
    for query in ("date_from=2026-13-45", "date_from=yesterday", "limit=-1", "limit=abc",
                  "outcome=<b>", "date_from=2026-02-01&date_to=2026-01-01", "date_from=2020-01-01&date_to=2026-01-01"):
        resp = client.get(f"/api/visits?{query}", headers=sup)
        assert resp.status_code == 422, (query, resp.json)


def test_idempotency_key_returns_the_first_answer(client, device):
    headers = {**device, "Idempotency-Key": "kiosk-1-req-42"}
    first = client.post("/api/tickets", json={"business_type": "pay_bill"}, headers=headers)
    second = client.post("/api/tickets", json={"business_type": "pay_bill"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json["number"] == second.json["number"] == "A001"
    assert ticket_count(client, device) == 1
    bad = client.post("/api/tickets", json={"business_type": "pay_bill"},
                      headers={**device, "Idempotency-Key": "\x01" * 5})
    assert bad.status_code == 422


def test_openapi_document_lists_the_public_surface(client):
    paths = client.get("/openapi.json").json["paths"]
    for path in ("/api/tickets", "/api/queues", "/api/counters/{counter_id}/call-next",
                 "/api/appointments/slots", "/api/appointments", "/api/visits/events",
                 "/api/visits", "/api/kpis", "/api/triage/classify", "/api/kiosk/sessions"):
        assert path in paths, path
