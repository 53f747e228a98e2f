"""The routing decision, pinned: every business type × reachability × urgency, then hours and questions."""
from __future__ import annotations

import itertools

import pytest

from kiosk.hall import taxonomy
from kiosk.hall.context import Hall
from kiosk.hall.routing import URGENT_BUSINESS, Person, decide
from kiosk.hall.utterance import Reader, Reading
from kiosk.settings import Settings

HALL = Hall(taxonomy=taxonomy.load(Settings().business_types_file))
SOMEONE = Person(id=7, name="王经理", desk="大客户经理室")

# business type: (outcome with nobody reachable, outcome with someone reachable), the hall open
ROUTES = {
    "pay_bill": ("self_service", "self_service"),
    "bill_inquiry": ("ticket", "ticket"),
    "invoice": ("ticket", "ticket"),
    "new_connection_residential": ("ticket", "ticket"),
    "new_connection_business": ("callback", "handover"),
    "capacity_change": ("callback", "handover"),
    "ev_charger": ("ticket", "ticket"),
    "solar_pv": ("callback", "handover"),
    "name_transfer": ("ticket", "ticket"),
    "tariff_change": ("ticket", "ticket"),
    "meter_relocation": ("ticket", "ticket"),
    "account_closure": ("ticket", "ticket"),
    "meter_issue": ("ticket", "ticket"),
    "fault_report": ("callback", "handover"),
    "outage_inquiry": ("ticket", "ticket"),
    "complaint": ("callback", "handover"),
    "application_status": ("ticket", "ticket"),
    "online_service_help": ("self_service", "self_service"),
    "general_inquiry": ("ticket", "ticket"),
}


def reachable_if(someone: bool):
    return lambda business_type: [SOMEONE] if someone else []


def test_the_table_names_every_business_type_of_the_taxonomy():
    assert set(ROUTES) == set(HALL.taxonomy.types)


@pytest.mark.parametrize(
    "business_type,someone,urgency",
    list(itertools.product(sorted(ROUTES), [False, True], [None, "danger", "outage", "anger"])),
)
def test_every_business_type_by_reachability_and_urgency(business_type, someone, urgency):
    d = decide(HALL, business_type, Reading(urgency=urgency), reachable_if(someone), open_now=True)
    if urgency is None:
        assert d.outcome == ROUTES[business_type][someone]
        assert d.person == (SOMEONE if d.outcome == "handover" else None)
        assert d.alert is None
    else:
        # never an appointment or a call-back: a person now, the dispatcher or duty manager when reachable
        assert d.outcome == "emergency" and d.alert == urgency and d.urgency == urgency
        assert d.person == (SOMEONE if someone else None)
    assert d.business_type == business_type


def test_urgent_cases_summon_the_person_of_their_own_business():
    asked = []

    def reachable(business_type):
        asked.append(business_type)
        return [SOMEONE]

    for urgency, business in URGENT_BUSINESS.items():
        asked.clear()
        d = decide(HALL, None, Reading(urgency=urgency), reachable, open_now=False)
        assert asked == [business] and d.outcome == "emergency" and d.closed


@pytest.mark.parametrize("someone", [False, True])
def test_outside_the_hall_hours(someone):
    expected = {"counter": "answer", "self_service": "self_service",
                "back_office": "callback", "other_department": "callback"}
    for bt in HALL.taxonomy.types.values():
        for wants in ("service", "ticket"):
            d = decide(HALL, bt.id, Reading(), reachable_if(someone), open_now=False, wants=wants)
            assert (d.outcome, d.closed) == (expected[bt.route], True), (bt.id, wants)


def test_a_ticket_asked_for_after_the_offer():
    assert decide(HALL, "pay_bill", Reading(), reachable_if(False), open_now=True, wants="ticket").outcome == "ticket"
    # a back-office business has no ticket: the customer goes on to its route
    d = decide(HALL, "solar_pv", Reading(), reachable_if(True), open_now=True, wants="ticket")
    assert d.outcome == "handover"


def test_questions_are_answered_never_ticketed():
    for bt in HALL.taxonomy.types:
        d = decide(HALL, bt, Reading(question="materials"), reachable_if(True), open_now=True)
        assert d.outcome == "answer" and d.question == "materials"
    fact = next(iter(HALL.reader.faq))
    d = decide(HALL, None, Reading(question="faq", faq=fact), reachable_if(False), open_now=True)
    assert (d.outcome, d.faq) == ("answer", fact)


def test_what_nobody_configured_goes_to_a_guide():
    cases = [
        (None, Reading(question="faq", faq="no_such_fact")),
        (None, Reading(question="faq")),
        (None, Reading(question="materials")),  # materials of no named business
    ]
    for business_type, reading in cases:
        d = decide(HALL, business_type, reading, reachable_if(True), open_now=True)
        assert (d.outcome, d.alert) == ("guide", "question")
    d = decide(HALL, None, Reading(), reachable_if(True), open_now=True)
    assert (d.outcome, d.alert) == ("guide", "low_confidence")


def test_asking_for_a_person_gets_a_guide_unless_it_is_urgent():
    d = decide(HALL, "invoice", Reading(), reachable_if(True), open_now=True, wants="person", why="out_of_scope")
    assert (d.outcome, d.alert) == ("guide", "out_of_scope")
    d = decide(HALL, None, Reading(urgency="anger"), reachable_if(True), open_now=True, wants="person")
    assert d.outcome == "emergency"


def test_the_hall_answers_from_the_faq_file_its_settings_name(tmp_path):
    faq = tmp_path / "faq.yml"
    faq.write_text(
        "faq:\n  - id: wifi\n    keywords:\n      zh: [无线网]\n      en: [wifi]\n"
        "    answer:\n      zh: 大厅无线网络名称 SGCC-Guest，无需密码。\n      en: The hall's Wi-Fi is SGCC-Guest, no password.\n",
        encoding="utf-8",
    )
    hall = Hall(taxonomy=HALL.taxonomy, reader=Reader.from_files(faq_file=faq))
    reading = hall.reader.read("营业厅有无线网吗？")
    assert reading == Reading(question="faq", faq="wifi")
    assert decide(hall, None, reading, reachable_if(False), open_now=True).outcome == "answer"
    # the default file has no such fact: a guide answers it
    assert decide(HALL, None, reading, reachable_if(False), open_now=True).outcome == "guide"
