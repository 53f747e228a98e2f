"""The custom actions, run by the real action server against a real hall server.

Each test builds a tracker from a dict, posts it to the action server's
webhook (where a CollectingDispatcher gathers the messages) and checks the
returned messages and events, and what the hall server now holds.
"""
from __future__ import annotations

import itertools
import re
import uuid
from typing import Any, Dict, List, Optional

import pytest
import requests

from tests.conftest import DEVICE_TOKEN

_ids = itertools.count(1)


def tracker(
    *,
    intent: str = "inform",
    confidence: float = 0.95,
    text: str = "",
    ranking: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    metadata: Optional[Dict[str, Any]] = None,
    active_loop: Optional[str] = None,
    sender_id: Optional[str] = None,
) -> Dict[str, Any]:
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
        "entities": entities or [],
        "message_id": f"m{next(_ids)}",
        "metadata": metadata or {},
    }
    all_slots = {
        "language": "zh", "business_type": None, "stage": None, "account_number": None,
        "person_name": None, "phone": None, "appointment_slot": None, "requested_slot": None,
    }
    all_slots.update(slots or {})
    return {
        "sender_id": sender_id or f"test-{uuid.uuid4().hex[:12]}",
        "slots": all_slots,
        "latest_message": message,
        "events": [{"event": "user", "text": text, "parse_data": message, "metadata": metadata or {}}],
        "paused": False,
        "followup_action": None,
        "active_loop": {"name": active_loop} if active_loop else {},
        "latest_action_name": "action_listen",
    }


def run(action_server: str, domain: dict, name: str, trk: Dict[str, Any]) -> Dict[str, Any]:
    r = requests.post(
        action_server + "/webhook",
        json={"next_action": name, "sender_id": trk["sender_id"], "tracker": trk, "domain": domain},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return r.json()


def slot_events(result: Dict[str, Any]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in result["events"] if e.get("event") == "slot"}


def customs(result: Dict[str, Any], kind: str) -> List[Dict[str, Any]]:
    return [r["custom"] for r in result["responses"] if (r.get("custom") or {}).get("type") == kind]


def texts(result: Dict[str, Any]) -> str:
    return "\n".join(r.get("text") or "" for r in result["responses"])


def hall_get(hall_server: str, path: str) -> requests.Response:
    return requests.get(hall_server + path, timeout=10, headers={"Authorization": f"Bearer {DEVICE_TOKEN}"})


# --- triage -------------------------------------------------------------------

def test_typed_request_is_confirmed_first(action_server, domain):
    result = run(action_server, domain, "action_triage",
                 tracker(intent="invoice", confidence=0.91, text="开一张电费发票"))
    assert slot_events(result) == {"business_type": "invoice", "stage": "confirming"}
    triage = customs(result, "triage")[0]
    assert triage["business_type"] == "invoice" and triage["route"] == "counter"
    assert triage["queue"] == "A"
    question = [r for r in result["responses"] if r.get("buttons")][0]
    assert question["text"] == "您是要办理「开发票」吗？"  # the short name (config/business_types.yml)
    assert [b["payload"] for b in question["buttons"]] == ["/affirm", "/deny"]


def test_tapped_button_needs_no_confirmation(action_server, domain):
    result = run(action_server, domain, "action_triage",
                 tracker(intent="invoice", confidence=1.0, text="/invoice"))
    assert slot_events(result)["stage"] == "confirmed"
    assert not [r for r in result["responses"] if r.get("buttons")]


def clarifying_question(action_server, domain, ranking, text) -> dict:
    """Run action_clarify on a message whose top intent is ranking[0]; the question it asks."""
    top = ranking[0]
    result = run(action_server, domain, "action_clarify",
                 tracker(intent=top["name"], confidence=top["confidence"], text=text, ranking=ranking))
    assert slot_events(result)["stage"] == "clarifying"
    return [r for r in result["responses"] if r.get("buttons")][0]


def test_clarifying_question_offers_the_likeliest_types(action_server, domain):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "bill_inquiry", "confidence": 0.41},
        {"name": "meter_issue", "confidence": 0.37},
        {"name": "greet", "confidence": 0.12},
        {"name": "invoice", "confidence": 0.08},
        {"name": "pay_bill", "confidence": 0.01},
    ]
    question = clarifying_question(action_server, domain, ranking, "电费不对劲")
    payloads = [b["payload"] for b in question["buttons"]]
    assert payloads[:2] == ["/bill_inquiry", "/meter_issue"]
    assert "/pay_bill" not in payloads          # far below the top candidate
    assert payloads[-1] == "/request_human"
    assert 3 <= len(payloads) <= 4


def test_a_request_naming_no_business_gets_an_open_question(action_server, domain):
    ranking = [
        {"name": "unclear_request", "confidence": 0.82},
        {"name": "general_inquiry", "confidence": 0.06},
        {"name": "application_status", "confidence": 0.04},
        {"name": "greet", "confidence": 0.03},
    ]
    question = clarifying_question(action_server, domain, ranking, "我有事要办")
    assert [b["payload"] for b in question["buttons"]] == ["/request_human"]
    assert "要办理什么业务" in question["text"]


# --- routes: the hall decides, the actions relay -------------------------------

def made(hall_server: str, result: Dict[str, Any], kind: str) -> Dict[str, Any]:
    """What the action's reply names by id (its custom payload), read back from the hall."""
    ids = [c["id"] for c in customs(result, kind)]
    assert len(ids) == 1, result["responses"]
    path = {"ticket": "/api/tickets/{}"}[kind]
    stored = hall_get(hall_server, path.format(ids[0]))
    assert stored.status_code == 200, stored.text
    return stored.json()


def test_counter_route_issues_a_ticket_with_materials(action_server, hall_server, kiosk_session, domain):
    trk = tracker(intent="affirm", text="对", sender_id=kiosk_session,
                  slots={"business_type": "name_transfer", "stage": "confirming"})
    result = run(action_server, domain, "action_route", trk)
    assert slot_events(result)["stage"] == "done"
    assert customs(result, "decision")[0]["outcome"] == "ticket"
    ticket = made(hall_server, result, "ticket")
    assert ticket["number"].startswith("C") and ticket["business_type"] == "name_transfer"
    assert "请准备" in texts(result)            # the materials checklist
    assert ticket["number"] in texts(result)
    assert ticket["visit_id"]                    # linked to the kiosk session's visit


def test_conversation_without_a_kiosk_session_still_gets_a_ticket(action_server, hall_server, domain):
    trk = tracker(intent="affirm", text="对", sender_id="rasa-shell-user",
                  slots={"business_type": "outage_inquiry", "stage": "confirming"})
    ticket = made(hall_server, run(action_server, domain, "action_route", trk), "ticket")
    assert ticket["number"].startswith("D") and ticket["visit_id"] is None


def test_same_turn_twice_gives_one_ticket(action_server, domain):
    trk = tracker(intent="affirm", text="对", slots={"business_type": "invoice", "stage": "confirming"},
                  metadata={"turn": f"turn-{uuid.uuid4().hex}"})
    first = customs(run(action_server, domain, "action_route", trk), "ticket")[0]
    trk["latest_message"]["message_id"] = "another-rasa-message"  # the kiosk's turn repeated after a timeout
    again = customs(run(action_server, domain, "action_route", trk), "ticket")[0]
    assert first["id"] == again["id"]


def test_self_service_is_offered_before_a_ticket(action_server, hall_server, domain):
    trk = tracker(intent="affirm", text="对", slots={"business_type": "pay_bill", "stage": "confirming"})
    result = run(action_server, domain, "action_route", trk)
    assert slot_events(result)["stage"] == "self_service_offer"
    assert not customs(result, "ticket")
    assert "自助" in texts(result)
    offer = [r for r in result["responses"] if r.get("buttons")][-1]
    assert [b["payload"] for b in offer["buttons"]] == ["/affirm", "/deny"]

    trk = tracker(intent="affirm", text="还是取个号吧", sender_id=trk["sender_id"],
                  slots={"business_type": "pay_bill", "stage": "self_service_offer"})
    result = run(action_server, domain, "action_issue_ticket", trk)
    assert made(hall_server, result, "ticket")["number"].startswith("A")
    assert slot_events(result)["stage"] == "done"


def test_back_office_with_nobody_reachable_takes_a_call_back(action_server, domain):
    trk = tracker(intent="affirm", text="对", slots={"business_type": "solar_pv", "stage": "confirming"})
    result = run(action_server, domain, "action_route", trk)
    assert slot_events(result)["stage"] == "need_callback"
    assert not customs(result, "handover") and not customs(result, "appointment")
    assert "回电" in texts(result)


def test_back_office_hands_over_to_the_person_present(action_server, hall_server, desk_token, domain):
    dispatcher = desk_token("抢修调度")
    r = requests.post(hall_server + "/api/desk/presence", json={"available": True}, headers=dispatcher, timeout=10)
    assert r.status_code == 200, r.text
    try:
        trk = tracker(intent="affirm", text="对", slots={"business_type": "fault_report", "stage": "confirming"})
        result = run(action_server, domain, "action_route", trk)
        assert slot_events(result)["stage"] == "done"
        handover_id = customs(result, "handover")[0]["id"]
        mine = requests.get(hall_server + "/api/desk/handovers", headers=dispatcher, timeout=10).json()
        assert handover_id in [h["id"] for h in mine["handovers"]]
        assert "95598抢修班" in texts(result)
    finally:
        requests.post(hall_server + "/api/desk/presence", json={"available": False}, headers=dispatcher, timeout=10)


@pytest.mark.parametrize("intent,reason", [
    ("request_human", "asked_for_human"),
    ("out_of_scope", "out_of_scope"),
    ("nlu_fallback", "low_confidence"),
])
def test_guide_is_called(action_server, domain, intent, reason):
    result = run(action_server, domain, "action_call_guide", tracker(intent=intent, text="找个人"))
    assert customs(result, "guide_alert")[0]["id"]
    assert customs(result, "decision")[0]["alert"] == reason
    assert slot_events(result)["stage"] == "guide_called"
    assert "引导员" in texts(result)


def test_an_urgent_reading_summons_a_person_and_names_the_emergency_line(action_server, domain):
    trk = tracker(intent="request_human", text='/request_human{"urgency": "danger"}',
                  entities=[{"entity": "urgency", "value": "danger"}],
                  metadata={"text": "电线掉下来了在冒火花"})
    result = run(action_server, domain, "action_call_guide", trk)
    assert customs(result, "guide_alert")[0]["id"] and not customs(result, "appointment")
    emergency = customs(result, "emergency")[0]
    assert emergency["kind"] == "danger" and emergency["line"] == "95598"
    assert "95598" in texts(result) and "不要触碰" in texts(result)
    assert slot_events(result)["stage"] == "guide_called"


def test_a_materials_question_is_answered_and_no_ticket_issued(action_server, domain):
    trk = tracker(intent="solar_pv", text='/solar_pv{"question": "materials"}',
                  entities=[{"entity": "question", "value": "materials"}])
    result = run(action_server, domain, "action_triage", trk)
    assert not customs(result, "ticket")
    answer = customs(result, "answer")[0]
    assert answer["question"] == "materials" and answer["materials"]
    # named by its short name, as every sentence of the hall and the assistant (config/business_types.yml)
    assert "办理「光伏并网」" in texts(result) and all(m in texts(result) for m in answer["materials"])
    assert slot_events(result) == {"stage": "ticket_offered", "business_type": "solar_pv"}
    offer = [r for r in result["responses"] if r.get("buttons")][-1]
    assert [b["payload"] for b in offer["buttons"]] == ["/affirm", "/deny"]


# --- appointment form ----------------------------------------------------------

def validate(action_server, domain, requested: str, value: Any, sender_id: str, text: str,
             extra_slots: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    slots = {"business_type": "capacity_change", "stage": "callback_taken",
             "requested_slot": requested, requested: value}
    slots.update(extra_slots or {})
    trk = tracker(intent="inform", text=text, slots=slots, sender_id=sender_id,
                  active_loop="appointment_form")
    trk["events"].append({"event": "slot", "name": requested, "value": value})
    return run(action_server, domain, "validate_appointment_form", trk)


def test_form_validates_name_phone_and_slot_then_books(action_server, hall_server, supervisor_token, domain):
    sender = f"test-{uuid.uuid4().hex[:12]}"
    result = validate(action_server, domain, "person_name", "我叫张伟", sender, "我叫张伟")
    assert slot_events(result)["person_name"] == "张伟"

    result = validate(action_server, domain, "phone", "138123", sender, "138123")
    assert slot_events(result)["phone"] is None
    assert "11 位手机号" in texts(result)
    result = validate(action_server, domain, "phone", "我的电话是 138-1234-5678", sender, "我的电话是 138-1234-5678")
    assert slot_events(result)["phone"] == "13812345678"

    ask = run(action_server, domain, "action_ask_appointment_slot",
              tracker(slots={"business_type": "capacity_change", "requested_slot": "appointment_slot"},
                      sender_id=sender, active_loop="appointment_form"))
    buttons = [b for r in ask["responses"] for b in r.get("buttons") or []]
    assert buttons and all(b["payload"].startswith('/inform{"appointment_slot"') for b in buttons)
    slot_id = buttons[0]["payload"].split('"')[3]

    result = validate(action_server, domain, "appointment_slot", "no-such-slot", sender, "下个月")
    assert slot_events(result)["appointment_slot"] is None
    result = validate(action_server, domain, "appointment_slot", slot_id, sender, buttons[0]["payload"])
    assert slot_events(result)["appointment_slot"] == slot_id

    booked = run(action_server, domain, "action_book_appointment",
                 tracker(intent="inform", sender_id=sender,
                         slots={"business_type": "capacity_change", "person_name": "张伟",
                                "phone": "13812345678", "appointment_slot": slot_id}))
    appointment_id = customs(booked, "appointment")[0]["id"]
    assert "13812345678" not in texts(booked) and "5678" in texts(booked)
    assert slot_events(booked)["stage"] == "done"
    stored = requests.get(hall_server + f"/api/appointments/{appointment_id}", timeout=10,
                          headers={"Authorization": f"Bearer {supervisor_token}"})
    assert stored.status_code == 200, stored.text
    assert stored.json()["code"] and str(stored.json()["slot"]["id"]) == slot_id


def test_call_back_form_takes_name_and_phone_then_the_department_has_it(action_server, hall_server,
                                                                         kiosk_session, desk_token, domain):
    trk = tracker(intent="inform", text="张伟", sender_id=kiosk_session, active_loop="callback_form",
                  slots={"business_type": "capacity_change", "requested_slot": "phone", "phone": "138 1234"})
    trk["events"].append({"event": "slot", "name": "phone", "value": "138 1234"})
    result = run(action_server, domain, "validate_callback_form", trk)
    assert slot_events(result)["phone"] is None and "11 位手机号" in texts(result)
    taken = run(action_server, domain, "action_request_callback",
                tracker(intent="inform", sender_id=kiosk_session,
                        slots={"business_type": "capacity_change", "person_name": "张伟",
                               "phone": "13812345678", "stage": "need_callback"}))
    assert slot_events(taken)["stage"] == "callback_taken"
    callback_id = customs(taken, "callback")[0]["id"]
    assert "138****5678" in texts(taken) and "13812345678" not in texts(taken)
    offer = [r for r in taken["responses"] if r.get("buttons")][-1]
    assert [b["payload"] for b in offer["buttons"]] == ["/affirm", "/deny"]
    listed = requests.get(hall_server + "/api/desk/callbacks", headers=desk_token("王经理"), timeout=10).json()
    assert callback_id in [c["id"] for c in listed["callbacks"]]


def test_cancelled_form_books_nothing(action_server, domain):
    result = run(action_server, domain, "action_cancel_form",
                 tracker(intent="deny", text="算了", slots={"person_name": "张伟"}))
    events = slot_events(result)
    assert events["person_name"] is None and events["stage"] == "done"
    assert not customs(result, "appointment")


# --- language ------------------------------------------------------------------

def test_language_comes_from_message_metadata(action_server, domain):
    result = run(action_server, domain, "action_set_language",
                 tracker(intent="greet", text="hello", metadata={"language": "en"}))
    assert slot_events(result) == {"language": "en"}
    result = run(action_server, domain, "action_triage",
                 tracker(intent="invoice", text="I need an invoice", slots={"language": "en"}))
    question = [r for r in result["responses"] if r.get("buttons")][0]
    assert question["text"] == "You'd like to get an invoice, is that right?"
    assert question["buttons"][0]["title"] == "Yes"


def test_english_replies_are_sentences_with_short_names(action_server, hall_server, kiosk_session, domain):
    """The route's reply: a sentence with the short name, the English materials, an English ticket line."""
    result = run(action_server, domain, "action_route",
                 tracker(intent="affirm", text="yes", sender_id=kiosk_session,
                         slots={"language": "en", "business_type": "bill_inquiry", "stage": "confirming"}))
    said = texts(result)
    assert said.startswith("Sure, I'll help you check a bill or usage.\nPlease have these ready:\n1. ")
    assert "Your number is A" in said
    assert not re.search(r"[\u3400-\u9fff]", said), said  # not a Chinese character in any of it

    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "bill_inquiry", "confidence": 0.41},
               {"name": "meter_issue", "confidence": 0.37}]
    result = run(action_server, domain, "action_clarify",
                 tracker(intent="nlu_fallback", confidence=0.55, text="my bill is strange", ranking=ranking,
                         slots={"language": "en"}))
    clarify = [r for r in result["responses"] if r.get("buttons")][0]
    assert [b["title"] for b in clarify["buttons"]] == ["Check a bill or usage", "Have a meter checked",
                                                         "None of these, talk to staff"]
