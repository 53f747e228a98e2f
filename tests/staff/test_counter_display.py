"""A counter calls next in Chromium; the hall display shows it; the announcer speaks it once (real espeak-ng)."""
from __future__ import annotations

import time
import wave

import numpy as np
import requests

from kiosk.hall_client import HallClient
from kiosk.speech import SpeechWorker, wav_duration
from kiosk.speech.announcer import Announcer, call_text, counter_number, render_call
from kiosk.speech.follow import sse_events
from tests.conftest import ONE_ENGINE
from tests.staff.conftest import login
from tests.staff.helpers import kiosk_triage, make_user


def _loudness(path) -> float:
    with wave.open(str(path), "rb") as w:
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return float(np.sqrt(np.mean(frames.astype(np.float64) ** 2)))


# the display and the announcer do not depend on the database
@ONE_ENGINE
def test_call_next_shows_on_display_and_is_spoken_once(server, new_page, tmp_path):
    h = server.db
    make_user(h, "counter1", "counter")
    first = kiosk_triage(h, "bill_inquiry", "电费怎么这么高", confidence=0.92, priority=False)
    second = kiosk_triage(h, "invoice", "开发票")

    (tmp_path / "speech").mkdir()
    worker = SpeechWorker(player="none", cache_dir=str(tmp_path / "speech")).start()
    announcer = Announcer(HallClient(server.url), worker).start()
    assert announcer.connected.wait(10)

    display = new_page()
    display.goto(f"{server.url}/display")
    display.wait_for_selector("#live[data-live='1']", timeout=10_000)

    page = new_page()
    login(page, server, "counter1")
    assert page.url.endswith("/staff/counter")
    page.wait_for_function("document.querySelectorAll('#counter option').length > 0", timeout=5_000)
    page.select_option("#counter", "1")        # 1号窗口 serves queue A
    page.check("#open")
    page.wait_for_timeout(300)

    page.click("#call-next")
    page.wait_for_selector("#ticket:not([hidden])", timeout=5_000)
    assert page.inner_text("#t-number") == first["number"]
    page.wait_for_selector("#triage .said.user", timeout=5_000)
    assert "电费怎么这么高" in page.inner_text("#triage")
    assert "户号或电费通知单" in page.inner_text("#materials")
    assert not page.is_visible("#t-priority")

    display.wait_for_function(f"document.getElementById('now-number').textContent === '{first['number']}'",
                              timeout=3_000)
    assert display.inner_text("#now-counter") == "1号窗口"
    page.screenshot(path=str(tmp_path / "counter.png"), full_page=True)

    # done, then the next one; the first moves to the display's "last calls"
    page.click("[data-act=done]")
    page.wait_for_selector("#ticket", state="hidden", timeout=5_000)
    page.click("#call-next")
    page.wait_for_function(f"document.getElementById('t-number').textContent === '{second['number']}'",
                           timeout=5_000)
    display.wait_for_function(f"document.getElementById('now-number').textContent === '{second['number']}'",
                              timeout=3_000)
    assert first["number"] in display.inner_text("#last")
    page.click("[data-act=recall]")
    page.wait_for_timeout(300)
    page.click("[data-act=no-show]")
    page.wait_for_selector("#ticket", state="hidden", timeout=5_000)
    page.click("#call-next")
    page.wait_for_selector("#message", timeout=5_000)
    page.wait_for_function("document.getElementById('message').textContent.includes('无人等候')", timeout=5_000)
    display.screenshot(path=str(tmp_path / "display.png"))

    # three calls (first, second, the recall of second): each spoken once, one after another
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (len(announcer.spoken) == 3
                                               and all(u.done.is_set() for u in announcer.spoken)):
        time.sleep(0.2)
    announcer.stop()
    texts = [u.text for u in announcer.spoken]
    a, b = call_text({"number": first["number"], "counter": "1号窗口"}), \
        call_text({"number": second["number"], "counter": "1号窗口"})
    assert texts == [a, b, b]
    assert a == f"请{first['number'][0]}零零一号到1号窗口办理"
    assert [u.status for u in announcer.spoken] == ["spoken"] * 3
    for earlier, later in zip(announcer.spoken, announcer.spoken[1:]):
        assert later.started_at >= earlier.started_at + earlier.duration_s - 0.05  # never overlapping
    wav = worker.wav_for(a, "zh")
    assert 1.0 < wav_duration(wav) < 10.0 and _loudness(wav) > 300
    worker.stop()
    assert display.errors == [] and page.errors == []


def test_render_call_to_wav(tmp_path):
    path = tmp_path / "call.wav"
    seconds = render_call("A012", "3号窗口", str(path))
    assert 1.0 < seconds < 10.0
    assert _loudness(path) > 300
    with wave.open(str(path), "rb") as w:  # not silence: speech has loud and quiet stretches
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64)
        rate = w.getframerate()
    windows = frames[: len(frames) // (rate // 50) * (rate // 50)].reshape(-1, rate // 50)
    energy = np.sqrt((windows ** 2).mean(axis=1))
    assert (energy > 500).mean() > 0.3 and (energy < 100).any()
    assert call_text({"number": "A012", "counter": "3号窗口"}) == "请A零一二号到3号窗口办理"


def test_counter_number_and_sse_parsing():
    assert counter_number({"counter": "12号窗口", "counter_id": 4}) == "12"
    assert counter_number({"counter": "VIP", "counter_id": 4}) == "4"
    lines = ["retry: 1000", ": connected", "", "id: 7", "event: call", 'data: {"number": "A001"}', "",
             ": keep-alive", "", "id: 8", "event: queues", "data: {}", ""]
    assert list(sse_events(iter(lines))) == [(7, "call", '{"number": "A001"}'), (8, "queues", "{}")]


def test_announcer_never_repeats_a_heard_call(tmp_path):
    said = []

    class Worker:
        def say(self, text, **kw):
            said.append(text)
            return text

    a = Announcer(HallClient("http://127.0.0.1:9"), Worker())
    call = '{"number": "B003", "counter": "3号窗口", "counter_id": 3}'
    a.handle(10, "call", call)
    a.handle(10, "call", call)   # replayed after a reconnect
    a.handle(9, "call", call)
    a.handle(11, "queues", "{}")
    a.handle(12, "call", "not json")
    assert said == ["请B零零三号到3号窗口办理"]


@ONE_ENGINE
def test_display_needs_no_login_and_shows_no_customer_data(server):
    r = requests.get(f"{server.url}/display", timeout=5)
    assert r.status_code == 200 and "Content-Security-Policy" in r.headers
    assert requests.get(f"{server.url}/api/calls/recent", timeout=5).json() == {"calls": []}
