"""kiosk.hall.utterance.read: urgency and questions from the rules, the assistant's parse, or both."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest

from kiosk.hall import utterance
from kiosk.hall.utterance import Reader, Reading, UtteranceConfigError, read


def parse(intent: str, confidence: float = 0.95, urgency: str | None = None, fallback: bool = False) -> dict:
    """A Rasa parse result as /model/parse returns it."""
    ranking = [{"name": intent, "confidence": confidence}, {"name": "out_of_scope", "confidence": 0.01}]
    top = {"name": "nlu_fallback", "confidence": 0.75} if fallback else ranking[0]
    entities = []
    if urgency:
        entities.append(
            {"entity": "urgency", "value": urgency, "start": 0, "end": 4, "extractor": "UrgencyClassifier"}
        )
    return {
        "text": "…",
        "intent": top,
        "intent_ranking": ([top] if fallback else []) + ranking,
        "entities": entities,
    }


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("电线杆上的线掉下来了，还在冒火花", "danger"),
        ("楼道的电表箱在冒烟，有股焦味", "danger"),
        ("我妈刚才被插座电了一下", "danger"),
        ("外面轰的一声，家里就全黑了", "danger"),
        ("a power line is down on our street", "danger"),
        ("I smell burning near the meter box", "danger"),
        ("家里从早上到现在都没电，老人用着制氧机", "outage"),
        ("就我家没电，邻居家都亮着", "outage"),
        ("整个小区停电了，我爸在用呼吸机", "outage"),
        ("we have no power at home since this morning", "outage"),
        ("叫你们经理出来", "anger"),
        ("再不给我解决我就打12345", "anger"),
        ("我要找媒体曝光你们", "anger"),
        ("I want to speak to your manager", "anger"),
    ],
)
def test_the_rules_read_each_urgent_kind(text, kind):
    assert read(text).urgency == kind


@pytest.mark.parametrize(
    "text",
    [
        "停电了吗什么时候来电",  # an area outage inquiry
        "明天我们小区停电吗",
        "卡表没电了，来买电",  # credit, not a fault
        "欠费停电了，我来交钱",
        "上次电线断了，你们修好了",  # the past
        "电热毯会不会着火",  # a safety question
        "气得我冒烟，电费怎么这么高",  # a metaphor: nothing electrical smokes
        "我要投诉抄表员态度不好",  # a complaint without a threat
        "我找大客户经理办增容",  # a manager asked for by business
        "我们经理让我来交电费",
        "12345让我来营业厅办过户",
        "今天停电到几点",
        "我来交电费",
    ],
)
def test_near_misses_are_not_urgent(text):
    assert read(text).urgency is None


def test_traditional_and_full_width_text_is_folded_first():
    assert read("電線掉下來了還在冒火花").urgency == "danger"
    assert read("叫你們經理出來！").urgency == "anger"
    assert read("营业厅几点开门？").question == "faq"


def test_the_assistant_adds_what_the_rules_miss():
    text = "院子里那根线一直滋滋响"
    assert read(text).urgency is None
    assert read(text, parse("fault_report", urgency="danger")).urgency == "danger"


def test_the_more_severe_kind_wins_when_rules_and_assistant_disagree():
    assert read("叫你们经理出来", parse("complaint", urgency="danger")).urgency == "danger"
    assert read("电表箱冒烟", parse("fault_report", urgency="outage")).urgency == "danger"


def test_an_except_phrase_vetoes_the_assistant_too():
    # the operator's `except` for outage (arrears, a prepaid meter) overrules the model
    assert read("欠费停电了，先交钱", parse("pay_bill", urgency="outage")).urgency is None


def test_an_unknown_urgency_value_is_ignored():
    assert read("我来交电费", parse("pay_bill", urgency="panic")).urgency is None


def test_materials_question_with_the_business_from_the_intent():
    reading = read("光伏并网要带什么材料", parse("solar_pv"))
    assert reading == Reading(urgency=None, question="materials", faq=None)
    assert (
        read("what documents do I need for a name transfer", parse("name_transfer")).question == "materials"
    )
    # the touch menu (no parse): the question is still seen, the tapped button names the business
    assert read("办过户需要准备哪些东西？").question == "materials"


@pytest.mark.parametrize(
    "text",
    [
        "我带了身份证来办过户",
        "材料都交齐了，到哪一步了",
        "需要多久能办好",
        "要多少钱",
        "what do I need to do",
    ],
)
def test_not_every_mention_of_documents_is_a_materials_question(text):
    assert read(text).question != "materials"


def test_documents_in_general_are_a_hall_fact_when_no_business_is_named():
    text = "来营业厅办事一般要带什么证件"
    assert read(text, parse("general_inquiry")) == Reading(question="faq", faq="documents")
    assert read("过户要带什么证件", parse("name_transfer")).question == "materials"


@pytest.mark.parametrize(
    ("text", "faq"),
    [
        ("营业厅几点开门", "opening_hours"),
        ("what time do you close", "opening_hours"),
        ("你们地址在哪", "address"),
        ("自助缴费机在哪", "self_service_terminals"),
        ("95598能报修吗", "hotline_95598"),  # digits next to Chinese: no \b between them
        ("一度电多少钱", "fees"),
        ("停车要收费吗", "parking"),  # parking is listed before fees: the tie goes to it
    ],
)
def test_hall_questions_find_their_entry(text, faq):
    assert read(text) == Reading(question="faq", faq=faq)


def test_every_example_of_the_faq_file_finds_its_entry():
    reader = utterance.hall_reader()
    for entry in reader.faq.values():
        for example in entry.examples:
            assert reader.read(example, parse("general_inquiry")).faq == entry.id, example


def test_a_request_with_a_fact_keyword_stays_a_request():
    # "峰谷" is a fees keyword, but nothing is asked
    assert read("申请峰谷电价", parse("tariff_change")).question is None
    assert read("小区车位装充电桩", parse("ev_charger")).question is None  # parking excepts chargers


def test_a_hall_question_nobody_configured_is_a_question_without_an_entry():
    assert read("营业厅有没有无线网", parse("general_inquiry")) == Reading(question="faq", faq=None)
    # an unsure assistant whose best guess names no business: still a question for a guide
    assert read("你们这能复印吗", parse("out_of_scope", 0.5, fallback=True)) == Reading(question="faq")
    # ... but not when its guess is a business: the assistant asks which one
    assert read("电线杆的事能办吗", parse("fault_report", 0.5, fallback=True)).question is None
    # and without a parse nobody can tell it is about the hall
    assert read("营业厅有没有无线网").question is None


def test_urgency_and_question_are_read_independently():
    reading = read("电表箱冒烟了，报修要带什么", parse("fault_report"))
    assert (reading.urgency, reading.question) == ("danger", "materials")


def test_empty_text_reads_as_nothing():
    assert read("") == Reading()
    assert read("   ", parse("greet")) == Reading()


def test_a_reading_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        read("叫你们经理出来").urgency = None  # type: ignore[misc]


def test_the_faq_answers_in_both_languages():
    entry = utterance.faq_entry("hotline_95598")
    assert entry is not None
    assert "95598" in entry.answer("zh") and "95598" in entry.answer("en")
    assert entry.answer("en") != entry.answer("zh")
    assert utterance.faq_entry("no_such_entry") is None


def _files(tmp_path, rules: str, faq: str):
    rules_file, faq_file = tmp_path / "utterance.yml", tmp_path / "faq.yml"
    rules_file.write_text(textwrap.dedent(rules), encoding="utf-8")
    faq_file.write_text(textwrap.dedent(faq), encoding="utf-8")
    return rules_file, faq_file


MINIMAL_FAQ = """
    faq:
      - id: wifi
        keywords: {zh: [[无线, 网]], en: [wifi]}
        examples: [有无线网吗]
        answer: {zh: 无线网名称是 Hall-Guest。, en: The Wi-Fi is Hall-Guest.}
"""


def test_an_operator_extends_the_files_without_code(tmp_path):
    rules, faq = _files(
        tmp_path,
        """
        urgency:
          danger:
            patterns: ['漏水.{0,4}配电']
          anger:
            patterns: ['投诉']
            except: ['投诉进度']
        questions:
          materials: ['带啥']
          asking: ['吗|\\?']
        """,
        MINIMAL_FAQ,
    )
    reader = Reader.from_files(rules, faq)
    assert reader.read("楼上漏水漏到配电箱里").urgency == "danger"
    assert reader.read("我要投诉").urgency == "anger"
    assert reader.read("查一下投诉进度").urgency is None
    assert reader.read("过户带啥").question == "materials"
    assert reader.read("营业厅有无线网吗") == Reading(question="faq", faq="wifi")
    assert reader.read("wifi?").faq == "wifi"
    assert reader.read("无线网密码是多少").faq is None  # nothing asked by these rules' `asking`


@pytest.mark.parametrize(
    ("rules", "faq", "message"),
    [
        ("urgency: {danger: {patterns: ['(unclosed']}}", MINIMAL_FAQ, "bad pattern"),
        ("urgency: {panic: {patterns: [x]}}", MINIMAL_FAQ, "unknown urgency kinds"),
        ("{}", "faq: [{id: x, keywords: {zh: [甲]}, answer: {zh: 甲}}]", "answer needs zh and en"),
        ("{}", "faq: [{id: Bad-Id, keywords: {zh: [甲]}, answer: {zh: 甲, en: a}}]", "entry id"),
        ("{}", "faq: [{id: x, answer: {zh: 甲, en: a}}]", "no keywords"),
        ("{}", "faq: [{id: x, keywords: {en: [[hours, on]]}, answer: {zh: 甲, en: a}}]", "put it in quotes"),
        ("[1, 2]", MINIMAL_FAQ, "expected a mapping"),
        ("{}", "faq: [{id: x, keywords: [甲], answer: {zh: 甲, en: a}}]", "lists under zh and en"),
    ],
)
def test_a_bad_file_fails_at_load_with_a_message(tmp_path, rules, faq, message):
    rules_file, faq_file = _files(tmp_path, rules, faq)
    with pytest.raises(UtteranceConfigError, match=message):
        Reader.from_files(rules_file, faq_file)
