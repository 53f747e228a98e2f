""""我有预约" through the real Rasa, action and hall servers: the intent opens the check-in form, the code
(or the phone) becomes a ticket ahead of walk-ins; an unknown code and a second check-in are refused in
the hall's words."""
from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta

import pytest
import requests

from assistant.textnorm import read_code
from tests.assistant.test_conversation import custom, say
from tests.conftest import DEVICE_TOKEN
from tests.staff.helpers import check_in_open

DEVICE = {"Authorization": f"Bearer {DEVICE_TOKEN}"}


@pytest.mark.parametrize("said,read", [
    ("预约码是 k7qx2m", "code:K7QX2M"), ("K7QX2M", "code:K7QX2M"), ("my code is MY2345", "code:MY2345"),
    ("１３８ １２３４ ５６７８", "phone:13812345678"), ("我也不知道", None), ("/have_appointment", None)])
def test_the_code_or_phone_is_read_from_the_answer(said, read):
    assert read_code(said) == read


def booked_now(hall_server: str, hall_db, phone: str) -> str:
    """A booking whose slot begins soon, the same day (check-in is open); its code."""
    start = check_in_open()
    with sqlite3.connect(hall_db) as conn:
        slot_id = conn.execute(
            "INSERT INTO appointment_slots (business_type, desk, start, \"end\", capacity, booked) "
            "VALUES ('capacity_change', '', ?, ?, 3, 0)",
            (start.replace(tzinfo=None).isoformat(sep=" "),
             (start + timedelta(hours=1)).replace(tzinfo=None).isoformat(sep=" "))).lastrowid
    booked = requests.post(f"{hall_server}/api/appointments", headers=DEVICE, timeout=10, json={
        "slot_id": slot_id, "business_type": "capacity_change", "name": "周八", "phone": phone})
    assert booked.status_code == 201, booked.text
    return booked.json()["code"]


def test_i_have_an_appointment_then_the_code_gets_a_ticket(rasa_server, hall_server, hall_db):
    code = booked_now(hall_server, hall_db, "13655556666")
    sender = f"conv-{uuid.uuid4().hex[:10]}"
    asked = say(rasa_server, sender, "我有预约")
    assert any("预约码" in (m.get("text") or "") for m in asked)
    reply = say(rasa_server, sender, f"预约码是 {code.lower()}")
    ticket = requests.get(f"{hall_server}/api/tickets/{custom(reply, 'ticket')[0]['id']}", headers=DEVICE,
                          timeout=10).json()
    assert ticket["queue"] == "B" and any(ticket["number"] in (m.get("text") or "") and "签到成功" in m["text"]
                                          for m in reply)
    # the same code again: refused as the hall words it
    again = f"conv-{uuid.uuid4().hex[:10]}"
    say(rasa_server, again, "I have an appointment", language="en")
    refused = say(rasa_server, again, code, language="en")
    assert not custom(refused, "ticket") and any("already checked in" in (m.get("text") or "") for m in refused)


def test_by_phone_and_an_unknown_code(rasa_server, hall_server, hall_db):
    booked_now(hall_server, hall_db, "13677778888")
    sender = f"conv-{uuid.uuid4().hex[:10]}"
    say(rasa_server, sender, "我预约过了")
    bad = say(rasa_server, sender, "我也不知道")
    assert any("不像预约码" in (m.get("text") or "") for m in bad)  # asked again
    assert custom(say(rasa_server, sender, "136 7777 8888"), "ticket")
    unknown = f"conv-{uuid.uuid4().hex[:10]}"
    say(rasa_server, unknown, "我是来签到的")
    reply = say(rasa_server, unknown, "ZZZZZZ")
    assert not custom(reply, "ticket") and any("没有找到" in (m.get("text") or "") for m in reply)
