"""The contact forms' name comes from the text of the answer, not from an entity extractor.

No NLU component learns names (domain.yml maps person_name from the text of
the answer to the name question): the forms' validation (ContactValidation,
the call-back's and the appointment's) has to find the name in what people say. The phrasings below are those the NLU data used to
annotate as person_name for DIET.
"""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.assistant.test_actions import run, slot_events, texts, tracker
from tests.assistant.test_conversation import custom, say


def validate_name_answer(action_server: str, domain: dict, answer: str) -> dict:
    """The form's validation of `answer` to the name question (from_text put it in person_name)."""
    trk = tracker(
        intent="inform",
        text=answer,
        active_loop="appointment_form",
        slots={"business_type": "capacity_change", "requested_slot": "person_name", "person_name": answer},
    )
    trk["events"].append({"event": "slot", "name": "person_name", "value": answer})
    return run(action_server, domain, "validate_appointment_form", trk)


@pytest.mark.parametrize(
    "answer,name",
    [
        ("张伟", "张伟"),
        ("我叫王芳", "王芳"),
        ("姓名：李娟", "李娟"),
        ("名字叫李红梅", "李红梅"),
        ("我的名字叫郑秀英", "郑秀英"),
        ("名字就写谢娜", "谢娜"),
        ("登记赵丽的名字", "赵丽"),
        ("写曹红英就行", "曹红英"),
        ("我叫陈芳啊", "陈芳"),
        ("免贵姓郭", "郭"),
        ("联系人刘芳", "刘芳"),
        ("我叫林峰，电话13688889999", "林峰"),
        ("联系电话15012345678，我叫何静", "何静"),
        ("户号9900112233，名字王兰", "王兰"),
        ("my name is Anna Wang", "Anna Wang"),
        ("I'm David Zhang", "David Zhang"),
        ("名字Kevin Sun", "Kevin Sun"),
    ],
)
def test_name_is_found_in_the_answer(action_server, domain, answer, name):
    result = validate_name_answer(action_server, domain, answer)
    assert slot_events(result)["person_name"] == name


@pytest.mark.parametrize("answer", ["13812345678", "/capacity_change"])
def test_an_answer_without_a_name_is_asked_again(action_server, domain, answer):
    result = validate_name_answer(action_server, domain, answer)
    assert slot_events(result)["person_name"] is None
    assert "请再说一下您的姓名" in texts(result)


def contact_after(rasa_server: str, hall_server: str, desk: dict, answers: list[str]) -> dict:
    """A back-office request with nobody present, `answers` to the call-back form: the call-back its desk sees."""
    sender = f"conv-{uuid.uuid4().hex[:10]}"
    say(rasa_server, sender, "/capacity_change")  # the form asks the name first
    for answer in answers:
        reply = say(rasa_server, sender, answer)
    # the call-back is taken once the form has the name and the phone
    callback_id = custom(reply, "callback")[0]["id"]
    listed = requests.get(hall_server + "/api/desk/callbacks", headers=desk, timeout=10).json()["callbacks"]
    return next(c for c in listed if c["id"] == callback_id)


def test_name_and_phone_in_one_answer_are_both_taken(rasa_server, hall_server, desk_token):
    # the phone comes from the regex entity, the name from the text of the answer
    callback = contact_after(rasa_server, hall_server, desk_token("王经理"), ["我叫林峰，电话13688889999"])
    assert callback["name"] == "林峰"
    assert callback["phone_masked"].endswith("9999")


def test_a_phone_typed_with_spaces_is_taken(rasa_server, hall_server, desk_token):
    # DIET parsed this as three phones, "138", "1234" and "5678" (from_entity
    # would have taken "5678"); now the whole answer goes to the validation
    callback = contact_after(rasa_server, hall_server, desk_token("王经理"), ["张伟", "电话 138 1234 5678"])
    assert callback["name"] == "张伟"
    assert callback["phone_masked"].endswith("5678")
