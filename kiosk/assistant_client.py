"""HTTP client of the Rasa server: parse a text, relay a kiosk message, read the conversation after a turn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests


class AssistantDown(Exception):
    """Rasa could not be reached or did not answer in time."""


@dataclass
class AssistantClient:
    url: str
    token: str
    timeout_s: float = 1.3

    def _call(self, method: str, path: str, params: dict | None = None, **kwargs) -> Any:
        try:
            resp = requests.request(
                method,
                f"{self.url.rstrip('/')}{path}",
                params={"token": self.token, **(params or {})},
                timeout=(0.5, self.timeout_s),
                **kwargs,
            )
            resp.raise_for_status()
            return resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise AssistantDown(f"{path}: {type(exc).__name__}") from exc

    def parse(self, text: str) -> dict:
        return self._call("POST", "/model/parse", json={"text": text})

    def send(self, sender: str, message: str, metadata: dict | None = None) -> list[dict]:
        return self._call(
            "POST",
            "/webhooks/rest/webhook",
            json={"sender": sender, "message": message, "metadata": metadata or {}},
        )

    def tracker(self, sender: str) -> dict:
        """The conversation now: its latest message (intent), slots and active form."""
        return self._call("GET", f"/conversations/{sender}/tracker", params={"include_events": "NONE"})
