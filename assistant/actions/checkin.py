"""Check-in at the kiosk ("我有预约"): the booking code or the phone, then the hall's check-in, whose
ticket the kiosk shows and whose words (or refusal) are relayed as the hall put them."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from assistant.actions.hall_api import HallAction, HallApiError
from assistant.actions.texts import text
from assistant.actions.triage import client_for, idempotency_key, language_of, route
from assistant.textnorm import read_code

logger = logging.getLogger(__name__)


class ActionAskAppointmentCode(Action):
    def name(self) -> str:
        return "action_ask_appointment_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=text("ask_code", language_of(tracker)))
        return []


class ValidateCheckinForm(FormValidationAction):
    def name(self) -> str:
        return "validate_checkin_form"

    def validate_appointment_code(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found = read_code(str(slot_value or ""))
        if found is None:
            dispatcher.utter_message(text=text("bad_code", language_of(tracker)))
        return {"appointment_code": found}


class ActionCheckIn(HallAction):
    """The form has the code or the phone: the hall checks in (a ticket), or says why not."""

    def name(self) -> str:
        return "action_check_in"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = language_of(tracker)
        kind, _, value = str(tracker.get_slot("appointment_code") or "").partition(":")
        done = [SlotSet("appointment_code", None), SlotSet("stage", "done")]
        try:
            ticket = client_for(tracker).check_in(
                value if kind == "code" else None,
                value if kind == "phone" else None,
                language,
                idempotency_key(tracker, "check-in"),
            )
        except HallApiError as exc:
            if exc.status in (404, 409) and exc.message:
                dispatcher.utter_message(text=exc.message)  # worded by the hall in the customer's language
                return done
            logger.error("check-in failed: %s", exc)
            dispatcher.utter_message(text=text("system_trouble", language))
            return [
                SlotSet("appointment_code", None),
                *route(dispatcher, tracker, None, wants="person", why="low_confidence"),
            ]
        dispatcher.utter_message(text=ticket.get("message", ""))
        dispatcher.utter_message(json_message={"type": "ticket", "id": ticket.get("id")})
        return done
