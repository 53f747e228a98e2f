"""The contact forms: a call-back (name, phone) and an appointment (name, phone, a time slot), validated,
then taken or booked through the hall API."""

from __future__ import annotations

import abc
import asyncio
import logging
import re
from datetime import datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from assistant.actions.hall_api import HallAction, HallApiError
from assistant.actions.texts import text
from assistant.actions.triage import client_for, idempotency_key, language_of, relay, route
from assistant.textnorm import extract_phone, normalize_digits

logger = logging.getLogger(__name__)

MAX_SLOT_BUTTONS = 6
# The name is the text of the answer to the name question (no entity
# extractor learns names): what people say around it goes, "我叫张伟",
# "姓名：张伟", "名字就写张伟", "免贵姓张", "登记张伟的名字", "my name is Anna Wang".
NAME_PREFIX = re.compile(
    r"^(?:(?:我的|俺的)?(?:名字|姓名)(?:是|叫|就|写|[:：])*|我叫|俺叫|叫我|我是|免贵姓|我姓|联系人|登记人?|就写|写"
    r"|my name is|my name's|i am|i'm|name:?)\s*",
    re.I,
)
NAME_SUFFIX = re.compile(r"(?:的名字|就行|就好|就可以|吧|呀|啊|。|！|!|\.)+$")
# "我叫张伟，电话13812345678": the number fills the phone slot (its regex
# entity); the name is the first part of the answer without digits.
NAME_PARTS = re.compile(r"[，,;；、]")


def clean_name(value: str) -> str | None:
    """'我叫张三' -> '张三', '张三，13812345678' -> '张三'; None when it does not look like a name."""
    parts = [part.strip() for part in NAME_PARTS.split(value.strip())]
    words = [part for part in parts if part and not re.search(r"\d", part)]
    if not words:
        return None
    name = NAME_SUFFIX.sub("", NAME_PREFIX.sub("", words[0])).strip()
    if not name or len(name) > 20 or name.startswith("/"):
        return None
    return name


def slot_label(slot: dict[str, Any], language: str) -> str:
    try:
        start = datetime.fromisoformat(str(slot["start"]))
        end = datetime.fromisoformat(str(slot["end"]))
    except (KeyError, ValueError):
        return str(slot.get("id"))
    weekdays = text("weekday", language)
    if language == "en":
        day = weekdays.split()[start.weekday()]
        return f"{day} {start:%d %b} {start:%H:%M}-{end:%H:%M}"
    return f"{start.month}月{start.day}日 周{weekdays[start.weekday()]} {start:%H:%M}-{end:%H:%M}"


def match_slot(
    value: str, slots: list[dict[str, Any]], today: datetime | None = None
) -> dict[str, Any] | None:
    """A slot from a button id ('17'), or from words like '明天上午' / '后天下午3点'."""
    value = normalize_digits(str(value)).strip()
    for slot in slots:
        if str(slot.get("id")) == value:
            return slot
    parsed = []
    for slot in slots:
        try:
            parsed.append((datetime.fromisoformat(str(slot["start"])), slot))
        except (KeyError, ValueError):
            continue
    if not parsed:
        return None
    today = today or datetime.now(parsed[0][0].tzinfo)
    day_offset = None
    for word, offset in (("今天", 0), ("明天", 1), ("后天", 2), ("today", 0), ("tomorrow", 1)):
        if word in value.lower():
            day_offset = offset
    half = None
    if any(w in value.lower() for w in ("上午", "早上", "morning", "am")):
        half = "am"
    if any(w in value.lower() for w in ("下午", "afternoon", "pm")):
        half = "pm"
    hour_match = re.search(r"(\d{1,2})\s*(点|:|：|时|o'clock)", value)
    hour = int(hour_match.group(1)) if hour_match else None
    if hour is not None and half == "pm" and hour < 12:
        hour += 12
    if day_offset is None and half is None and hour is None:
        return None
    for start, slot in sorted(parsed, key=lambda p: p[0]):
        if day_offset is not None and (start.date() - today.date()).days != day_offset:
            continue
        if half == "am" and start.hour >= 12:
            continue
        if half == "pm" and start.hour < 12:
            continue
        if hour is not None and start.hour != hour:
            continue
        return slot
    return None


def free_slots(tracker: Tracker) -> list[dict[str, Any]]:
    business_type = tracker.get_slot("business_type") or "general_inquiry"
    slots = client_for(tracker).appointment_slots(business_type, days=3)
    return [s for s in slots if s.get("free", 1)]


def slot_buttons(slots: list[dict[str, Any]], language: str) -> list[dict[str, str]]:
    return [
        {
            "title": slot_label(slot, language),
            "payload": '/inform{{"appointment_slot": "{}"}}'.format(slot["id"]),
        }
        for slot in slots[:MAX_SLOT_BUTTONS]
    ]


class ActionAskPersonName(Action):
    def name(self) -> str:
        return "action_ask_person_name"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=text("ask_person_name", language_of(tracker)))
        return []


class ActionAskPhone(Action):
    def name(self) -> str:
        return "action_ask_phone"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=text("ask_phone", language_of(tracker)))
        return []


class ActionAskAppointmentSlot(HallAction):
    """Offers the free slots of the next days as buttons."""

    def name(self) -> str:
        return "action_ask_appointment_slot"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = language_of(tracker)
        try:
            slots = free_slots(tracker)
        except HallApiError as exc:
            logger.error("appointment slots: %s", exc)
            slots = []
        if not slots:
            dispatcher.utter_message(text=text("no_slots", language))
            events = route(dispatcher, tracker, None, wants="person", why="low_confidence")
            return [ActiveLoop(None), SlotSet("requested_slot", None), *events]
        dispatcher.utter_message(text=text("ask_slot", language), buttons=slot_buttons(slots, language))
        return []


class ContactValidation(FormValidationAction, abc.ABC):
    """One validate_<slot> per slot; a bad value is answered and asked again."""

    @abc.abstractmethod
    def name(self) -> str: ...

    def validate_person_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = clean_name(str(slot_value or ""))
        if name is None:
            dispatcher.utter_message(text=text("bad_name", language_of(tracker)))
        return {"person_name": name}

    def validate_phone(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = extract_phone(str(slot_value or ""))
        if phone is None:
            dispatcher.utter_message(text=text("bad_phone", language_of(tracker)))
        return {"phone": phone}


class ValidateCallbackForm(ContactValidation):
    def name(self) -> str:
        return "validate_callback_form"


class ValidateAppointmentForm(ContactValidation):
    def name(self) -> str:
        return "validate_appointment_form"

    async def validate_appointment_slot(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        language = language_of(tracker)
        try:
            slots = await asyncio.to_thread(free_slots, tracker)
        except HallApiError as exc:
            logger.error("appointment slots: %s", exc)
            slots = []
        slot = match_slot(str(slot_value or ""), slots)
        if slot is None:
            dispatcher.utter_message(text=text("bad_slot", language))
            return {"appointment_slot": None}
        return {"appointment_slot": str(slot["id"])}


class ActionBookAppointment(HallAction):
    """The form is complete: book the slot."""

    def name(self) -> str:
        return "action_book_appointment"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = language_of(tracker)
        business_type = tracker.get_slot("business_type") or "general_inquiry"
        slot_id = tracker.get_slot("appointment_slot")
        try:
            booking = client_for(tracker).book_appointment(
                int(slot_id) if str(slot_id).isdigit() else slot_id,
                business_type,
                tracker.get_slot("person_name"),
                tracker.get_slot("phone"),
                idempotency_key(tracker, "appointment"),
            )
        except HallApiError as exc:
            if exc.status == 409:
                dispatcher.utter_message(text=text("slot_taken", language))
                return [SlotSet("appointment_slot", None), FollowupAction("appointment_form")]
            if exc.status == 422 and exc.code == "invalid_phone":
                dispatcher.utter_message(text=text("bad_phone", language))
                return [SlotSet("phone", None), FollowupAction("appointment_form")]
            logger.error("booking failed: %s", exc)
            dispatcher.utter_message(text=text("system_trouble", language))
            return route(dispatcher, tracker, None, wants="person", why="low_confidence")
        slot = booking.get("slot") or {}
        dispatcher.utter_message(
            text=text(
                "appointment",
                language,
                when=slot_label(slot, language) if slot else slot_id,
                code=booking.get("code", ""),
                phone=booking.get("phone_masked", ""),
            )
        )
        dispatcher.utter_message(json_message={"type": "appointment", "id": booking.get("id")})
        return [SlotSet("stage", "done")]


class ActionRequestCallback(HallAction):
    """The call-back form is complete: the department is asked to call; an appointment is offered instead."""

    def name(self) -> str:
        return "action_request_callback"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = language_of(tracker)
        try:
            reply = client_for(tracker).request_callback(
                tracker.get_slot("business_type") or "general_inquiry",
                tracker.get_slot("person_name"),
                tracker.get_slot("phone"),
                language,
                idempotency_key(tracker, "callback"),
            )
        except HallApiError as exc:
            if exc.status == 422 and exc.code == "invalid_phone":
                dispatcher.utter_message(text=text("bad_phone", language))
                return [SlotSet("phone", None), FollowupAction("callback_form")]
            logger.error("call-back failed: %s", exc)
            dispatcher.utter_message(text=text("system_trouble", language))
            return route(dispatcher, tracker, None, wants="person", why="low_confidence")
        relay(dispatcher, reply)
        dispatcher.utter_message(json_message={"type": "callback", "id": reply.get("id")})
        return [SlotSet("stage", "callback_taken")]


class ActionCancelForm(Action):
    """ "算了" during a form: nothing is taken or booked."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=text("form_cancelled", language_of(tracker)))
        return [
            SlotSet("person_name", None),
            SlotSet("phone", None),
            SlotSet("appointment_slot", None),
            SlotSet("stage", "done"),
        ]
