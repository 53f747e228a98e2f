"""Whole conversations through the real Rasa server (REST channel), action server and hall server."""
from __future__ import annotations

import uuid
from typing import Any, Dict, List

import requests

from tests.conftest import DEVICE_TOKEN


def say(rasa_server: str, sender: str, text: str, language: str = "zh") -> List[Dict[str, Any]]:
    r = requests.post(rasa_server + "/webhooks/rest/webhook",
                      json={"sender": sender, "message": text, "metadata": {"language": language}},
                      timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def custom(messages: List[Dict[str, Any]], kind: str) -> List[Dict[str, Any]]:
    return [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == kind]


def buttons(messages: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    return [b for m in messages for b in m.get("buttons") or []]


def ticket_number(hall_server: str, messages: List[Dict[str, Any]]) -> str:
    """The number of the ticket the reply names by id, read from the hall."""
    ticket_id = custom(messages, "ticket")[0]["id"]
    r = requests.get(hall_server + f"/api/tickets/{ticket_id}", timeout=10,
                     headers={"Authorization": f"Bearer {DEVICE_TOKEN}"})
    assert r.status_code == 200, r.text
    return r.json()["number"]


def test_greeting_then_a_tapped_counter_business_gets_a_ticket(rasa_server, hall_server):
    sender = f"conv-{uuid.uuid4().hex[:10]}"
    greeting = say(rasa_server, sender, "你好")
    assert "/invoice" in [b["payload"] for b in buttons(greeting)]
    reply = say(rasa_server, sender, "/invoice")
    number = ticket_number(hall_server, reply)
    assert number.startswith("A")
    assert any(m.get("text", "").find(number) >= 0 for m in reply)


def test_typed_request_confirmed_then_ticket(rasa_server, hall_server):
    sender = f"conv-{uuid.uuid4().hex[:10]}"
    reply = say(rasa_server, sender, "房子卖了电表过户")
    triage = custom(reply, "triage")[0]
    assert triage["business_type"] == "name_transfer" and triage["stage"] == "confirming"
    reply = say(rasa_server, sender, "对")
    assert ticket_number(hall_server, reply).startswith("C")


def test_call_back_with_a_bad_phone_first_then_an_appointment_instead(rasa_server, hall_server,
                                                                       supervisor_token):
    sender = f"conv-{uuid.uuid4().hex[:10]}"
    reply = say(rasa_server, sender, "/new_connection_business")    # nobody present in a fresh hall
    assert any("回电" in (m.get("text") or "") for m in reply)
    reply = say(rasa_server, sender, "我叫张伟")
    reply = say(rasa_server, sender, "138123")
    assert any("11 位手机号" in (m.get("text") or "") for m in reply)
    reply = say(rasa_server, sender, "13812345678")
    assert custom(reply, "callback")[0]["id"]
    assert any("138****5678" in (m.get("text") or "") for m in reply)
    reply = say(rasa_server, sender, "/affirm")  # rather book a time to come in
    slot_buttons = buttons(reply)
    assert slot_buttons and all("appointment_slot" in b["payload"] for b in slot_buttons), reply
    reply = say(rasa_server, sender, slot_buttons[0]["payload"])
    appointment_id = custom(reply, "appointment")[0]["id"]
    stored = requests.get(hall_server + f"/api/appointments/{appointment_id}", timeout=10,
                          headers={"Authorization": f"Bearer {supervisor_token}"})
    assert stored.status_code == 200 and stored.json()["phone_masked"] == "138****5678"


def test_cancel_the_form(rasa_server):
    sender = f"conv-{uuid.uuid4().hex[:10]}"
    say(rasa_server, sender, "/solar_pv")
    reply = say(rasa_server, sender, "算了")
    assert not custom(reply, "callback") and not custom(reply, "appointment")
    assert any("取消" in (m.get("text") or "") for m in reply)


def test_asking_for_a_human_alerts_a_guide(rasa_server):
    sender = f"conv-{uuid.uuid4().hex[:10]}"
    reply = say(rasa_server, sender, "我要找人工")
    assert custom(reply, "guide_alert")[0]["id"]
    assert custom(reply, "decision")[0]["alert"] == "asked_for_human"


def test_english_when_the_kiosk_says_so(rasa_server):
    sender = f"conv-{uuid.uuid4().hex[:10]}"
    reply = say(rasa_server, sender, "hello", language="en")
    assert reply and "welcome" in reply[0]["text"].lower()
    assert "Pay a bill" in [b["title"] for b in buttons(reply)]
