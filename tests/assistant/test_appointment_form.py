"""The appointment form's name comes from the text of the answer, not from an entity extractor.

No NLU component learns names (domain.yml maps person_name from the text of
the answer to the name question): validate_appointment_form has to find the
name in what people say. The phrasings below are those the NLU data used to
annotate as person_name for DIET.
"""

from __future__ import annotations

import uuid

import pytest

from tests.assistant.test_actions import run, slot_events, texts, tracker
from tests.assistant.test_conversation import buttons, custom, say


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


def book_after(rasa_server: str, answers: list[str]) -> dict:
    """A back-office request with nobody on duty, `answers` to the form, then the first slot button."""
    sender = f"conv-{uuid.uuid4().hex[:10]}"
    say(rasa_server, sender, "/capacity_change")  # the form asks the name first
    for answer in answers:
        reply = say(rasa_server, sender, answer)
    # the slot buttons come once the form has the name and the phone
    slot_buttons = buttons(reply)
    assert slot_buttons, reply
    reply = say(rasa_server, sender, slot_buttons[0]["payload"])
    return custom(reply, "appointment")[0]


def test_name_and_phone_in_one_answer_are_both_taken(rasa_server):
    # the phone comes from the regex entity, the name from the text of the answer
    appointment = book_after(rasa_server, ["我叫林峰，电话13688889999"])
    assert appointment["name"] == "林峰"
    assert appointment["phone_masked"].endswith("9999")


def test_a_phone_typed_with_spaces_is_taken(rasa_server):
    # DIET parsed this as three phones, "138", "1234" and "5678" (from_entity
    # would have taken "5678"); now the whole answer goes to the validation
    appointment = book_after(rasa_server, ["张伟", "电话 138 1234 5678"])
    assert appointment["name"] == "张伟"
    assert appointment["phone_masked"].endswith("5678")
