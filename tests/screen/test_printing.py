"""The ticket printer: ESC/POS bytes, printer settings, and the print call of the kiosk."""
from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from kiosk import printing

TICKET = {"id": 7, "number": "A012", "queue": "A", "position": 4, "estimated_wait_min": 17.6,
          "issued_at": "2026-11-26T09:05:00+08:00", "materials": ["户号或电费通知单", "身份证"],
          "status_url": "http://hall.example/t/abc.def"}


def test_ticket_bytes_have_the_number_the_chinese_text_a_qr_code_and_a_cut():
    data = printing.render_ticket(TICKET, lang="zh", business_name="电费缴纳", queue_name="缴费及票据")
    assert data.startswith(b"\x1b@")                       # ESC @: initialise
    assert b"A012" in data
    for text in ("电费缴纳", "前面还有 3 位", "预计等候 18 分钟", "[ ] 身份证", "2026-11-26 09:05"):
        assert text.encode("gb18030") in data, text
    assert b"\x1c&" in data                               # FS &: Chinese mode
    assert b"\x1d(k" in data and b"http://hall.example/t/abc.def" in data   # native QR
    assert b"\x1dV" in data[-8:]                          # GS V: cut


def test_english_ticket_and_the_next_in_line():
    data = printing.render_ticket({**TICKET, "position": 1}, lang="en", business_name="Pay bill")
    assert b"You are next" in data and b"Pay bill" in data and b"ahead" not in data


@pytest.mark.parametrize("spec, expected", [
    ("file", printing.PrinterTarget("file", path=printing.DEFAULT_FILE)),
    ("file:/tmp/x.out", printing.PrinterTarget("file", path=Path("/tmp/x.out"))),
    ("usb:0416:5011", printing.PrinterTarget("usb", vendor=0x0416, product=0x5011)),
    ("net:192.168.1.50", printing.PrinterTarget("net", host="192.168.1.50", port=9100)),
    ("net:printer.local:9200", printing.PrinterTarget("net", host="printer.local", port=9200)),
])
def test_printer_settings(spec, expected):
    assert printing.parse_target(spec) == expected


@pytest.mark.parametrize("spec", ["lpt1", "usb:zz:11", "usb:0416", "net:", "net:host:port"])
def test_bad_printer_settings_fail_with_a_message(spec):
    with pytest.raises(printing.PrinterError):
        printing.parse_target(spec)


def test_file_printer_appends_each_ticket(tmp_path):
    out = tmp_path / "paper" / "printer.out"
    printing.print_ticket(TICKET, f"file:{out}", business_name="电费缴纳")
    printing.print_ticket({**TICKET, "number": "A013"}, f"file:{out}")
    data = out.read_bytes()
    assert data.index(b"A012") < data.index(b"A013") and data.count(b"\x1dV") == 2


def test_network_printer_receives_the_bytes():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    received = bytearray()

    def accept():
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    sent = printing.print_ticket(TICKET, f"net:127.0.0.1:{server.getsockname()[1]}")
    thread.join(5)
    server.close()
    assert len(received) == sent and b"A012" in received


def test_unreachable_network_printer_is_a_printer_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(printing.PrinterError):
        printing.print_ticket(TICKET, f"net:127.0.0.1:{port}")


def test_print_call_prints_once_per_ticket_and_says_when_the_printer_is_away(app, client, device, staff,
                                                                             tmp_path):
    visit = client.post("/api/visits/events", headers=device, json={
        "kind": "approach", "device_id": "kiosk-1", "track_id": "1",
        "at": "2026-11-26T09:00:00+08:00"}).json["visit_id"]
    ticket = client.post("/api/tickets", headers=device,
                         json={"business_type": "invoice", "visit_id": visit}).json
    out = tmp_path / "printer.out"
    app.extensions["settings"].printer = f"file:{out}"
    assert client.post(f"/api/kiosk/tickets/{ticket['id']}/print").status_code == 401
    r = client.post(f"/api/kiosk/tickets/{ticket['id']}/print?lang=zh", headers=device)
    assert r.status_code == 201 and r.json["printed"] and r.json["number"] == ticket["number"]
    again = client.post(f"/api/kiosk/tickets/{ticket['id']}/print", headers=device)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_printed"
    # a reprint is for staff (a customer given two tickets could hand one on)
    assert client.post(f"/api/kiosk/tickets/{ticket['id']}/print?reprint=1", headers=device).status_code == 403
    guide = staff("guide")
    assert client.post(f"/api/kiosk/tickets/{ticket['id']}/print?reprint=1", headers=guide).status_code == 201
    assert out.read_bytes().count(ticket["number"].encode()) == 2
    assert "发票开具".encode("gb18030") in out.read_bytes()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.extensions["settings"].printer = f"net:127.0.0.1:{port}"
    away = client.post(f"/api/kiosk/tickets/{ticket['id']}/print?reprint=1", headers=guide)
    assert away.status_code == 503 and away.json["error"]["code"] == "printer_unavailable"
    assert client.post("/api/kiosk/tickets/999999/print", headers=device).status_code == 404


def test_qr_code_and_status_page(client, device):
    ticket = client.post("/api/tickets", headers=device, json={"business_type": "pay_bill"}).json
    token = ticket["status_url"].rsplit("/", 1)[1]
    svg = client.get(f"/t/{token}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.data.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    page = client.get(f"/t/{token}")
    assert page.status_code == 200 and ticket["number"] in page.text and "马上就到您了" in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "Very poor" not in page.text
    english = client.get(f"/t/{token}?lang=en")
    assert "You are next" in english.text
    assert client.get("/t/forged.token").status_code == 404
    assert client.get("/t/forged.token/qr.svg").status_code == 404
