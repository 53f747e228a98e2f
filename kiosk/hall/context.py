"""What the domain functions need to know about the hall besides the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from kiosk import clock
from kiosk.hall.errors import Invalid
from kiosk.hall.hours import Hours
from kiosk.hall.taxonomy import BusinessType, Taxonomy
from kiosk.hall.utterance import Reader, hall_reader

if TYPE_CHECKING:  # the timetable's module reads the roster, whose module needs the Hall
    from kiosk.hall.timetable import Timetable


@dataclass(frozen=True)
class Hall:
    taxonomy: Taxonomy
    tz: str = "Asia/Shanghai"
    default_service_min: float = 6.0
    recent_services: int = 30
    # None: open whenever its kiosks are on (config/hall.yml `hours`)
    hours: Hours | None = None
    emergency_line: str = "95598"
    # a hand-over nobody accepts within this passes to the next reachable person
    answer_s: int = 90
    # what a customer's words say (urgency, questions) and the hall facts answered (settings.faq_file)
    reader: Reader = field(default_factory=hall_reader)
    # config/hall.yml `appointments`; None: the hall takes no appointments
    timetable: Timetable | None = None

    def service_day(self, at: datetime) -> date:
        return clock.service_day(at, self.tz)

    def is_open(self, at: datetime) -> bool:
        return self.hours is None or self.hours.covers(at, self.tz)

    def business_type(self, type_id: str) -> BusinessType:
        bt = self.taxonomy.get(type_id)
        if bt is None:
            raise Invalid(f"unknown business type {type_id!r}", code="unknown_business_type")
        return bt

    def type_name(self, type_id: str | None, lang: str) -> str:
        """A business type's name in `lang` as staff read it (its id when it is no longer configured)."""
        bt = self.taxonomy.get(type_id) if type_id else None
        return (bt.en if lang == "en" else bt.zh) if bt else (type_id or "")

    def queue_name(self, queue: str, lang: str) -> str:
        """A queue's name in `lang` ("" for a queue no longer configured)."""
        return self.taxonomy.queues.get(queue, {}).get(lang, "")

    def type_keys(self, type_id: str) -> dict[str, str]:
        """A record's business type as staff answers carry it: its id and its name in both languages."""
        return {
            "business_type": type_id,
            "business_type_zh": self.type_name(type_id, "zh"),
            "business_type_en": self.type_name(type_id, "en"),
        }

    def check_queue(self, queue: str) -> str:
        if queue not in self.taxonomy.queues:
            raise Invalid(f"unknown queue {queue!r}", code="unknown_queue")
        return queue
