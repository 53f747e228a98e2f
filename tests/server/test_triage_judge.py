"""From the assistant's intent ranking to a business type or a reason to decline."""
import pytest

from kiosk.hall import taxonomy, triage
from kiosk.hall.context import Hall
from kiosk.settings import ROOT

HALL = Hall(taxonomy=taxonomy.load(ROOT / "config" / "business_types.yml"))


def parsed(*ranking):
    return {"intent": {"name": ranking[0][0], "confidence": ranking[0][1]},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]}


def test_confident_business_type_gets_route_and_queue():
    out = triage.judge(HALL, parsed(("solar_pv", 0.93), ("capacity_change", 0.04)))
    assert (out["business_type"], out["route"], out["queue"], out["decline_reason"]) == (
        "solar_pv", "back_office", "B", None)
    assert [a["business_type"] for a in out["alternatives"]] == ["solar_pv", "capacity_change"]


@pytest.mark.parametrize("ranking,reason", [
    ((("out_of_scope", 0.9), ("pay_bill", 0.05)), "out_of_scope"),
    ((("chitchat", 0.8),), "chitchat"),
    ((("greet", 0.8),), "chitchat"),
    ((("unclear_request", 0.9), ("pay_bill", 0.05)), "ambiguous"),
    ((("nlu_fallback", 0.7), ("invoice", 0.3)), "low_confidence"),
    ((("invoice", 0.42), ("bill_inquiry", 0.3)), "low_confidence"),
    ((("invoice", 0.52), ("bill_inquiry", 0.45)), "ambiguous"),
])
def test_declines_with_a_reason(ranking, reason):
    out = triage.judge(HALL, parsed(*ranking))
    assert out["business_type"] is None and out["decline_reason"] == reason


def test_taxonomy_file_errors_are_clear(tmp_path):
    bad = tmp_path / "bt.yml"
    bad.write_text("queues: {A: {zh: a, en: a}}\nbusiness_types:\n  - {id: x, zh: x, en: x, route: teleport, queue: A}\n")
    with pytest.raises(taxonomy.TaxonomyError, match="route"):
        taxonomy.load(bad)
