"""Triage actions: judge the business type, confirm it, and act on its route."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.hall_api import HallAction, HallApi, HallApiError, taxonomy
from assistant.actions.texts import text

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
    # The same user turn never creates a second ticket / booking / alert,
    # even when Rasa retries the action.
    message_id = tracker.latest_message.get("message_id") or len(tracker.events)
    return f"{tracker.sender_id}:{kind}:{message_id}"


def display_name(business_type: str, language: str, tracker: Tracker) -> str:
    info = taxonomy(client_for(tracker)).get(business_type)
    if not info:
        return business_type
    return info.get("en" if language == "en" else "zh") or business_type


def business_candidates(tracker: Tracker) -> list[dict[str, Any]]:
    """Business intents of the latest message's ranking, likeliest first."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    return [
        {"business_type": item["name"], "confidence": round(float(item.get("confidence") or 0), 4)}
        for item in ranking
        if item.get("name") in BUSINESS_TYPES
    ]


def alert_guide(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, language: str
) -> list[EventType]:
    """Calls a guide through the hall API and tells the customer so."""
    user_text = tracker.latest_message.get("text")
    try:
        alert = client_for(tracker).alert_guide(reason, user_text, idempotency_key(tracker, "alert"))
        alert_id = alert.get("id")
    except HallApiError as exc:
        logger.error("guide alert failed: %s", exc)
        alert_id = None
    dispatcher.utter_message(text=text("guide_coming", language))
    dispatcher.utter_message(json_message={"type": "guide_alert", "id": alert_id, "reason": reason})
    return [SlotSet("stage", "guide_called"), SlotSet("business_type", None)]


def issue_ticket(
    dispatcher: CollectingDispatcher, tracker: Tracker, business_type: str, language: str
) -> list[EventType]:
    try:
        ticket = client_for(tracker).create_ticket(
            business_type, language, idempotency_key(tracker, "ticket")
        )
    except HallApiError as exc:
        logger.error("ticket for %s failed: %s", business_type, exc)
        dispatcher.utter_message(text=text("system_trouble", language))
        return [*alert_guide_silently(tracker), SlotSet("stage", "guide_called")]
    position = ticket.get("position") or 1
    dispatcher.utter_message(
        text=text(
            "ticket",
            language,
            number=ticket.get("number"),
            ahead=max(int(position) - 1, 0),
            wait=ticket.get("estimated_wait_min", "-"),
        )
    )
    dispatcher.utter_message(json_message={"type": "ticket", **ticket})
    return [SlotSet("stage", "done")]


def alert_guide_silently(tracker: Tracker) -> list[EventType]:
    try:
        client_for(tracker).alert_guide(
            "low_confidence", "assistant: hall API error", idempotency_key(tracker, "alert")
        )
    except HallApiError:
        pass
    return []


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
    """A business-type intent: confirm it, or go ahead when the customer tapped a button."""

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
                    name=display_name(business_type, language, tracker),
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
    """The confirmed business type: materials, then ticket, self-service, hand-over or appointment."""

    def name(self) -> str:
        return "action_route"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = language_of(tracker)
        business_type = tracker.get_slot("business_type")
        client = client_for(tracker)
        if business_type not in BUSINESS_TYPES:
            dispatcher.utter_message(response="utter_ask_business")
            return [SlotSet("stage", None)]
        try:
            info = client.business_type(business_type)
        except HallApiError as exc:
            logger.error("business type %s: %s", business_type, exc)
            dispatcher.utter_message(text=text("system_trouble", language))
            return [*alert_guide_silently(tracker), SlotSet("stage", "guide_called")]

        name = info.get("en" if language == "en" else "zh") or business_type
        materials = (
            (info.get("materials") or {}).get(language) or (info.get("materials") or {}).get("zh") or []
        )
        message = text("start_business", language, name=name)
        if materials:
            items = "\n".join(f"{i}. {m}" for i, m in enumerate(materials, start=1))
            message += "\n" + text("materials", language, items=items)
        dispatcher.utter_message(text=message)
        dispatcher.utter_message(
            json_message={
                "type": "triage",
                "stage": "routed",
                "business_type": business_type,
                "route": info.get("route"),
                "queue": info.get("queue"),
                "materials": materials,
            }
        )

        route = info.get("route")
        if route == "counter":
            return issue_ticket(dispatcher, tracker, business_type, language)
        if route == "self_service":
            dispatcher.utter_message(
                text=text("self_service_offer", language),
                buttons=[
                    {"title": text("want_ticket", language), "payload": "/affirm"},
                    {"title": text("no_ticket", language), "payload": "/deny"},
                ],
            )
            return [SlotSet("stage", "self_service_offer")]
        # back_office / other_department: hand over to whoever is reachable now.
        try:
            duty = client.duty(business_type)
            staff = duty.get("staff") or []
            if duty.get("reachable") and staff:
                handover = client.create_handover(
                    business_type, staff[0]["id"], idempotency_key(tracker, "handover")
                )
                person = handover.get("staff") or staff[0]
                dispatcher.utter_message(
                    text=text(
                        "handover",
                        language,
                        staff=person.get("name", ""),
                        desk=person.get("desk", ""),
                    )
                )
                dispatcher.utter_message(json_message={"type": "handover", **handover})
                return [SlotSet("stage", "done")]
        except HallApiError as exc:
            logger.warning("hand-over for %s failed, booking instead: %s", business_type, exc)
        dispatcher.utter_message(text=text("need_appointment", language))
        return [SlotSet("stage", "need_appointment")]


class ActionIssueTicket(HallAction):
    """Self-service was offered and the customer still wants a counter ticket."""

    def name(self) -> str:
        return "action_issue_ticket"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = language_of(tracker)
        business_type = tracker.get_slot("business_type")
        if business_type not in BUSINESS_TYPES:
            dispatcher.utter_message(response="utter_ask_business")
            return [SlotSet("stage", None)]
        return issue_ticket(dispatcher, tracker, business_type, language)


class ActionCallGuide(HallAction):
    """Asked for a human, out of scope, or still unsure: alert a guide."""

    def name(self) -> str:
        return "action_call_guide"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        reason = ALERT_REASONS.get(intent or "", "low_confidence")
        return alert_guide(dispatcher, tracker, reason, language_of(tracker))
