"""The hall's records: tickets, counters, appointments, duty, visits, staff, audit."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on both engines (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to the database")
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class TicketSequence(Base):
    """One counter row per queue and service day; numbers come from its atomic increment."""

    __tablename__ = "ticket_sequences"
    queue: Mapped[str] = mapped_column(String(4), primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("service_day", "number", name="uq_ticket_day_number"),
        Index("ix_ticket_queue_order", "service_day", "queue", "status", "rank", "order_at"),
        # covers the per-type count of who waits ahead (hall/waits.py), run on every issue
        Index(
            "ix_ticket_waiting_by_type",
            "service_day",
            "queue",
            "status",
            "business_type",
            "rank",
            "order_at",
            "id",
        ),
        Index("ix_ticket_counter_status", "counter_id", "status"),
        Index("ix_ticket_type_finished", "business_type", "finished_at"),
        Index("ix_ticket_issued", "issued_at"),
        # the scorecards read a person's tickets from this index alone (covering)
        Index("ix_ticket_served_by", "served_by", "finished_at", "status", "service_s", "wait_s"),
        # a queue's wait percentile over a period, read in wait order from the index (hall/reports.py)
        Index("ix_ticket_queue_wait", "queue", "wait_s", "issued_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    service_day: Mapped[date] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(8))
    queue: Mapped[str] = mapped_column(String(4))
    business_type: Mapped[str] = mapped_column(String(40))
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    issued_at: Mapped[datetime]
    rank: Mapped[int] = mapped_column(Integer, default=2)  # see hall/queue_order.py
    order_at: Mapped[datetime]
    called_at: Mapped[datetime | None]
    # seconds from issue to the first call, kept so wait KPIs read a plain column
    wait_s: Mapped[int | None] = mapped_column(Integer)
    serving_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    quoted_wait_min: Mapped[float] = mapped_column(Float, default=0.0)
    language: Mapped[str] = mapped_column(String(4), default="zh")
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    transferred_from: Mapped[str | None] = mapped_column(String(4))
    # the kiosk where the customer got it, if any: that kiosk may print or cancel it for a while
    device_id: Mapped[str | None] = mapped_column(String(40))
    # who served it: the person signed in at the counter that called it (hall/counters.py)
    served_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # seconds from the start of service (serving, else the call) to done: the handling time
    service_s: Mapped[int | None] = mapped_column(Integer)

    counter: Mapped[Counter | None] = relationship()
    appointment: Mapped[Appointment | None] = relationship(foreign_keys=[appointment_id])

    @validates("called_at")
    def _keep_wait(self, _key, called_at: datetime | None) -> datetime | None:
        if called_at is None:
            self.wait_s = None
        elif self.wait_s is None and self.issued_at is not None:  # a recall keeps the first wait
            self.wait_s = int((called_at - self.issued_at).total_seconds())
        return called_at


class Counter(Base):
    __tablename__ = "counters"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    queues: Mapped[list[Any]] = mapped_column(default=list)
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    # who is signed in here now (hall/counters.py): the tickets called here are theirs
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_in_at: Mapped[datetime | None]


class AppointmentSlot(Base):
    __tablename__ = "appointment_slots"
    __table_args__ = (Index("ix_slot_type_start", "business_type", "start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    business_type: Mapped[str] = mapped_column(String(40))
    desk: Mapped[str] = mapped_column(String(40), default="")
    start: Mapped[datetime]
    end: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class Appointment(Base):
    __tablename__ = "appointments"
    # the day's list and the no-show pass read by status
    __table_args__ = (Index("ix_appointment_status_slot", "status", "slot_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("appointment_slots.id"))
    business_type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(11))
    # booked|cancelled|checked_in|no_show (served: checked in and its ticket done; hall/appointments.py)
    status: Mapped[str] = mapped_column(String(16), default="booked")
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", use_alter=True))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    # the language the customer booked in: their messages' language
    language: Mapped[str] = mapped_column(String(4), default="zh")

    slot: Mapped[AppointmentSlot] = relationship()
    ticket: Mapped[Ticket | None] = relationship(foreign_keys=[ticket_id])


class Notification(Base):
    """A message to a customer (confirmation, reminder, cancellation), kept with its delivery."""

    __tablename__ = "notifications"
    __table_args__ = (
        # one message of each kind per appointment, however many workers queue it
        UniqueConstraint("appointment_id", "kind", name="uq_notification_appointment_kind"),
        Index("ix_notification_status_due", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    kind: Mapped[str] = mapped_column(String(16))  # confirmation|reminder|cancellation
    recipient: Mapped[str] = mapped_column(String(11))
    text: Mapped[str] = mapped_column(Text)
    # pending (due_at: next try) | sending (claimed until due_at) | sent | failed (tries used up)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    gateway: Mapped[str] = mapped_column(String(12), default="")
    created_at: Mapped[datetime] = mapped_column(index=True)
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class DutyStaff(Base):
    """Back-office and other-department staff the kiosk can hand a customer over to.

    Reachable now: on the roster (`shift`, else the hall's hours) and present
    (`available`, said on their desk page).
    """

    __tablename__ = "duty_staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    desk: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(20), default="")
    business_types: Mapped[list[Any]] = mapped_column(default=list)
    # {"weekdays": [1, ...], "start": "08:30", "end": "17:30"}; None: the hall's hours
    shift: Mapped[dict[str, Any] | None]
    available: Mapped[bool] = mapped_column(Boolean, default=False)
    available_at: Mapped[datetime | None]


class Handover(Base):
    """A customer handed over to one back-office person at a time, until someone accepts."""

    __tablename__ = "handovers"
    __table_args__ = (Index("ix_handover_status_offered", "status", "offered_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    business_type: Mapped[str] = mapped_column(String(40))
    # the person it is addressed to now (or who accepted it)
    staff_id: Mapped[int] = mapped_column(ForeignKey("duty_staff.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    created_at: Mapped[datetime]
    # offered | accepted | not_found | unanswered (nobody took it: the call-back path)
    status: Mapped[str] = mapped_column(String(16), default="offered")
    offered_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # where they meet once accepted: kiosk (the person comes) | desk (the customer goes)
    meet: Mapped[str | None] = mapped_column(String(8))
    # who it was offered to before: [{"staff_id", "answer": "declined"|"no_answer", "at"}]
    tried: Mapped[list[Any]] = mapped_column(default=list)
    text: Mapped[str] = mapped_column(Text, default="")

    staff: Mapped[DutyStaff] = relationship()


class Callback(Base):
    """Nobody could take the customer now: the department calls them back."""

    __tablename__ = "callbacks"
    __table_args__ = (Index("ix_callback_type_status", "business_type", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    business_type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(11))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open|called|no_answer|done
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(60))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    handover_id: Mapped[int | None] = mapped_column(ForeignKey("handovers.id"))
    language: Mapped[str] = mapped_column(String(4), default="zh")


class GuideAlert(Base):
    __tablename__ = "guide_alerts"
    __table_args__ = (Index("ix_alert_resolved_by", "resolved_by", "resolved_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # danger, an outage at home now, an angry customer: first on the tablet, its own sound
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)


class Visit(Base):
    """One customer visit. Its events are the record; the columns are a summary for lists and KPIs."""

    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visit_started", "started_at"),
        Index("ix_visit_device_track", "device_id", "track_id"),
        # greeting compliance per shift: who came near and was greeted, from the index alone
        Index("ix_visit_started_near", "started_at", "nearest_m", "greeted"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(String(40), default="")
    track_id: Mapped[str | None] = mapped_column(String(40))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    business_type: Mapped[str | None] = mapped_column(String(40))
    # ticket|appointment|handover|callback|guide|emergency|answer|left
    outcome: Mapped[str | None] = mapped_column(String(20))
    greeted: Mapped[bool] = mapped_column(Boolean, default=False)
    greeting_latency_ms: Mapped[int | None] = mapped_column(Integer)
    approached: Mapped[bool] = mapped_column(Boolean, default=False)
    triage_confidence: Mapped[float | None] = mapped_column(Float)
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(4), default="zh")
    # the nearest the camera measured the person (m): greeting compliance counts those within 2 m
    nearest_m: Mapped[float | None] = mapped_column(Float)

    events: Mapped[list[VisitEvent]] = relationship(order_by="VisitEvent.id", back_populates="visit")


class VisitEvent(Base):
    __tablename__ = "visit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    visit: Mapped[Visit] = relationship(back_populates="events")


class Snapshot(Base):
    __tablename__ = "snapshots"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(index=True)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # guide|counter|backoffice|supervisor|admin
    password_hash: Mapped[str] = mapped_column(String(200))
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # a back-office account's entry in the duty roster (its desk page, its hand-overs)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("duty_staff.id"))


class Device(Base):
    """A kiosk, camera agent, assistant, display or rating pad, with its own token (stored hashed)."""

    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("kind", "name", name="uq_device_kind_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # the hall position it serves (kiosk-1): the kiosk and the camera agent of one kiosk share it
    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))  # see hall/devices.py KINDS
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_action_at", "action", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(80), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class HallSetting(Base):
    """Small key/value state an operator or guide sets: the rain and wet-floor flags."""

    __tablename__ = "hall_settings"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)


class IdempotentRequest(Base):
    """The first answer to a request carrying an Idempotency-Key, replayed for repeats."""

    __tablename__ = "idempotent_requests"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)  # pruned by age (web/maintenance.py)


class LiveEvent(Base):
    """Outbox of live updates; every server process tails it and pushes to its SSE clients."""

    __tablename__ = "live_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(60))
    type: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(index=True)


class KioskSession(Base):
    """A dialog at the kiosk; its id is also the assistant's sender id."""

    __tablename__ = "kiosk_sessions"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    device_id: Mapped[str] = mapped_column(String(40), default="")
    language: Mapped[str] = mapped_column(String(4), default="zh")
    mode: Mapped[str] = mapped_column(String(12), default="assistant")  # assistant|menu
    created_at: Mapped[datetime]
    last_active_at: Mapped[datetime]


class Triage(Base):
    """A judgement of which business a customer came for, and the guide's verdict on it."""

    __tablename__ = "triages"
    __table_args__ = (
        Index("ix_triage_decided_by", "decided_by", "decided_at", "status"),
        # the KPIs' triage accuracy per business type over a period (covering)
        Index("ix_triage_created_status", "created_at", "status", "business_type"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    business_type: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    source: Mapped[str] = mapped_column(String(12), default="assistant")  # assistant|menu|guide
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|confirmed|corrected
    corrected_to: Mapped[str | None] = mapped_column(String(40))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime] = mapped_column(index=True)


class StaffShift(Base):
    """A guide's shift: from a login to its logout, or to the end of the login's lifetime."""

    __tablename__ = "staff_shifts"
    __table_args__ = (Index("ix_shift_user_started", "user_id", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(index=True)
    # the latest it lasts while running; cut short at the logout
    ended_at: Mapped[datetime]


class Rating(Base):
    """A customer's rating of one ticket's service (好差评), at most one per ticket."""

    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    served_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(8))  # pad|mobile
    created_at: Mapped[datetime]


class Case(Base):
    """A complaint case on a visit, or the follow-up a low rating opens for the supervisor."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_case_status_opened", "status", "opened_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    origin: Mapped[str] = mapped_column(String(12))  # complaint|rating
    reason: Mapped[str] = mapped_column(String(32))
    # the customer's account of what happened (their words: masked when read, redacted with age)
    account: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8), default="open")  # open|closed
    opened_at: Mapped[datetime]
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: a low rating opened it
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finding: Mapped[str] = mapped_column(Text, default="")

    notes: Mapped[list[CaseNote]] = relationship(order_by="CaseNote.id")


class CaseNote(Base):
    __tablename__ = "case_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
