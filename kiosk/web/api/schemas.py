"""Request bodies of the API; unknown fields, wrong types and oversized values are refused.

(What the API answers is kiosk/web/api/answers.py.)"""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, DateTime, Float, Integer, List, String
from apiflask.validators import Length, OneOf, Range, Regexp
from marshmallow import ValidationError, validates_schema

from kiosk.hall import duty, notifications, tickets, visits
from kiosk.web.bounds import MAX_ID, MAX_OFFSET

ID_TEXT = Regexp(r"^[A-Za-z0-9_.:\-]{1,40}$", error="letters, digits and _.:- only (1–40)")
LANG = OneOf(["zh", "en"])


def raw_body(content_type: str):
    """Document a body that is no JSON (a snapshot's JPEG): the view reads it itself."""

    def decorate(view):
        # APIFlask writes an operation's requestBody from the view's _spec
        view.__dict__.setdefault("_spec", {}).update(
            body={"type": "string", "format": "binary"}, content_type=content_type
        )
        return view

    return decorate


def Id(**kwargs) -> Integer:
    """A record's id: a strict integer from 1 to the database column's largest."""
    return Integer(strict=True, validate=Range(min=1, max=MAX_ID), **kwargs)


class TicketIn(Schema):
    business_type = String(required=True, validate=Length(1, 40))
    priority = Boolean(load_default=False)
    # a priority ticket (绿色通道) is a guide's, for one of these reasons
    priority_reason = String(validate=OneOf(list(tickets.PRIORITY_REASONS)))
    visit_id = Id()
    session_id = String(validate=Length(1, 40))
    language = String(load_default="zh", validate=LANG)


class TransferIn(Schema):
    queue = String(validate=Length(1, 4))
    business_type = String(validate=Length(1, 40))


class CounterIn(Schema):
    is_open = Boolean()
    queues = List(String(validate=Length(1, 4)), validate=Length(1, 10))


class SlotsQuery(Schema):
    business_type = String(required=True, validate=Length(1, 40))
    # the timetable's days_ahead is the hall's own limit (hall/appointments.py free_slots)
    days = Integer(load_default=3, validate=Range(min=1, max=90))


class DayQuery(Schema):
    date = String(validate=Regexp(r"^\d{4}-\d{2}-\d{2}$"))
    business_type = String(validate=Length(1, 40))


class NotificationsQuery(Schema):
    status = String(validate=OneOf(list(notifications.STATUSES)))
    limit = Integer(load_default=100, validate=Range(min=1, max=500))


class AppointmentIn(Schema):
    slot_id = Id(required=True)
    business_type = String(required=True, validate=Length(1, 40))
    name = String(required=True, validate=Length(1, 40))
    phone = String(required=True, validate=Length(1, 20))
    visit_id = Id()
    session_id = String(validate=Length(1, 40))
    language = String(load_default="zh", validate=LANG)


class CheckInIn(Schema):
    """The appointment's code, or the phone number it was booked with (today's appointment)."""

    code = String(validate=Length(4, 12))
    phone = String(validate=Length(1, 20))
    language = String(load_default="zh", validate=LANG)
    # the kiosk dialog where the customer stands: the ticket is that kiosk's and that visit's
    session_id = String(validate=Length(1, 40))

    @validates_schema
    def _code_or_phone(self, data, **_kwargs):
        if bool(data.get("code")) == bool(data.get("phone")):
            raise ValidationError("give the code or the phone number", "code")


class GuideAlertIn(Schema):
    reason = String(required=True, validate=OneOf(list(duty.ALERT_REASONS)))
    text = String(load_default="", validate=Length(0, 500))
    visit_id = Id()
    session_id = String(validate=Length(1, 40))


class VisitEventIn(Schema):
    kind = String(required=True, validate=OneOf(["approach", "greeted", "left"]))
    device_id = String(required=True, validate=ID_TEXT)
    track_id = String(required=True, validate=ID_TEXT)
    at = DateTime(required=True)
    distance_m = Float(validate=Range(min=0, max=50))
    nearest_m = Float(validate=Range(min=0, max=50))  # on left: the nearest the person came
    latency_ms = Integer(strict=True, validate=Range(min=0, max=600000))
    text = String(validate=Length(0, 200))
    together = Boolean()  # greeted with someone who arrived just before


class RatingIn(Schema):
    rating = Integer(required=True, strict=True, validate=Range(min=1, max=5))


class TicketRatingIn(RatingIn):
    comment = String(load_default="", validate=Length(0, 500))


DATE = Regexp(r"^\d{4}-\d{2}-\d{2}$", error="a date is YYYY-MM-DD")
CLOCK = Regexp(r"^\d{2}:\d{2}$", error="a time is HH:MM")


class VisitsQuery(Schema):
    date_from = String(validate=DATE)
    date_to = String(validate=DATE)
    time_from = String(validate=CLOCK)
    time_to = String(validate=CLOCK)
    ticket = String(validate=Regexp(r"^[A-Za-z]{1,4}\d{1,7}$", error="a ticket number is like A012"))
    day = String(validate=DATE)  # the ticket number's service day (today by default)
    appointment = String(validate=Length(4, 12))
    phone4 = String(validate=Regexp(r"^\d{4}$", error="the last 4 digits of a phone number"))
    counter = Integer(validate=Range(min=1, max=MAX_ID))
    staff = Integer(validate=Range(min=1, max=MAX_ID))  # who served: a staff account's id
    case = String(validate=OneOf(["any", "open"]))
    business_type = String(validate=Length(1, 40))
    outcome = String(validate=OneOf(list(visits.OUTCOME_FILTERS)))
    corrected = Boolean()
    greeting = String(validate=OneOf(["missed", "late", "ok"]))
    low_rating = Boolean()
    limit = Integer(load_default=50, validate=Range(min=1, max=500))
    offset = Integer(load_default=0, validate=Range(min=0, max=MAX_OFFSET))


class PeriodQuery(Schema):
    date_from = String(validate=DATE)
    date_to = String(validate=DATE)
    target_wait_min = Float(load_default=15.0, validate=Range(min=1, max=240))
    late_greeting_ms = Integer(load_default=500, validate=Range(min=1, max=60000))


class FlagsIn(Schema):
    rain = Boolean()
    wet_floor = Boolean()


class StaffReportQuery(Schema):
    """A period of local dates, named as the scorecards' URL names them: ?from=…&to=…"""

    date_from = String(data_key="from", validate=DATE)
    date_to = String(data_key="to", validate=DATE)
