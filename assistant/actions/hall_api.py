"""The actions' side of the hall API (docs/api.md): its operations for one kiosk session, over kiosk.hall_client."""

from __future__ import annotations

import abc
import asyncio
import logging
import os
import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from kiosk.hall_client import HallApiError, HallClient

logger = logging.getLogger(__name__)

__all__ = ["HallAction", "HallApi", "HallApiError", "taxonomy"]

# One client for the whole action server: its connections are kept alive between actions.
_HALL = HallClient(timeout_s=float(os.environ.get("KIOSK_API_TIMEOUT_S", "5")))


class HallAction(Action, abc.ABC):
    """An action that calls the hall: `act` runs on a worker thread, so a slow hall
    never blocks the action server's event loop (and the other kiosks' actions).
    Abstract, so that rasa_sdk does not register it as an action of its own."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await asyncio.to_thread(self.act, dispatcher, tracker, domain)

    @abc.abstractmethod
    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]: ...


class HallApi:
    """The hall operations of the actions, for one kiosk session (`session_id`: the Rasa sender id)."""

    def __init__(self, session_id: str, hall: HallClient | None = None) -> None:
        self.session_id = session_id
        self.hall = hall or _HALL

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        try:
            return self.hall.call(method, path, params=params, json=body, idempotency_key=idempotency_key)
        except HallApiError as exc:
            if exc.code == "session_not_found" and body and body.get("session_id"):
                # A conversation that did not start at a kiosk (rasa shell, a
                # test, an integrator on the REST channel): the customer still
                # gets the ticket, it is just not linked to a visit.
                logger.warning("no kiosk session %s: calling %s without it", body["session_id"], path)
                unlinked = {k: v for k, v in body.items() if k != "session_id"}
                return self.hall.call(
                    method, path, params=params, json=unlinked, idempotency_key=idempotency_key
                )
            raise

    # taxonomy -----------------------------------------------------------
    def business_types(self) -> list[dict[str, Any]]:
        return self._request("GET", "/api/business-types").get("business_types", [])

    # the routing decision and what follows it -------------------------------
    def route(self, key: str, **body: Any) -> dict[str, Any]:
        """The hall decides and acts (POST /api/route): its reply is relayed as it is worded."""
        return self._request(
            "POST", "/api/route", body={**body, "session_id": self.session_id}, idempotency_key=key
        )

    def request_callback(
        self, business_type: str, name: str, phone: str, language: str, key: str
    ) -> dict[str, Any]:
        return self._request(
            "POST",
            "/api/callbacks",
            body={
                "business_type": business_type,
                "name": name,
                "phone": phone,
                "language": language,
                "session_id": self.session_id,
            },
            idempotency_key=key,
        )

    def appointment_slots(self, business_type: str, days: int = 3) -> list[dict[str, Any]]:
        data = self._request(
            "GET",
            "/api/appointments/slots",
            params={"business_type": business_type, "days": days},
        )
        return data.get("slots", [])

    def book_appointment(
        self, slot_id: Any, business_type: str, name: str, phone: str, key: str
    ) -> dict[str, Any]:
        return self._request(
            "POST",
            "/api/appointments",
            body={
                "slot_id": slot_id,
                "business_type": business_type,
                "name": name,
                "phone": phone,
                "session_id": self.session_id,
            },
            idempotency_key=key,
        )

    def check_in(self, code: str | None, phone: str | None, language: str, key: str) -> dict[str, Any]:
        """The customer's appointment (by code, else today's of that phone) becomes a ticket at this kiosk."""
        found = {"code": code} if code else {"phone": phone}
        return self._request(
            "POST",
            "/api/appointments/check-in",
            body={**found, "language": language, "session_id": self.session_id},
            idempotency_key=key,
        )


_TAXONOMY_CACHE: dict[str, Any] = {"at": 0.0, "types": {}}
_TAXONOMY_TTL_S = 60.0


def taxonomy(client: HallApi) -> dict[str, dict[str, Any]]:
    """The business types by id, cached for a minute (names for buttons and questions)."""
    now = time.monotonic()
    if _TAXONOMY_CACHE["types"] and now - _TAXONOMY_CACHE["at"] < _TAXONOMY_TTL_S:
        return _TAXONOMY_CACHE["types"]
    try:
        types = {bt["id"]: bt for bt in client.business_types()}
    except HallApiError:
        return _TAXONOMY_CACHE["types"]
    _TAXONOMY_CACHE.update(at=now, types=types)
    return types
