"""What the domain functions need to know about the hall besides the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kiosk import clock
from kiosk.hall.errors import Invalid
from kiosk.hall.taxonomy import BusinessType, Taxonomy


@dataclass(frozen=True)
class Hall:
    taxonomy: Taxonomy
    tz: str = "Asia/Shanghai"
    default_service_min: float = 6.0
    recent_services: int = 30

    def service_day(self, at: datetime) -> date:
        return clock.service_day(at, self.tz)

    def business_type(self, type_id: str) -> BusinessType:
        bt = self.taxonomy.get(type_id)
        if bt is None:
            raise Invalid(f"unknown business type {type_id!r}", code="unknown_business_type")
        return bt

    def check_queue(self, queue: str) -> str:
        if queue not in self.taxonomy.queues:
            raise Invalid(f"unknown queue {queue!r}", code="unknown_queue")
        return queue
