def test_health_and_taxonomy(client):
    assert client.get("/healthz").json == {"status": "ok"}
    types = client.get("/api/business-types").json["business_types"]
    assert len(types) == 19 and {t["route"] for t in types} == {
        "counter", "self_service", "back_office", "other_department"}
