"""Where customers' text messages go: one interface, an outbox file (the default) or an HTTP SMS gateway."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Protocol

import requests

from kiosk.settings import Settings


class DeliveryError(Exception):
    """The gateway did not take the message; the hall tries again later."""


class Gateway(Protocol):
    name: str

    def send(self, recipient: str, text: str) -> None:
        """Hand the message over, or raise DeliveryError."""


class Outbox:
    """Appends each message to a file (the notification's row is the record): tests and the demo."""

    name = "outbox"
    _lock = threading.Lock()

    def __init__(self, path: Path):
        self.path = path

    def send(self, recipient: str, text: str) -> None:
        line = json.dumps({"to": recipient, "text": text}, ensure_ascii=False)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError as e:
            raise DeliveryError(f"outbox file: {e.strerror}") from None


class HttpSms:
    """POSTs the operator's template, its {phone} and {text} filled in (JSON-escaped), to the operator's URL."""

    name = "http"

    def __init__(self, url: str, template: str, token: str = "", timeout_s: float = 5.0):
        self.url, self.template, self.token, self.timeout_s = url, template, token, timeout_s

    def body(self, recipient: str, text: str) -> str:
        escaped = {
            k: json.dumps(v, ensure_ascii=False)[1:-1] for k, v in (("phone", recipient), ("text", text))
        }
        return self.template.replace("{phone}", escaped["phone"]).replace("{text}", escaped["text"])

    def send(self, recipient: str, text: str) -> None:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            resp = requests.post(
                self.url, data=self.body(recipient, text).encode(), headers=headers, timeout=self.timeout_s
            )
        except requests.RequestException as e:
            raise DeliveryError(f"SMS gateway unreachable: {type(e).__name__}") from None
        if not resp.ok:
            raise DeliveryError(f"SMS gateway answered {resp.status_code}: {resp.text[:200]}")


def from_settings(settings: Settings) -> Gateway:
    if settings.sms_gateway == "http":
        return HttpSms(settings.sms_url, settings.sms_template, settings.sms_token)
    return Outbox(settings.outbox_file)
