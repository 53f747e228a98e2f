"""The HTTP SMS gateway against a local fake operator: the template filled in, failures retried and
kept visible, a message given up on after its tries."""
from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk import clock
from kiosk.gateways import HttpSms
from kiosk.hall import notifications

TEMPLATE = '{"mobile": "{phone}", "content": "{text}", "sign": "供电营业厅"}'


class FakeOperator:
    """Answers with the statuses it is given, in turn (then 200), and keeps what it received."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.received: list[tuple[dict, dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.received.append((dict(self.headers), json.loads(body)))
                status = fake.statuses.pop(0) if fake.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b'{"ok": true}' if status == 200 else b"busy")

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def jobs_by_the_test(app):
    """The test runs the hall's jobs itself, with its clock: the server's own loop does not start."""
    from kiosk.web import maintenance

    maintenance.stop(app)


@pytest.fixture
def operator():
    fake = FakeOperator()
    yield fake
    fake.close()


def booked(client, device, text_phone="13812345678"):
    slot = client.get("/api/appointments/slots?business_type=solar_pv&days=14", headers=device).json["slots"][0]
    resp = client.post("/api/appointments", json={"slot_id": slot["id"], "business_type": "solar_pv",
                                                  "name": "张三", "phone": text_phone}, headers=device)
    assert resp.status_code == 201
    return resp.json


def deliver(app, gateway, at, attempts=3):
    with clock.frozen(at), app.extensions["sessions"]() as s:
        due = notifications.due(s)
    with clock.frozen(at):
        return notifications.deliver(app.extensions["sessions"], gateway, due, attempts)


def listed(client, staff):
    return client.get("/api/notifications", headers=staff("supervisor")).json["notifications"]


def test_the_template_is_filled_and_a_failure_is_retried(app, client, device, staff, operator):
    appt = booked(client, device)
    gateway = HttpSms(operator.url, TEMPLATE, token="operator-key")
    operator.statuses = [503]
    now = clock.now()
    assert deliver(app, gateway, now) == 0
    first = listed(client, staff)[0]
    assert (first["status"], first["attempts"], first["gateway"]) == ("pending", 1, "http")
    assert "503" in first["last_error"]
    assert deliver(app, gateway, now + timedelta(seconds=30)) == 0  # not due again yet
    assert deliver(app, gateway, now + timedelta(minutes=1)) == 1
    done = listed(client, staff)[0]
    assert (done["status"], done["attempts"], done["last_error"]) == ("sent", 2, None)
    headers, body = operator.received[-1]
    assert headers["Authorization"] == "Bearer operator-key"
    assert body["mobile"] == "13812345678" and body["sign"] == "供电营业厅"
    assert appt["code"] in body["content"] and body["content"] == done["text"]
    assert len(operator.received) == 2


def test_quotes_in_the_text_stay_valid_json(operator):
    HttpSms(operator.url, TEMPLATE).send("13812345678", 'say "hi"\n\\ 好')
    assert operator.received[-1][1]["content"] == 'say "hi"\n\\ 好'


def test_an_unreachable_gateway_fails_after_its_tries_and_stays_listed(app, client, device, staff):
    booked(client, device)
    gone = HttpSms("http://127.0.0.1:9/sms", TEMPLATE, timeout_s=1)
    at = clock.now()
    for minutes in (0, 1, 3):
        assert deliver(app, gone, at + timedelta(minutes=minutes)) == 0
    failed = listed(client, staff)[0]
    assert (failed["status"], failed["attempts"]) == ("failed", 3)
    assert "unreachable" in failed["last_error"]
    assert deliver(app, gone, at + timedelta(hours=1)) == 0  # given up: not tried again
    assert listed(client, staff)[0]["attempts"] == 3
    only_failed = client.get("/api/notifications?status=failed", headers=staff("supervisor")).json
    assert [n["id"] for n in only_failed["notifications"]] == [failed["id"]]


def test_the_http_gateway_needs_its_url():
    from pydantic import ValidationError

    from kiosk.settings import Settings

    with pytest.raises(ValidationError, match="KIOSK_SMS_URL"):
        Settings(env="development", sms_gateway="http")
