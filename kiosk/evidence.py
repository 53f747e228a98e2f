"""The complaint evidence pack: one visit drawn as a PDF on the server, with an embedded CJK font.

It holds what a complaint needs to reconstruct the visit: the summary, the
ticket and its service (called, serving, done, the wait and handling time,
the counter and who served), the rating, the triage and the guide's
corrections, the dialog, every event in order, the complaint cases, the
blurred snapshots as thumbnails, and who has viewed the pack. It is drawn
from the timeline the review page shows (kiosk/hall/reports.py), so phone
and ID numbers are already masked. fpdf2 embeds the subset of the font the
text uses: the pack reads the same on any computer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace
from PIL import Image

from kiosk import clock
from kiosk.i18n import MissingMessage, t

FONT = "cjk"
THUMB_PX = 480  # a snapshot's longer side in the pack: enough to see the scene, small to send
THUMBS_PER_ROW = 3


@dataclass(frozen=True)
class Pack:
    """What goes into one pack besides the timeline."""

    timeline: dict[str, Any]
    viewers: list[tuple[datetime, str]]  # (when, who), the current view last
    snapshots: list[tuple[Path, datetime]]  # files of the blurred snapshots still kept
    type_name: Callable[[str | None], str]  # a business type's name in the pack's language
    tz: str
    lang: str
    generated_by: str


class _Document(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="A4")
        self._footer_text = footer_text
        self.set_auto_page_break(True, margin=16)
        self.set_margins(14, 14, 14)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90)
        self.cell(0, 6, f"{self._footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)


def render(pack: Pack, font: Path, font_index: int = 0) -> bytes:
    v, lang = pack.timeline, pack.lang

    def label(key: str, **values: Any) -> str:
        return t(key, lang, **values)

    def at(value: str | datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
        if not value:
            return ""
        when = datetime.fromisoformat(value) if isinstance(value, str) else value
        return clock.local(when, pack.tz).strftime(fmt)

    title = label("pack.title", id=v["id"])
    pdf = _Document(f"{title} · {label('pack.generated', at=at(clock.now()), by=pack.generated_by)}")
    pdf.add_font(FONT, fname=str(font), collection_font_number=font_index)
    pdf.set_title(title)
    pdf.set_creator("service-hall kiosk")
    pdf.set_lang("zh-CN" if lang == "zh" else "en")
    pdf.add_page()
    pdf.set_font(FONT, size=16)
    pdf.multi_cell(0, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(0, 5, label("pack.note"), new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)

    def heading(key: str) -> None:
        pdf.ln(3)
        pdf.set_font(FONT, size=12)
        pdf.set_fill_color(225, 240, 237)
        pdf.cell(0, 8, label(key), fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=9)
        pdf.ln(1)

    def table(header: list[str] | None, rows: Iterable[list[Any]], widths: tuple[int, ...]) -> None:
        rows = [["" if c is None else str(c) for c in r] for r in rows]
        if not rows:
            pdf.multi_cell(0, 5, label("pack.none"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            return
        with pdf.table(
            col_widths=widths,
            first_row_as_headings=header is not None,
            line_height=5,
            wrapmode=WrapMode.CHAR,
            text_align="LEFT",
            headings_style=FontFace(fill_color=(238, 238, 238)),
        ) as grid:
            for r in ([header] if header else []) + rows:
                row = grid.row()
                for cell in r:
                    row.cell(cell)

    def status(key: str, value: str) -> str:
        try:
            return label(f"{key}.{value}")
        except MissingMessage:
            return value

    heading("pack.summary")
    greeting = (
        label("pack.greeted_in", ms=v["greeting_latency_ms"])
        if v["greeted"]
        else label("staff.greeting.missed")
        if v["approached"]
        else ""
    )
    table(
        None,
        [
            [label("staff.col.started"), at(v["started_at"])],
            [label("staff.visit.ended"), at(v["ended_at"])],
            [label("staff.col.type"), pack.type_name(v["business_type"])],
            [label("staff.col.outcome"), status("staff.outcome", v["outcome"] or "none")],
            [label("staff.col.greeting"), greeting],
            [label("pack.nearest"), "" if v["nearest_m"] is None else f"{v['nearest_m']:.1f} m"],
            [label("staff.col.corrected"), label("staff.yes") if v["corrected"] else label("staff.no")],
            [label("staff.col.rating"), v["rating"] or ""],
        ],
        (40, 142),
    )

    heading("pack.service")
    for tk in v["tickets"]:
        minutes = label("pack.minutes")
        table(
            None,
            [
                [
                    label("staff.col.number"),
                    f"{tk['number']} · {tk['queue']} · {pack.type_name(tk['business_type'])}",
                ],
                [label("staff.col.status"), status("staff.ticket", tk["status"])],
                [label("staff.col.issued"), at(tk["issued_at"])],
                [label("staff.col.called"), at(tk["called_at"])],
                [label("staff.col.serving"), at(tk["serving_at"])],
                [label("staff.col.finished"), at(tk["finished_at"])],
                [label("pack.wait"), "" if tk["wait_s"] is None else f"{tk['wait_s'] / 60:.1f} {minutes}"],
                [
                    label("pack.handling"),
                    "" if tk["service_s"] is None else f"{tk['service_s'] / 60:.1f} {minutes}",
                ],
                [label("pack.counter"), tk["counter"]],
                [label("pack.served_by"), tk["served_by"]],
                [label("staff.col.rating"), _rating(tk["rating"], label, at)],
            ],
            (40, 142),
        )
        pdf.ln(2)
    if not v["tickets"]:
        table(None, [], (182,))

    heading("staff.visit.triages")
    table(
        [
            label("staff.col.text"),
            label("staff.col.type"),
            label("staff.col.confidence"),
            label("staff.visit.decision"),
        ],
        [
            [
                tr["text"],
                pack.type_name(tr["business_type"]),
                f"{tr['confidence'] * 100:.0f}%",
                status("staff.status", tr["status"])
                + (f" → {pack.type_name(tr['corrected_to'])}" if tr["corrected_to"] else ""),
            ]
            for tr in v["triages"]
        ],
        (82, 40, 20, 40),
    )
    decisions = [e for e in v["events"] if e["kind"] == "guide_decision"]
    if decisions:
        pdf.ln(1)
        table(
            None,
            [
                [
                    at(e["at"], "%H:%M:%S"),
                    e["data"].get("by", ""),
                    status("staff.status", e["data"].get("decision", "")),
                ]
                for e in decisions
            ],
            (30, 60, 92),
        )

    heading("pack.dialog")
    turns = [e for e in v["events"] if e["kind"] == "dialog_turn"]
    table(
        None,
        [
            [at(e["at"], "%H:%M:%S"), label("pack.customer"), e["data"].get("text", "")]
            for e in turns
            if e["data"].get("text")
        ]
        + [
            [at(e["at"], "%H:%M:%S"), label("pack.kiosk"), line]
            for e in turns
            for line in e["data"].get("bot", [])
        ],
        (24, 22, 136),
    )

    heading("staff.visit.timeline")
    table(
        None,
        [
            [
                at(e["at"], "%H:%M:%S"),
                status("staff.event", e["kind"]),
                "  ".join(f"{k}: {val}" for k, val in e["data"].items() if k not in ("bot",)),
            ]
            for e in v["events"]
        ],
        (24, 34, 124),
    )

    heading("pack.cases")
    table(
        [label("pack.case"), label("pack.reason"), label("pack.account"), label("staff.col.status")],
        [
            [
                f"#{c['id']} · {at(c['opened_at'], '%Y-%m-%d %H:%M')}",
                status("case.reason", c["reason"]),
                c["account"],
                status("case.status", c["status"]) + (f": {c['finding']}" if c["finding"] else ""),
            ]
            for c in v["cases"]
        ],
        (40, 30, 72, 40),
    )

    heading("staff.visit.snapshots")
    _thumbnails(pdf, pack.snapshots, at, label("pack.none"))

    heading("pack.viewers")
    table(
        [label("staff.audit.at"), label("staff.audit.actor")],
        [[at(when), who] for when, who in pack.viewers],
        (60, 122),
    )
    return bytes(pdf.output())


def _rating(rating: dict[str, Any] | None, label, at) -> str:
    if not rating:
        return ""
    source = label(f"pack.source.{rating['source']}")
    comment = f" “{rating['comment']}”" if rating["comment"] else ""
    return f"{rating['rating']} / 5 · {source} · {at(rating['at'], '%H:%M:%S')}{comment}"


def _thumbnails(pdf: FPDF, snapshots: list[tuple[Path, datetime]], at, none: str) -> None:
    shown, top = 0, pdf.get_y()
    width = (pdf.w - pdf.l_margin - pdf.r_margin - 4 * (THUMBS_PER_ROW - 1)) / THUMBS_PER_ROW
    for path, when in snapshots:
        try:
            with Image.open(path) as img:
                img.thumbnail((THUMB_PX, THUMB_PX))
                thumb = img.convert("RGB")
        except OSError:  # deleted by the retention job since the timeline was read
            continue
        height = width * thumb.height / thumb.width
        if shown % THUMBS_PER_ROW == 0:
            if shown:
                pdf.ln(height + 8)
            if pdf.will_page_break(height + 8):
                pdf.add_page()
            top = pdf.get_y()
        x = pdf.l_margin + (shown % THUMBS_PER_ROW) * (width + 4)
        pdf.image(thumb, x=x, y=top, w=width)
        pdf.set_xy(x, top + height + 1)
        pdf.cell(width, 4, at(when), align="C")
        shown += 1
    if shown:
        pdf.set_xy(pdf.l_margin, pdf.get_y() + 6)
    else:
        pdf.multi_cell(0, 5, none, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
