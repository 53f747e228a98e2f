"""Short names and the More screen's groups: every business type in exactly one group, checked at load."""
from __future__ import annotations

import pytest
import yaml

from kiosk.hall import taxonomy
from kiosk.settings import ROOT

CONFIG = ROOT / "config" / "business_types.yml"


def _write(tmp_path, change) -> object:
    raw = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "bt.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_the_api_serves_short_names_and_groups_covering_every_business_type(client):
    body = client.get("/api/business-types").get_json()
    ids = [bt["id"] for bt in body["business_types"]]
    grouped = [tid for g in body["groups"] for tid in g["types"]]
    assert sorted(grouped) == sorted(ids) and len(grouped) == len(set(grouped)) == 19
    assert [g["zh"] for g in body["groups"]] == ["缴费查询", "办电", "变更", "故障与投诉", "其他"]
    assert all(g["en"] for g in body["groups"])
    invoice = next(bt for bt in body["business_types"] if bt["id"] == "invoice")
    assert invoice["short"] == {"zh": "开发票", "en": "Get an invoice"}
    assert client.get("/api/business-types/invoice").get_json()["short"]["en"] == "Get an invoice"


def test_a_business_type_in_no_group_is_refused_at_load(tmp_path):
    def drop(raw):
        raw["groups"][-1]["types"].remove("general_inquiry")

    with pytest.raises(taxonomy.TaxonomyError, match="in no group: general_inquiry"):
        taxonomy.load(_write(tmp_path, drop))


def test_a_business_type_in_two_groups_or_an_unknown_one_is_refused(tmp_path):
    def twice(raw):
        raw["groups"][0]["types"].append("complaint")

    with pytest.raises(taxonomy.TaxonomyError, match="complaint is in groups"):
        taxonomy.load(_write(tmp_path, twice))

    def unknown(raw):
        raw["groups"][0]["types"].append("teleport")

    with pytest.raises(taxonomy.TaxonomyError, match="unknown business type 'teleport'"):
        taxonomy.load(_write(tmp_path, unknown))


def test_a_business_type_without_an_english_short_name_is_refused(tmp_path):
    def no_short(raw):
        raw["business_types"][0]["short"] = {"zh": "交电费"}

    with pytest.raises(taxonomy.TaxonomyError, match="pay_bill: needs a short name"):
        taxonomy.load(_write(tmp_path, no_short))
