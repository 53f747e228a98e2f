"""Queue tickets and appointment slips on an ESC/POS thermal printer (python-escpos): USB, network, or a file.

The ticket is rendered once into ESC/POS bytes (python-escpos's `Dummy`
printer) and those bytes go to the device named by the `KIOSK_PRINTER`
setting:

- `file` (default): appended to `var/printer.out`; `file:PATH` appends to PATH.
  Tests and halls without a printer use this.
- `usb:VID:PID` (hex, e.g. `usb:0416:5011`): a USB printer (needs pyusb).
- `net:HOST[:PORT]`: a network printer, port 9100 by default.

Chinese text is sent in the printers' Chinese character mode (FS &) as
GB18030, which the common 58/80 mm Chinese thermal printers understand;
the QR code of the mobile status page uses the printer's own QR command.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.i18n import t

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "var" / "printer.out"
NET_PORT = 9100
NET_TIMEOUT_S = 5.0

_CHINESE_ON = b"\x1c\x26"  # FS &: Chinese character mode
_CHINESE_OFF = b"\x1c\x2e"  # FS .
_write_lock = threading.Lock()  # one ticket at a time reaches the device


class PrinterError(Exception):
    """The printer setting is wrong or the printer cannot be reached."""


@dataclass(frozen=True)
class PrinterTarget:
    kind: str  # file | usb | net
    path: Path | None = None
    vendor: int = 0
    product: int = 0
    host: str = ""
    port: int = NET_PORT


def parse_target(spec: str) -> PrinterTarget:
    spec = (spec or "file").strip()
    kind, _, rest = spec.partition(":")
    if kind == "file":
        return PrinterTarget("file", path=Path(rest) if rest else DEFAULT_FILE)
    if kind == "usb":
        vid, _, pid = rest.partition(":")
        try:
            return PrinterTarget("usb", vendor=int(vid, 16), product=int(pid, 16))
        except ValueError:
            raise PrinterError(f"printer {spec!r}: write usb:VID:PID in hex, e.g. usb:0416:5011") from None
    if kind == "net":
        host, _, port = rest.partition(":")
        if not host:
            raise PrinterError(f"printer {spec!r}: write net:HOST or net:HOST:PORT")
        try:
            return PrinterTarget("net", host=host, port=int(port) if port else NET_PORT)
        except ValueError:
            raise PrinterError(f"printer {spec!r}: the port is a number") from None
    raise PrinterError(f"printer {spec!r}: use file, file:PATH, usb:VID:PID or net:HOST[:PORT]")


def render_ticket(
    ticket: dict[str, Any],
    *,
    lang: str = "zh",
    business_name: str = "",
    queue_name: str = "",
    hall_name: str | None = None,
) -> bytes:
    """The ESC/POS bytes of one ticket: number, queue, position, wait, materials, QR, cut."""
    p, line = _slip(hall_name or t("app.name", lang))
    p.set(align="center", normal_textsize=True)
    if business_name:
        line(business_name)
    p.set(align="center", bold=True, custom_size=True, width=4, height=4)
    line(str(ticket["number"]))
    p.set(align="center", normal_textsize=True)
    if queue_name:
        line(t("screen.ticket.queue", lang, queue=ticket.get("queue", ""), name=queue_name))
    if ticket.get("position") is not None:
        ahead = max(0, ticket["position"] - 1)  # position 1 is called next
        line(t("screen.ticket.ahead", lang, n=ahead) if ahead else t("screen.ticket.no_wait", lang))
        if ahead:
            minutes = max(1, round(float(ticket.get("estimated_wait_min") or 0)))
            line(t("queue.wait", lang, minutes=minutes))
    issued = ticket.get("issued_at")
    if issued:
        try:
            line(datetime.fromisoformat(issued).strftime("%Y-%m-%d %H:%M"))
        except ValueError:
            pass
    return _finish(p, line, ticket.get("materials") or [], ticket.get("status_url"), lang)


def render_appointment(
    booking: dict[str, Any], *, lang: str = "zh", business_name: str = "", when: str = ""
) -> bytes:
    """The customer's copy of a booking: code, time, place, materials, the QR of its own page, cut."""
    p, line = _slip(t("app.name", lang))
    line(t("appointments.slip.title", lang))
    if business_name:
        line(business_name)
    p.set(align="center", bold=True, custom_size=True, width=3, height=3)
    line(str(booking["code"]))
    p.set(align="center", normal_textsize=True)
    line(t("appointments.slip.when", lang, time=when))
    line(t("appointments.slip.place", lang, place=booking.get("place", "")))
    line(t("appointments.slip.check_in", lang))
    return _finish(
        p, line, booking.get("materials") or [], booking.get("status_url"), lang, "appointments.slip.scan"
    )


def _slip(title: str):
    """A printer buffer with the slip's title, and the function writing a line of Chinese text to it."""
    # python-escpos takes a fifth of a second to import: the first slip pays it, not every server start
    from escpos.printer import Dummy

    p = Dummy(profile="default")

    def line(text: str) -> None:
        p._raw(_CHINESE_ON + (text + "\n").encode("gb18030", errors="replace") + _CHINESE_OFF)

    p.hw("INIT")
    p.set(align="center", bold=True, double_height=True, double_width=True)
    line(title)
    return p, line


def _finish(
    p, line, materials: list[str], url: str | None, lang: str, scan: str = "screen.ticket.scan"
) -> bytes:
    """The materials to bring, the QR code of the customer's page, the cut."""
    if materials:
        p.set(align="left", normal_textsize=True)
        line(t("screen.ticket.materials", lang))
        for item in materials:
            line(f"[ ] {item}")
    if url:
        p.set(align="center", normal_textsize=True)
        p.qr(url, native=True, size=6)
        line(t(scan, lang))
    p.text("\n")
    p.cut()
    return p.output


def send(data: bytes, spec: str) -> None:
    """Hand the bytes to the configured printer; PrinterError when it is not reachable."""
    target = parse_target(spec)
    with _write_lock:
        if target.kind == "file":
            assert target.path is not None  # parse_target gives every file target its path
            target.path.parent.mkdir(parents=True, exist_ok=True)
            with open(target.path, "ab") as out:
                out.write(data)
            return
        device = _open(target)
        try:
            device._raw(data)
        except Exception as exc:  # python-escpos raises several kinds; the kiosk only needs "failed"
            raise PrinterError(f"printing failed: {exc}") from exc
        finally:
            try:
                device.close()
            except Exception:
                pass


def _open(target: PrinterTarget):
    try:
        if target.kind == "usb":
            from escpos.printer import Usb

            if not Usb.is_usable():
                raise ImportError("pyusb is not installed")
            device = Usb(target.vendor, target.product, timeout=int(NET_TIMEOUT_S * 1000))
        else:
            from escpos.printer import Network

            device = Network(target.host, port=target.port, timeout=NET_TIMEOUT_S)
        device.open(raise_not_found=True)
        return device
    except ImportError as exc:
        raise PrinterError(f"USB printing needs pyusb (pip install 'python-escpos[usb]'): {exc}") from exc
    except Exception as exc:
        raise PrinterError(f"printer not reachable: {exc}") from exc


def print_ticket(
    ticket: dict[str, Any], spec: str, *, lang: str = "zh", business_name: str = "", queue_name: str = ""
) -> int:
    """Render and print one ticket; returns the number of bytes sent."""
    data = render_ticket(ticket, lang=lang, business_name=business_name, queue_name=queue_name)
    send(data, spec)
    return len(data)
