"""Reading the dialog aloud: screen → hall → the kiosk's agent → the same speech worker as the greeting.

The agent side is the real ReplyReader following the real server's
`speaker:<device>` channel, and a real SpeechWorker rendering with pyttsx3 (espeak-ng)
to WAV files (no sound card here: the worker waits out each utterance's
length, so "never overlapping" is measured on the worker's timeline).
"""
from __future__ import annotations

import re
import time
import wave

import numpy as np
import pytest
import requests
from playwright.sync_api import expect

from kiosk.hall_client import HallClient
from kiosk.speech import SpeechWorker
from kiosk.speech.reader import ReplyReader
from tests.conftest import ONE_ENGINE

# what is read aloud, and when, does not depend on the database
pytestmark = ONE_ENGINE

DEVICE = "kiosk-1"
SLOW = 110


@pytest.fixture
def agent_speech(hall_server, tmp_path):
    """The agent's speech: its worker (pyttsx3/espeak-ng to files) and its reply reader on this kiosk's channel."""
    worker = SpeechWorker(player="none", rate=170, cache_dir=str(tmp_path / "wav")).start()
    reader = ReplyReader(HallClient(hall_server.url, hall_server.device_token), worker, DEVICE,
                         slow_rate=SLOW).start()
    assert reader.connected.wait(10)
    yield worker, reader
    reader.stop()
    worker.stop()


def _session(server, device: str = DEVICE, language: str = "zh") -> str:
    r = requests.post(f"{server.url}/api/kiosk/sessions", headers=server.device_headers, timeout=15,
                      json={"device_id": device, "language": language})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _read(server, session: str, **body) -> requests.Response:
    return requests.post(f"{server.url}/api/kiosk/sessions/{session}/read-aloud", json=body,
                         headers=server.device_headers, timeout=15)


def _until(predicate, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _voiced(path: str) -> float:
    with wave.open(path, "rb") as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float64)
    return float(np.sqrt(np.mean(samples ** 2)))


def test_a_reply_is_read_after_the_greeting_never_over_it_and_slower_in_the_elderly_mode(hall_server,
                                                                                        agent_speech):
    worker, reader = agent_speech
    session = _session(hall_server)
    greeting = worker.say("下午好，欢迎光临。", kind="greeting", together=True)  # the agent greets …
    text = "请问您要办理什么业务？"
    r = _read(hall_server, session, text=text)                               # … while the screen asks
    assert r.status_code == 202 and r.json() == {"device_id": DEVICE, "language": "zh", "pace": "normal"}
    assert _read(hall_server, session, text=text, pace="slow").status_code == 202
    _until(lambda: len(reader.read) == 2 and all(u.done.is_set() for u in reader.read))
    normal, slow = reader.read
    assert (normal.kind, normal.text, normal.lang, normal.status) == ("reply", text, "zh", "spoken")
    assert greeting.status == "spoken"
    assert normal.started_at >= greeting.started_at + greeting.duration_s - 0.01  # after the greeting
    assert slow.started_at >= normal.started_at + normal.duration_s - 0.01
    assert slow.rate == SLOW and slow.duration_s > normal.duration_s * 1.3    # slower speech
    for utt in (normal, slow):
        assert _voiced(worker.wav_for(utt.text, "zh", utt.rate)) > 300       # espeak-ng's speech, not silence


def test_a_tap_hushes_the_reply_being_read(hall_server, agent_speech):
    worker, reader = agent_speech
    session = _session(hall_server, language="en")
    long_text = ("Hello, welcome to the power supply service hall. What can I help you with today? "
                 "Tap a button or tell me in your own words.")
    assert _read(hall_server, session, text=long_text).status_code == 202
    _until(lambda: reader.read and reader.read[0].status == "speaking")
    time.sleep(0.3)
    r = requests.post(f"{hall_server.url}/api/kiosk/sessions/{session}/hush",
                      headers=hall_server.device_headers, timeout=15)
    assert r.status_code == 202
    utt = reader.read[0]
    assert utt.done.wait(10)
    assert utt.status == "hushed" and utt.lang == "en"  # the session's language


def test_read_aloud_refuses_bad_requests_with_json_errors(hall_server):
    session = _session(hall_server)
    url = f"{hall_server.url}/api/kiosk/sessions/{session}/read-aloud"
    assert requests.post(url, json={"text": "hi"}, timeout=10).status_code == 401
    for body in ({"text": ""}, {"text": "hi", "pace": "fast"}, {"text": "\u200b\u0007"}, {"text": "x" * 601},
                 {"text": "hi", "language": "fr"}):
        r = requests.post(url, json=body, headers=hall_server.device_headers, timeout=10)
        assert r.status_code == 422 and r.json()["error"]["code"], (body, r.text)
    r = requests.post(f"{hall_server.url}/api/kiosk/sessions/nope/read-aloud", json={"text": "hi"},
                      headers=hall_server.device_headers, timeout=10)
    assert r.status_code == 404 and r.json()["error"]["code"] == "session_not_found"
    # the speaker channel is the kiosk's own: not for anyone without credentials
    r = requests.get(f"{hall_server.url}/api/stream?channel=speaker:{DEVICE}", timeout=10, stream=True)
    assert r.status_code == 401


def test_the_elderly_mode_reads_every_reply_slowly_and_a_tap_stops_it(kiosk, agent_speech):
    """In Chromium: 老年模式 on the kiosk, the replies read by the agent's worker, a tap hushes them."""
    worker, reader = agent_speech
    kiosk.open(elderly=1)
    page = kiosk.page
    assert page.evaluate("document.documentElement.classList.contains('elderly')")
    greeting = worker.say("下午好，欢迎光临。", kind="greeting", together=True)  # the agent greets at 2 m
    kiosk.approach("51")
    kiosk.wait_state("dialog")
    shown = page.locator("#chat .bubble.bot").all_inner_texts()
    _until(lambda: len(reader.read) == len(shown))
    assert [u.text for u in reader.read] == shown and all(u.rate == SLOW for u in reader.read)
    first = reader.read[0]
    _until(lambda: first.status == "speaking")
    assert first.started_at >= greeting.started_at + greeting.duration_s - 0.01  # never over the greeting
    page.mouse.click(540, 300)                        # the customer touches the screen
    _until(lambda: all(u.done.is_set() for u in reader.read), timeout=10)
    assert first.status == "hushed"
    assert all(u.status == "dropped" for u in reader.read[1:])
    assert not kiosk.errors


def test_a_message_is_read_aloud_when_its_speaker_button_is_tapped(kiosk, agent_speech):
    worker, reader = agent_speech
    kiosk.open()
    kiosk.approach("52")
    kiosk.wait_state("dialog")
    page = kiosk.page
    assert reader.read == []                          # not read unless asked for
    page.click("#chat .bot-line >> nth=-1 >> .say")
    _until(lambda: len(reader.read) == 1)
    assert reader.read[0].text == page.locator("#chat .bubble.bot").last.inner_text()
    assert reader.read[0].rate is None                # the normal pace
    page.click("#read-aloud")                         # every reply from now on
    assert page.get_attribute("#read-aloud", "aria-pressed") == "true"
    page.click('[data-set-lang="en"]')                # nothing said yet: the dialog starts again in English
    _until(lambda: any(u.lang == "en" for u in reader.read))
    assert all(not re.search(r"[\u3400-\u9fff]", u.text) for u in reader.read if u.lang == "en")
