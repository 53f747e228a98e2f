"""The routing decision: what the hall does for a customer after triage.

The one place of the route rule. From the business type, what the customer
said (an urgent case, a question, a request, the wish for a ticket or for a
person), who is reachable now and the hall's hours, it decides one outcome:

- ticket        a queue ticket (counter business; self-service business when asked for);
- self_service  self-service first, a ticket only if the customer still wants one;
- handover      a named back-office person who takes the business and is reachable now;
- callback      nobody reachable: name and phone for a call-back, or an appointment slot;
- guide         a guide comes (asked for, out of scope, unsure, a question nobody configured);
- emergency     danger, an outage at home now or an angry customer: a person at once, never
                an appointment (the dispatcher or duty manager when reachable, and a guide);
- answer        a question answered (materials, a hall fact), or the hall's hours when it is
                closed; a ticket offered, not issued.

The assistant's actions, the touch menu and the kiosk screen ask for it
(kiosk/hall/outcomes.py carries it out) and render it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace

from kiosk.hall.context import Hall
from kiosk.hall.utterance import Reading

OUTCOMES = ("ticket", "self_service", "handover", "callback", "guide", "emergency", "answer")
WANTS = ("service", "ticket", "person")
# whose business an urgent case is: their reachable person is summoned with the guide
URGENT_BUSINESS = {"danger": "fault_report", "outage": "fault_report", "anger": "complaint"}
BACK_OFFICE = ("back_office", "other_department")


@dataclass(frozen=True)
class Person:
    """Someone in the back office who can take the customer now."""

    id: int
    name: str
    desk: str


@dataclass(frozen=True)
class Decision:
    outcome: str
    business_type: str | None = None
    person: Person | None = None  # handover: who takes it; emergency: who is summoned besides a guide
    urgency: str | None = None
    question: str | None = None
    faq: str | None = None
    alert: str | None = None  # the guide alert's reason, when a guide is called
    closed: bool = False  # outside the hall's hours

    def as_dict(self) -> dict:
        return asdict(self)


Reachable = Callable[[str], Sequence[Person]]


def decide(
    hall: Hall,
    business_type: str | None,
    reading: Reading,
    reachable: Reachable,
    *,
    open_now: bool,
    wants: str = "service",
    why: str = "asked_for_human",
) -> Decision:
    """`reachable(business_type)`: who takes that business and can be reached now, likeliest first.
    `wants`: service (the customer named a business), ticket (asked for one after an offer),
    person (asked for a human; `why` is the guide alert's reason)."""
    if wants not in WANTS:
        raise ValueError(f"wants is one of {WANTS}")
    bt = hall.business_type(business_type) if business_type else None
    # what the customer said travels with every outcome, for the reply and the visit's record
    said = Decision(
        "guide",
        bt.id if bt else None,
        urgency=reading.urgency,
        question=reading.question,
        faq=reading.faq,
        closed=not open_now,
    )
    if reading.urgency:
        summoned = reachable(URGENT_BUSINESS[reading.urgency])
        return replace(
            said, outcome="emergency", person=summoned[0] if summoned else None, alert=reading.urgency
        )
    if wants == "person":
        return replace(said, alert=why)
    if reading.question == "materials" and bt is not None:
        return replace(said, outcome="answer")
    if reading.question == "faq" and reading.faq in hall.reader.faq:
        return replace(said, outcome="answer")
    if reading.question or bt is None:
        # a question nobody configured, or nothing the hall can act on
        return replace(said, alert="question" if reading.question else "low_confidence")
    if bt.route in BACK_OFFICE:
        people = reachable(bt.id) if open_now else ()
        if people:
            return replace(said, outcome="handover", person=people[0])
        return replace(said, outcome="callback")
    if not open_now:
        # no counter serves now; self-service terminals and the online app still do
        return replace(said, outcome="self_service" if bt.route == "self_service" else "answer")
    if bt.route == "self_service" and wants != "ticket":
        return replace(said, outcome="self_service")
    return replace(said, outcome="ticket")
