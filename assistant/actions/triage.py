"""Triage actions: judge the business type, confirm it, and act on its route."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.hall_api import HallAction, HallApi, HallApiError, taxonomy
from assistant.actions.texts import text
from kiosk.hall.taxonomy import in_sentence

logger = logging.getLogger(__name__)

BUSINESS_TYPES = (
    "pay_bill",
    "bill_inquiry",
    "invoice",
    "new_connection_residential",
    "new_connection_business",
    "capacity_change",
    "ev_charger",
    "solar_pv",
    "name_transfer",
    "tariff_change",
    "meter_relocation",
    "account_closure",
    "meter_issue",
    "fault_report",
    "outage_inquiry",
    "complaint",
    "application_status",
    "online_service_help",
    "general_inquiry",
)

# What the hall read in the customer's words, sent as the entities of the hall's message
# (kiosk/hall/turns.py): /request_human{"urgency": "danger"}, /solar_pv{"question": "materials"}.
READING = ("urgency", "question", "faq")
# What the hall's reply names by id, and what it carries as it is (docs/api.md, POST /api/route);
# a call-back the dialog takes itself (callback_form), so its form is not relayed.
MADE = ("ticket", "handover", "guide_alert")
FACTS = ("decision", "emergency", "answer")
# The dialog's payload for each choice the hall offers.
OFFER_PAYLOADS = {
    "ticket": "/affirm",
    "proceed": "/affirm",
    "appointment": "/affirm",
    "no_ticket": "/deny",
    "self_service": "/deny",
    "wait_call": "/deny",
}
# Where the dialog stands after each outcome of the hall's decision (nlu/rules.yml branches on it).
STAGE_AFTER = {
    "ticket": "done",
    "self_service": "self_service_offer",
    "handover": "done",
    "callback": "need_callback",
    "guide": "guide_called",
    "emergency": "guide_called",
    "answer": "ticket_offered",
}

# Guide-alert reasons of the hall API, by the intent that led to the alert.
ALERT_REASONS = {
    "request_human": "asked_for_human",
    "out_of_scope": "out_of_scope",
    "complaint": "complaint",
}

MAX_CLARIFY_OPTIONS = 3
# An option below this share of the top candidate is not worth a button.
CLARIFY_MIN_RATIO = 0.15
# Nor is one the classifier gives less than this: after a request that names
# no business ("我有事要办", intent unclear_request) the business types of the
# ranking are noise, and the question is an open one.
CLARIFY_MIN_CONFIDENCE = 0.1


def language_of(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("language") == "en" else "zh"


def client_for(tracker: Tracker) -> HallApi:
    return HallApi(session_id=tracker.sender_id)


def idempotency_key(tracker: Tracker, kind: str) -> str:
    # One key per kiosk turn (the hall's Idempotency-Key, sent in the metadata as `turn`): the
    # same turn never creates a second ticket / hand-over / booking, even when it is repeated
    # after a timeout or Rasa retries the action.
    latest = tracker.latest_message
    turn = (latest.get("metadata") or {}).get("turn") or latest.get("message_id") or len(tracker.events)
    return hashlib.sha256(f"{tracker.sender_id}:{kind}:{turn}".encode()).hexdigest()[:40]


def typed_text(tracker: Tracker) -> str:
    """What the customer typed this turn (the hall sends it along when it rewrote the message)."""
    latest = tracker.latest_message
    said = (latest.get("metadata") or {}).get("text") or latest.get("text") or ""
    return "" if said.startswith("/") else said


def reading_of(tracker: Tracker) -> dict[str, str]:
    """What the hall read in the customer's words: urgency, question, faq (the message's entities)."""
    found = {}
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") in READING and entity.get("value"):
            found[entity["entity"]] = str(entity["value"])
    return found


def short_name(info: dict[str, Any], business_type: str, language: str) -> str:
    """The business type's short name in the customer's language (config/business_types.yml)."""
    lang = "en" if language == "en" else "zh"
    return (info.get("short") or {}).get(lang) or info.get(lang) or business_type


def display_name(business_type: str, language: str, tracker: Tracker) -> str:
    return short_name(taxonomy(client_for(tracker)).get(business_type) or {}, business_type, language)


def business_candidates(tracker: Tracker) -> list[dict[str, Any]]:
    """Business intents of the latest message's ranking, likeliest first."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    return [
        {"business_type": item["name"], "confidence": round(float(item.get("confidence") or 0), 4)}
        for item in ranking
        if item.get("name") in BUSINESS_TYPES
    ]


def relay(dispatcher: CollectingDispatcher, reply: dict[str, Any]) -> None:
    """Say the hall's reply as it is worded; what it made goes to the kiosk by id."""
    messages = reply.get("messages") or []
    buttons = [{"title": o["title"], "payload": OFFER_PAYLOADS[o["id"]]} for o in reply.get("offers") or []]
    for i, message in enumerate(messages):
        last = i == len(messages) - 1
        dispatcher.utter_message(text=message["text"], buttons=buttons if last and buttons else None)
    for kind in MADE:
        if isinstance((reply.get(kind) or {}).get("id"), int):
            dispatcher.utter_message(json_message={"type": kind, "id": reply[kind]["id"]})
    for kind in FACTS:
        if reply.get(kind):
            dispatcher.utter_message(json_message={"type": kind, **reply[kind]})


def route(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    business_type: str | None,
    *,
    wants: str = "service",
    why: str = "asked_for_human",
) -> list[EventType]:
    """Ask the hall what to do (POST /api/route), relay its reply, and move the dialog on."""
    language = language_of(tracker)
    body: dict[str, Any] = {"wants": wants, "why": why, "language": language, "text": typed_text(tracker)}
    body.update(reading_of(tracker))
    if business_type:
        body["business_type"] = business_type
    try:
        reply = client_for(tracker).route(idempotency_key(tracker, f"route-{wants}"), **body)
    except HallApiError as exc:
        logger.error("routing %s failed: %s", business_type, exc)
        dispatcher.utter_message(text=text("system_trouble", language))
        return [SlotSet("stage", "guide_called")]
    relay(dispatcher, reply)
    decision = reply.get("decision") or {}
    stage = STAGE_AFTER.get(str(decision.get("outcome")), "done")
    if stage in ("self_service_offer", "ticket_offered") and not reply.get("offers"):
        stage = "done"  # nothing to choose: the hall is closed
    return [SlotSet("stage", stage), SlotSet("business_type", decision.get("business_type"))]


class ActionSetLanguage(Action):
    """Slot mapping of `language`: the kiosk sends {"language": "en"|"zh"} as message metadata."""

    def name(self) -> str:
        return "action_set_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        metadata = tracker.latest_message.get("metadata") or {}
        if not metadata:
            for event in reversed(tracker.events):
                if event.get("event") == "user":
                    metadata = event.get("metadata") or {}
                    break
        language = str(metadata.get("language") or "").lower()[:2]
        if language in ("zh", "en") and language != tracker.get_slot("language"):
            return [SlotSet("language", language)]
        return []


class ActionTriage(HallAction):
    """A business-type intent: answer the question asked about it, or confirm it, or go ahead
    when the customer tapped a button."""

    def name(self) -> str:
        return "action_triage"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = language_of(tracker)
        intent = tracker.latest_message.get("intent") or {}
        business_type = intent.get("name")
        if business_type not in BUSINESS_TYPES:
            dispatcher.utter_message(text=text("clarify_open", language))
            return [SlotSet("stage", None), SlotSet("business_type", None)]
        if reading_of(tracker).get("question"):
            # "光伏并网要带什么材料": the hall answers; a ticket is offered, not issued
            named = None if business_type == "general_inquiry" else business_type
            return route(dispatcher, tracker, named)
        # A tapped button (payload "/invoice") is the customer's own choice.
        explicit = (tracker.latest_message.get("text") or "").startswith("/")
        stage = "confirmed" if explicit else "confirming"
        info = taxonomy(client_for(tracker)).get(business_type, {})
        dispatcher.utter_message(
            json_message={
                "type": "triage",
                "stage": stage,
                "business_type": business_type,
                "confidence": round(float(intent.get("confidence") or 0), 4),
                "route": info.get("route"),
                "queue": info.get("queue"),
                "alternatives": business_candidates(tracker)[1:MAX_CLARIFY_OPTIONS],
                "text": tracker.latest_message.get("text"),
            }
        )
        if not explicit:
            dispatcher.utter_message(
                text=text(
                    "confirm_business",
                    language,
                    name=in_sentence(display_name(business_type, language, tracker), language),
                ),
                buttons=[
                    {"title": text("yes", language), "payload": "/affirm"},
                    {"title": text("no", language), "payload": "/deny"},
                ],
            )
        return [SlotSet("business_type", business_type), SlotSet("stage", stage)]


class ActionClarify(HallAction):
    """Unsure (nlu_fallback, unclear_request): one question with the likeliest two or three business types."""

    def name(self) -> str:
        return "action_clarify"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = language_of(tracker)
        candidates = [c for c in business_candidates(tracker) if c["confidence"] >= CLARIFY_MIN_CONFIDENCE][
            :MAX_CLARIFY_OPTIONS
        ]
        if candidates:
            top = candidates[0]["confidence"] or 1e-9
            candidates = [
                c for i, c in enumerate(candidates) if i < 2 or c["confidence"] >= CLARIFY_MIN_RATIO * top
            ]
        buttons = [
            {
                "title": display_name(c["business_type"], language, tracker),
                "payload": f"/{c['business_type']}",
            }
            for c in candidates
        ]
        buttons.append({"title": text("clarify_none", language), "payload": "/request_human"})
        dispatcher.utter_message(
            text=text("clarify" if candidates else "clarify_open", language), buttons=buttons
        )
        dispatcher.utter_message(
            json_message={
                "type": "triage",
                "stage": "clarifying",
                "business_type": None,
                "confidence": candidates[0]["confidence"] if candidates else 0.0,
                "alternatives": candidates,
                "text": tracker.latest_message.get("text"),
            }
        )
        return [SlotSet("stage", "clarifying"), SlotSet("business_type", None)]


class ActionRejectTriage(Action):
    """The customer said the guessed business type is wrong: ask again."""

    def name(self) -> str:
        return "action_reject_triage"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_business")
        return [SlotSet("stage", None), SlotSet("business_type", None)]


class ActionRoute(HallAction):
    """The confirmed business type: the hall's routing decision, relayed."""

    def name(self) -> str:
        return "action_route"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        business_type = tracker.get_slot("business_type")
        if business_type not in BUSINESS_TYPES:
            dispatcher.utter_message(response="utter_ask_business")
            return [SlotSet("stage", None)]
        return route(dispatcher, tracker, business_type)


class ActionIssueTicket(HallAction):
    """A ticket was offered (self-service first, or after an answer) and the customer wants it."""

    def name(self) -> str:
        return "action_issue_ticket"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        business_type = tracker.get_slot("business_type")
        if business_type not in BUSINESS_TYPES:
            dispatcher.utter_message(response="utter_ask_business")
            return [SlotSet("stage", None)]
        return route(dispatcher, tracker, business_type, wants="ticket")


class ActionCallGuide(HallAction):
    """Asked for a human, out of scope, still unsure, or urgent (the hall's reading): a person."""

    def name(self) -> str:
        return "action_call_guide"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return route(
            dispatcher, tracker, None, wants="person", why=ALERT_REASONS.get(intent or "", "low_confidence")
        )
