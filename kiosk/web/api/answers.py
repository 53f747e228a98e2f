"""What the API answers: the response bodies, declared for the OpenAPI document.

The views build their answers with kiosk/hall's dict builders; these schemas
pass each value through as it is (no conversion) and refuse an answer with a
key they do not declare, so the document cannot fall behind the code (the
tests call every route); a production hall logs such a key and answers it. An answer that gathers what a dialog turn made
(`Open`) may carry more than it lists.
"""

from __future__ import annotations

import logging
from typing import Any

from apiflask import Schema
from apiflask.fields import List, Nested, Raw
from flask import current_app, has_app_context
from marshmallow import INCLUDE, post_dump

log = logging.getLogger(__name__)


def _typed(kind: str, description: str | None = None, **kwargs: Any) -> Raw:
    meta = {"type": kind, **({"description": description} if description else {})}
    return Raw(metadata=meta, **kwargs)


def Str(**kwargs: Any) -> Raw:
    return _typed("string", **kwargs)


def Int(**kwargs: Any) -> Raw:
    return _typed("integer", **kwargs)


def Num(**kwargs: Any) -> Raw:
    return _typed("number", **kwargs)


def Bool(**kwargs: Any) -> Raw:
    return _typed("boolean", **kwargs)


def Obj(description: str | None = None) -> Raw:
    """An object whose keys are data (hours, queues, business types) or that the hall keeps free-form."""
    return _typed("object", description)


def Strs(**kwargs: Any) -> List:
    return List(Str(), **kwargs)


def Time() -> Raw:
    return Raw(metadata={"type": "string", "format": "date-time"})


def Null(field: Raw) -> Raw:
    """The field may be null."""
    field.allow_none = True
    return field


class Answer(Schema):
    @post_dump(pass_original=True)
    def _nothing_left_out(self, data: dict, original: Any, **_kwargs: Any) -> dict:
        if isinstance(original, dict):
            left_out = set(original) - set(data)
            if left_out:
                message = f"{type(self).__name__} does not declare {sorted(left_out)}"
                if not (has_app_context() and current_app.extensions["settings"].production):
                    raise RuntimeError(message)  # the tests and a developer's hall find the drift at once
                log.error("%s: answered as built", message)  # a hall in service goes on answering
                return {**data, **{key: original[key] for key in left_out}}
        return data


class Open(Schema):
    """An answer listing what it usually carries; a dialog turn may add what it made."""

    class Meta:
        unknown = INCLUDE  # documented as additionalProperties

    @post_dump(pass_original=True)
    def _keep_the_rest(self, data: dict, original: Any, **_kwargs: Any) -> dict:
        return {**original, **data} if isinstance(original, dict) else data


# -- building blocks ---------------------------------------------------------------


class CounterRef(Answer):
    id = Int()
    name = Str()


class Ticket(Answer):
    id = Int()
    number = Str()
    queue = Str()
    business_type = Str()
    priority = Bool()
    status = Str()
    position = Null(Int())
    estimated_wait_min = Num()
    quoted_wait_min = Null(Num())
    issued_at = Time()
    called_at = Null(Time())
    serving_at = Null(Time())
    finished_at = Null(Time())
    counter = Nested(CounterRef, allow_none=True)
    recalls = Int()
    transferred_from = Null(Str())
    materials = Strs()
    visit_id = Null(Int())
    language = Str()
    status_url = Str()


class TicketStatus(Answer):
    """What the customer's phone sees of a ticket: no ids; whether it has been rated."""

    rated = Bool()

    number = Str()
    queue = Str()
    business_type = Str()
    status = Str()
    position = Null(Int())
    estimated_wait_min = Num()
    counter = Nested(CounterRef, allow_none=True)
    materials = Strs()
    issued_at = Time()
    called_at = Null(Time())
    language = Str()


class Slot(Answer):
    id = Int()
    business_type = Str()
    desk = Str()
    start = Time()
    end = Time()
    capacity = Int()
    booked = Int()
    free = Int()


class Appointment(Answer):
    id = Int()
    code = Str()
    business_type = Str()
    name = Str()
    status = Str()
    slot = Nested(Slot)
    phone = Str()
    phone_masked = Str()
    ticket_id = Null(Int())
    visit_id = Null(Int())
    created_at = Time()
    language = Str()


class Booking(Appointment):
    """What the booker gets: where to go, what to bring, the customer's own page."""

    place = Str()
    materials = Strs()
    status_url = Str()
    duplicate = Bool()  # the same booking asked again


class DayAppointment(Appointment):
    time = Str()
    business_type_zh = Str()
    business_type_en = Str()
    place = Str()


class Lines(Answer):
    zh = Str()
    en = Str()


class Person(Answer):
    id = Int()
    name = Str()
    desk = Str()


class Handover(Answer):
    id = Int()
    visit_id = Null(Int())
    business_type = Str()
    business_type_zh = Str()
    business_type_en = Str()
    status = Str()
    urgent = Bool()
    text = Str()
    staff = Nested(Person, allow_none=True)
    meet = Null(Str())
    passed = Int()
    lines = Nested(Lines)
    created_at = Time()
    offered_at = Null(Time())
    answer_by = Null(Time())
    accepted_at = Null(Time())
    status_url = Str()


class Callback(Answer):
    id = Int()
    visit_id = Null(Int())
    handover_id = Null(Int())
    business_type = Str()
    business_type_zh = Str()
    business_type_en = Str()
    name = Str()
    phone_masked = Str()
    language = Str()
    status = Str()
    created_at = Time()
    updated_at = Null(Time())
    updated_by = Null(Str())


class DutyPerson(Answer):
    id = Int()
    name = Str()
    desk = Str()
    phone_masked = Str()
    business_types = Strs()
    shift = Null(Str())
    on_roster = Bool()
    available = Bool()
    reachable = Bool()


class Alert(Answer):
    id = Int()
    reason = Str()
    urgent = Bool()
    text = Str()
    visit_id = Null(Int())
    created_at = Time()
    resolved_at = Null(Time())


class Materials(Answer):
    zh = Strs()
    en = Strs()


class BusinessType(Answer):
    id = Str()
    zh = Str()
    en = Str()
    short = Nested(Lines)  # the name in a sentence
    route = Str()
    queue = Str()
    materials = Nested(Materials)


class SignedIn(Answer):
    id = Int()
    name = Str()
    at = Null(Time())


class Counter(Answer):
    id = Int()
    name = Str()
    queues = Strs()
    is_open = Bool()
    signed_in = Nested(SignedIn, allow_none=True)  # who works at it now


class DialogLine(Answer):
    speaker = Str()
    text = Str()


class TriageFlags(Answer):
    asked_for_human = Bool()
    low_confidence = Bool()
    priority = Bool()


class TicketRef(Answer):
    id = Int()
    number = Str()
    queue = Str()
    status = Str()
    priority = Bool()


class Triage(Answer):
    id = Int()
    visit_id = Null(Int())
    text = Str()
    business_type = Str()
    business_type_zh = Str()
    business_type_en = Str()
    route = Str()
    confidence = Num()
    source = Str()
    status = Str()
    corrected_to = Null(Str())
    created_at = Time()
    decided_at = Null(Time())
    dialog = List(Nested(DialogLine))
    flags = Nested(TriageFlags)
    ticket = Nested(TicketRef, allow_none=True)


class Button(Answer):
    title = Str()
    payload = Str()


class Message(Answer):
    text = Str()
    buttons = List(Nested(Button))


# -- answers of the routes -------------------------------------------------------------


class Ok(Answer):
    status = Str()


class Readiness(Answer):
    status = Str()
    failing = Obj("what is not ready, and why")


class Me(Answer):
    name = Str()
    role = Str()


class Queue(Answer):
    queue = Str()
    zh = Str()
    en = Str()
    waiting = Int()
    estimated_wait_min = Num()
    open_counters = Int()


class Queues(Answer):
    queues = List(Nested(Queue))


class Group(Answer):
    """A heading of the kiosk's More screen and its business types."""

    id = Str()
    zh = Str()
    en = Str()
    types = Strs()


class Taxonomy(Answer):
    business_types = List(Nested(BusinessType))
    queues = Obj("queue letter -> {zh, en}")
    groups = List(Nested(Group))


class Counters(Answer):
    counters = List(Nested(Counter))


class CurrentTicket(Answer):
    ticket = Nested(Ticket, allow_none=True)


class Slots(Answer):
    slots = List(Nested(Slot))


class DayList(Answer):
    date = Str()
    appointments = List(Nested(DayAppointment))


class CheckIn(Ticket):
    """The ticket of the checked-in appointment, and the words for the customer."""

    appointment = Nested(Appointment)
    in_window = Bool()
    message = Str()


class HandoverStatus(Answer):
    status = Str()
    line = Str()
    business_type = Str()


class Handovers(Answer):
    handovers = List(Nested(Handover))


class Callbacks(Answer):
    callbacks = List(Nested(Callback))


class CallbackPhone(Answer):
    id = Int()
    phone = Str()


class Offer(Answer):
    id = Str()
    title = Str()
    payload = Str()  # the touch menu's payload for this choice


class CallbackMade(Callback):
    messages = List(Nested(Message))
    offers = List(Nested(Offer))


class Staff(Answer):
    staff = List(Nested(DutyPerson))


class AlertMade(Answer):
    id = Int()
    reason = Str()
    urgent = Bool()


class Alerts(Answer):
    alerts = List(Nested(Alert))


class Flags(Answer):
    rain = Bool()
    wet_floor = Bool()


class Triages(Answer):
    triages = List(Nested(Triage))


class TicketTriage(Answer):
    triage = Nested(Triage, allow_none=True)


class Call(Answer):
    number = Str()
    called_at = Time()
    counter_id = Int()
    counter = Str()


class Calls(Answer):
    calls = List(Nested(Call))


class AuditEntry(Answer):
    id = Int()
    at = Time()
    actor = Str()
    action = Str()
    target = Str()
    details = Obj()


class AuditLog(Answer):
    total = Int()
    entries = List(Nested(AuditEntry))


class Purged(Answer):
    deleted = Int()
    days = Int()


class Notification(Answer):
    id = Int()
    appointment_id = Null(Int())
    kind = Str()
    recipient = Str()
    text = Str()
    gateway = Str()
    status = Str()
    attempts = Int()
    last_error = Null(Str())
    created_at = Time()
    sent_at = Null(Time())


class Notifications(Answer):
    notifications = List(Nested(Notification))


class TicketPrinted(Answer):
    ticket_id = Int()
    number = Str()
    printed = Bool()
    bytes = Int()


class AppointmentPrinted(Answer):
    appointment_id = Int()
    printed = Bool()
    bytes = Int()


class VisitSummary(Answer):
    id = Int()
    device_id = Str()
    started_at = Time()
    ended_at = Null(Time())
    business_type = Null(Str())
    outcome = Null(Str())
    approached = Bool()
    greeted = Bool()
    greeting_latency_ms = Null(Int())
    triage_confidence = Null(Num())
    corrected = Bool()
    rating = Null(Int())
    language = Str()
    nearest_m = Null(Num())  # how near the customer came


class VisitService(Answer):
    number = Str()
    status = Str()
    counter = Null(Str())
    served_by = Null(Str())


class FoundVisit(VisitSummary):
    tickets = List(Nested(VisitService))


class VisitList(Answer):
    total = Int()
    limit = Int()
    offset = Int()
    visits = List(Nested(FoundVisit))


class VisitEvent(Answer):
    id = Int()
    at = Time()
    kind = Str()
    data = Obj()


class SnapshotRef(Answer):
    id = Int()
    at = Time()
    url = Str()


class Note(Answer):
    id = Int()
    at = Time()
    by = Null(Str())
    text = Str()


class Case(Answer):
    id = Int()
    visit_id = Int()
    ticket_id = Null(Int())
    origin = Str()
    reason = Str()
    account = Str()
    status = Str()
    opened_at = Time()
    opened_by = Null(Str())
    closed_at = Null(Time())
    closed_by = Null(Str())
    finding = Null(Str())
    notes = List(Nested(Note))  # not in a list of cases


class Cases(Answer):
    total = Int()
    cases = List(Nested(Case))


class Timeline(VisitSummary):
    events = List(Nested(VisitEvent))
    snapshots = List(Nested(SnapshotRef))
    tickets = List(Obj())
    triages = List(Obj())
    cases = List(Nested(Case))


class TicketRated(Answer):
    id = Int()
    ticket_id = Int()
    rating = Int()


class RatedByLink(Answer):
    rating = Int()


class ToRateTicket(Answer):
    id = Int()
    number = Str()
    business_type = Str()
    finished_at = Null(Time())
    language = Str()


class ToRate(Answer):
    """What the counter's rating pad offers now: its last ticket, just finished and not rated."""

    counter = Nested(CounterRef)
    ticket = Nested(ToRateTicket, allow_none=True)


class StaffReport(Answer):
    period = Obj()
    staff = List(Obj("a person's row; its keys are of its kind (counter, guide, backoffice)"))


class MyCard(Answer):
    period = Obj()
    card = Null(Obj("the caller's row of the staff report"))


class Kpis(Answer):
    period = Obj()
    visits = Int()
    arrivals_per_hour = Obj("local hour 00-23 -> arrivals")
    wait_by_queue = Obj("queue -> {tickets, mean_min, p90_min}")
    served_within_target = Obj()
    greeting = Obj()
    triage_accuracy = Obj("business type -> counts and accuracy")
    quoted_wait_error_min = Obj()
    appointments = Obj()
    satisfaction = Obj()


class EventRecorded(Answer):
    visit_id = Int()
    event_id = Int()
    duplicate = Bool()


class SnapshotStored(Answer):
    id = Int()
    visit_id = Int()


class Rated(Answer):
    visit_id = Int()
    rating = Int()


class Decision(Open):
    outcome = Str()
    business_type = Null(Str())
    closed = Bool()


class Routed(Open):
    """The routing decision and what it made (a ticket, a hand-over, a call-back...), with the customer's messages."""

    decision = Nested(Decision)
    messages = List(Nested(Message))
    offers = List(Nested(Offer))


class SessionStarted(Answer):
    id = Str()
    visit_id = Int()
    language = Str()
    mode = Str()
    messages = List(Nested(Message))


class Turn(Open):
    """The assistant's answer to a turn, and what the turn made (ticket, triage, call-back, hand-over, alert...)."""

    language = Str()
    mode = Str()
    messages = List(Nested(Message))


class ReadingAloud(Answer):
    device_id = Str()
    language = Str()
    pace = Str()


class Hushed(Answer):
    device_id = Str()


class SessionEnded(Answer):
    id = Str()
    visit_id = Int()
    ended = Bool()


class Judgement(Open):
    """The triage of one utterance: the business type, its route, the confidence, the flags."""

    business_type = Null(Str())
    confidence = Num()
