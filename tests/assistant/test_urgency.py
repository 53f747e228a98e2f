"""The real model attaches the urgency entity beside the intent, and its parse lets the hall read questions."""

from __future__ import annotations

import pytest
import requests

from kiosk.hall.utterance import Reading, read


@pytest.fixture(scope="module")
def parse(assistant):
    def post(text: str) -> dict:
        r = requests.post(
            assistant.rasa_url + "/model/parse",
            params={"token": assistant.token},
            json={"text": text},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        return r.json()

    return post


def urgency(parsed: dict) -> list[str]:
    return [e["value"] for e in parsed["entities"] if e["entity"] == "urgency"]


def test_a_sparking_line_stays_a_fault_report_and_is_danger(parse):
    text = "电线杆上的线掉下来了，还在冒火花"
    parsed = parse(text)
    assert parsed["intent"]["name"] == "fault_report"
    entity = next(e for e in parsed["entities"] if e["entity"] == "urgency")
    assert (entity["value"], entity["start"], entity["end"]) == ("danger", 0, len(text))
    assert entity["extractor"] == "UrgencyClassifier"
    assert entity["confidence_entity"] >= 0.7
    assert read(text, parsed).urgency == "danger"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("电表箱冒烟", "danger"),
        ("家里从早上到现在都没电，老人用着制氧机", "outage"),
        ("my flat has had no power since this morning", "outage"),
        ("叫你们经理出来", "anger"),
        ("再不给我解决我就打12345投诉你们", "anger"),
    ],
)
def test_urgent_messages_carry_their_kind(parse, text, kind):
    assert urgency(parse(text)) == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "停电了吗什么时候来电",
        "我来交电费",
        "卡表没电了，来买几度电",
        "我要投诉抄表员态度不好",
        "营业厅几点开门",
    ],
)
def test_ordinary_messages_carry_no_urgency(parse, text):
    parsed = parse(text)
    assert urgency(parsed) == []
    assert read(text, parsed).urgency is None


def test_the_intent_ranking_is_the_intent_classifiers_alone(parse):
    # the urgency component adds an entity, never an intent: the ranking holds no urgency kinds
    names = {r["name"] for r in parse("变压器着火了")["intent_ranking"]}
    assert not names & {"danger", "outage", "anger", "none"}


@pytest.mark.parametrize(
    ("text", "business_type"),
    [
        ("光伏并网要带什么材料", "solar_pv"),
        ("办过户需要准备哪些东西？", "name_transfer"),
        ("增容要带什么证件", "capacity_change"),
        ("what documents do I need for a name transfer", "name_transfer"),
    ],
)
def test_a_materials_question_names_its_business_and_reads_as_a_question(parse, text, business_type):
    parsed = parse(text)
    assert parsed["intent"]["name"] == business_type
    assert read(text, parsed) == Reading(question="materials")


@pytest.mark.parametrize(
    ("text", "faq"),
    [("营业厅几点开门", "opening_hours"), ("95598是什么电话", "hotline_95598"), ("一度电多少钱", "fees")],
)
def test_a_hall_question_reads_as_its_faq_entry(parse, text, faq):
    parsed = parse(text)
    assert parsed["intent"]["name"] == "general_inquiry"
    assert read(text, parsed) == Reading(question="faq", faq=faq)
