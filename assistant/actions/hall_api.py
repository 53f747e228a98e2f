"""A small client of the hall server API (docs/api.md) for the actions."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import requests

logger = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:8000"
TIMEOUT_S = float(os.environ.get("KIOSK_API_TIMEOUT_S", "5"))


class HallApiError(Exception):
    """The hall server answered with an error, or could not be reached."""

    def __init__(self, status: int, code: str, message: str = "") -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class HallClient:
    """Calls the hall API with the device token; `session_id` is the Rasa sender id."""

    def __init__(
        self,
        session_id: str,
        base_url: str | None = None,
        token: str | None = None,
        http: requests.Session | None = None,
    ) -> None:
        self.session_id = session_id
        self.base_url = (base_url or os.environ.get("KIOSK_SERVER_URL") or DEFAULT_URL).rstrip("/")
        # same development default as the hall server (kiosk/settings.py)
        self.token = token if token is not None else os.environ.get("KIOSK_DEVICE_TOKEN", "dev-device-token")
        self.http = http or requests

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = self.http.request(
                method,
                self.base_url + path,
                params=params,
                json=body,
                headers=headers,
                timeout=TIMEOUT_S,
            )
        except requests.RequestException as exc:
            raise HallApiError(0, "unreachable", str(exc)) from exc
        if response.status_code == 204:
            return {}
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            code = error.get("code", "http_error")
            if code == "session_not_found" and body and body.get("session_id"):
                # A conversation that did not start at a kiosk (rasa shell, a
                # test, an integrator on the REST channel): the customer still
                # gets the ticket, it is just not linked to a visit.
                logger.warning("no kiosk session %s: calling %s without it", body["session_id"], path)
                unlinked = {k: v for k, v in body.items() if k != "session_id"}
                return self._request(
                    method, path, params=params, body=unlinked, idempotency_key=idempotency_key
                )
            raise HallApiError(response.status_code, code, error.get("message", response.text[:200]))
        return data

    # taxonomy -----------------------------------------------------------
    def business_type(self, business_type: str) -> dict[str, Any]:
        return self._request("GET", f"/api/business-types/{business_type}")

    def business_types(self) -> list[dict[str, Any]]:
        return self._request("GET", "/api/business-types").get("business_types", [])

    # routes ---------------------------------------------------------------
    def create_ticket(self, business_type: str, language: str, key: str) -> dict[str, Any]:
        return self._request(
            "POST",
            "/api/tickets",
            body={
                "business_type": business_type,
                "priority": False,
                "session_id": self.session_id,
                "language": language,
            },
            idempotency_key=key,
        )

    def duty(self, business_type: str) -> dict[str, Any]:
        return self._request("GET", "/api/duty", params={"business_type": business_type})

    def create_handover(self, business_type: str, staff_id: Any, key: str) -> dict[str, Any]:
        return self._request(
            "POST",
            "/api/handovers",
            body={"business_type": business_type, "staff_id": staff_id, "session_id": self.session_id},
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

    def alert_guide(self, reason: str, text: str | None, key: str) -> dict[str, Any]:
        body: dict[str, Any] = {"reason": reason, "session_id": self.session_id}
        if text:
            body["text"] = text
        return self._request("POST", "/api/guide-alerts", body=body, idempotency_key=key)


_TAXONOMY_CACHE: dict[str, Any] = {"at": 0.0, "types": {}}
_TAXONOMY_TTL_S = 60.0


def taxonomy(client: HallClient) -> dict[str, dict[str, Any]]:
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
