"""Retention: what customers said (at the kiosk, with a rating, to a complaint case) and their contact
details are redacted after N days; old idempotency
answers and live events are pruned; the visit and its outcome stay for the KPIs."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from kiosk import clock
from kiosk.hall import appointments, callbacks, duty, handovers, ratings, retention, tickets, triage, visits
from kiosk.models import (Appointment, AppointmentSlot, Callback, Case, GuideAlert, Handover, IdempotentRequest,
                          LiveEvent, Notification, Rating, Triage, Visit, VisitEvent)
from kiosk.web import maintenance


def a_visit(s, hall, at, phone: str):
    visit = visits.open_visit(s, device_id="kiosk-1", at=at)
    visits.record(s, visit, "dialog_turn", {"text": f"我叫张三，电话{phone}", "bot": [f"好的 {phone}"],
                                            "intent": "solar_pv", "confidence": 0.9}, at=at)
    triage.record(s, visit, "solar_pv", 0.9, f"光伏并网 {phone}", source="assistant", at=at)
    duty.alert_guide(s, "complaint", text=f"回电 {phone}", visit=visit, at=at)
    handovers.offer(s, hall, "solar_pv", duty.by_name(s, "王经理"), visit=visit, text=f"我叫张三 {phone}", at=at)
    callbacks.request(s, hall, "solar_pv", "张三", phone, visit=visit, at=at)
    ticket = tickets.issue(s, hall, "pay_bill", visit=visit, at=at)
    ticket.status, ticket.finished_at = "done", at
    ratings.rate(s, ticket, 1, f"张三，回电 {phone}", source="mobile", at=at)  # opens a follow-up case with it
    slot = AppointmentSlot(business_type="solar_pv", start=at + timedelta(days=1),
                           end=at + timedelta(days=1, hours=1), capacity=3, booked=0)
    s.add(slot)
    s.flush()
    appointments.book(s, hall, slot_id=slot.id, business_type="solar_pv", name="张三", phone=phone, visit=visit,
                      at=at)
    return visit.id


def test_personal_data_is_redacted_after_its_days_and_the_rest_stays(app):
    hall, now = app.extensions["hall"], clock.now()
    with app.extensions["sessions"]() as s, s.begin():
        old = a_visit(s, hall, now - timedelta(days=181), "13800000001")
        new = a_visit(s, hall, now - timedelta(days=179), "13800000002")
        s.add_all([IdempotentRequest(key="old", status=201, body={}, created_at=now - timedelta(days=2)),
                   IdempotentRequest(key="new", status=201, body={}, created_at=now),
                   LiveEvent(channel="display", type="call", data={}, at=now - timedelta(hours=2))])
    maintenance.run_once(app)  # what every server process runs every ten minutes (default: 180 days)
    with app.extensions["sessions"]() as s:
        def said(visit_id):
            rows = [
                *[e.data for e in s.scalars(select(VisitEvent).where(VisitEvent.visit_id == visit_id))],
                *s.scalars(select(Triage.text).where(Triage.visit_id == visit_id)),
                *s.scalars(select(GuideAlert.text).where(GuideAlert.visit_id == visit_id)),
                *s.execute(select(Appointment.name, Appointment.phone).where(Appointment.visit_id == visit_id)),
                *s.execute(select(Callback.name, Callback.phone).where(Callback.visit_id == visit_id)),
                *s.scalars(select(Handover.text).where(Handover.visit_id == visit_id)),
                *s.scalars(select(Notification.recipient).join(Appointment).where(Appointment.visit_id == visit_id)),
                *s.scalars(select(Rating.comment).where(Rating.visit_id == visit_id)),
                *s.scalars(select(Case.account).where(Case.visit_id == visit_id)),
            ]
            return str(rows)

        assert "13800000001" not in said(old) and "张三" not in said(old)
        assert "13800000002" in said(new) and "张三" in said(new)
        turn = s.scalars(select(VisitEvent).where(VisitEvent.visit_id == old, VisitEvent.kind == "dialog_turn")).one()
        assert turn.data == {"intent": "solar_pv", "confidence": 0.9, "redacted": True}
        visit = s.get(Visit, old)
        assert (visit.business_type, visit.outcome) == ("solar_pv", "appointment")  # the KPIs keep their facts
        assert (visit.rating, s.scalar(select(Case.reason).where(Case.visit_id == old))) == (1, "low_rating")
        assert s.scalars(select(IdempotentRequest.key)).all() == ["new"]
        assert s.scalar(select(func.count()).select_from(LiveEvent).where(LiveEvent.type == "call")) == 0
        assert s.scalar(select(func.count()).select_from(LiveEvent)) > 0  # the last hour's stay
    with app.extensions["sessions"]() as s, s.begin():
        assert retention.redact(s, 180) == 0  # done once: the next runs start where it stopped
        assert retention.redact(s, 178) > 0  # a shorter retention reaches the newer visit


def test_the_assistants_stored_dialogs_are_deleted_after_as_many_days(app, tmp_path):
    import sqlite3

    store = tmp_path / "rasa-tracker.db"
    now = clock.now().timestamp()
    with sqlite3.connect(store) as db:  # the table Rasa's SQL tracker store makes
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                   "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                   "action_name VARCHAR(255), data TEXT)")
        db.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
                       [("old", now - 181 * 86400, '{"text": "电话13800000001"}'),
                        ("new", now - 3600, '{"text": "电话13800000002"}')])
    app.extensions["settings"].rasa_tracker_url = f"sqlite:///{store}"
    maintenance.run_once(app)
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT sender_id FROM events").fetchall() == [("new",)]
    app.extensions["settings"].rasa_tracker_url = f"sqlite:///{tmp_path / 'none.db'}"
    maintenance.run_once(app)
    assert not (tmp_path / "none.db").exists()  # no store: nothing made
