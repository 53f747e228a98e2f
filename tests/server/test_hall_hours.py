"""The hall's hours and the roster's shifts in the routing decision, read from config/hall.yml."""
import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk import clock
from kiosk.hall import duty, hours, outcomes, seed, visits
from kiosk.hall.utterance import Reading

TZ = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
MONDAY_20 = datetime(2026, 11, 30, 20, 0, tzinfo=TZ)
SUNDAY_10 = datetime(2026, 11, 29, 10, 0, tzinfo=TZ)


def test_the_plan_sets_hours_line_and_answer_time_and_bad_ones_fail_at_load():
    rules = seed.hall_rules({"hours": {"weekdays": [1, 2, 3, 4, 5], "start": "08:30", "end": "17:30"},
                             "emergency_line": "95598", "desk": {"answer_s": 60}})
    assert rules["answer_s"] == 60 and rules["emergency_line"] == "95598"
    assert rules["hours"].covers(MONDAY_10, "Asia/Shanghai")
    assert not rules["hours"].covers(MONDAY_20, "Asia/Shanghai")
    assert not rules["hours"].covers(SUNDAY_10, "Asia/Shanghai")
    assert seed.hall_rules({})["hours"] is None  # no hours: open whenever the kiosks are on
    for bad in ({"hours": {"start": "18:00", "end": "09:00"}}, {"hours": {"start": "8h", "end": "17:00"}},
                {"hours": {"weekdays": [0], "start": "08:00", "end": "17:00"}}, {"desk": {"answer_s": 1}}):
        with pytest.raises(hours.HoursError):
            seed.hall_rules(bad)


def _route(app, business_type, at, **hall_fields):
    hall = dataclasses.replace(app.extensions["hall"], **hall_fields)
    with app.extensions["sessions"]() as s, s.begin(), clock.frozen(at):
        visit = visits.open_visit(s, device_id="kiosk-1")
        routed = outcomes.route(s, hall, business_type=business_type, reading=Reading(), visit=visit,
                                language="zh")
        return routed.decision.outcome, routed.lines, routed.made


def test_outside_the_hall_hours_no_ticket_and_no_hand_over(app, desk, client):
    weekdays = seed.hall_rules({"hours": {"weekdays": [1, 2, 3, 4, 5], "start": "08:30", "end": "17:30"}})
    client.post("/api/desk/presence", json={"available": True}, headers=desk("王经理"))
    outcome, lines, made = _route(app, "invoice", SUNDAY_10, **weekdays)
    assert outcome == "answer" and not made and "周一至周五 08:30–17:30" in lines[-1]
    assert _route(app, "invoice", MONDAY_10, **weekdays)[0] == "ticket"
    outcome, lines, made = _route(app, "capacity_change", MONDAY_20, **weekdays)
    assert outcome == "callback" and "上班后会给您回电" in lines[-1]
    assert _route(app, "capacity_change", MONDAY_10, **weekdays)[0] == "handover"


def test_a_shift_of_its_own_limits_when_a_person_is_reachable(app, desk, client):
    client.post("/api/desk/presence", json={"available": True}, headers=desk("王经理"))
    with app.extensions["sessions"]() as s, s.begin():
        duty.by_name(s, "王经理").shift = {"weekdays": [1, 2, 3, 4, 5], "start": "09:00", "end": "12:00"}
    assert _route(app, "solar_pv", MONDAY_10)[0] == "handover"
    assert _route(app, "solar_pv", MONDAY_20)[0] == "callback"
