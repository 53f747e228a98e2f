"""Priority (绿色通道) tickets: a guide's, for elderly, disabled or pregnant customers; audited."""


def test_a_guide_issues_a_priority_ticket_with_its_reason_and_it_is_audited(client, device, staff):
    guide = staff("guide")
    plain = client.post("/api/tickets", json={"business_type": "invoice"}, headers=device).json
    resp = client.post("/api/tickets", json={"business_type": "invoice", "priority": True,
                                             "priority_reason": "pregnant"}, headers=guide)
    assert resp.status_code == 201, resp.json
    assert resp.json["priority"] is True and resp.json["position"] == 1  # ahead of the plain one
    assert client.get(f"/api/tickets/{plain['id']}", headers=guide).json["position"] == 2
    audit = client.get("/api/audit?action=ticket.priority", headers=staff("supervisor")).json["entries"]
    assert [(e["target"], e["details"]["reason"], e["actor"].rstrip("0123456789")) for e in audit] == [
        (f"ticket:{resp.json['id']}", "pregnant", "guide")]


def test_a_priority_ticket_needs_a_guide_and_a_reason(client, device, staff):
    body = {"business_type": "invoice", "priority": True}
    refused = client.post("/api/tickets", json={**body, "priority_reason": "elderly"}, headers=device)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "staff_only"
    no_reason = client.post("/api/tickets", json=body, headers=staff("guide"))
    assert no_reason.status_code == 422 and no_reason.json["error"]["code"] == "priority_reason_required"
    wrong = client.post("/api/tickets", json={**body, "priority_reason": "in_a_hurry"}, headers=staff("guide"))
    assert wrong.status_code == 422
