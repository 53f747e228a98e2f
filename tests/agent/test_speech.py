"""Speech through pyttsx3 and the real espeak-ng: a WAV that sounds, one utterance at a time, stale greetings dropped."""
from __future__ import annotations

import datetime as dt
import time
import wave

import numpy as np
import pytest

from kiosk.agent.messages import greeting_text, spell_ticket, ticket_call_text
from kiosk.speech import SpeechWorker, render_wav, wav_duration

from .conftest import report


def _samples(path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), np.int16), w.getframerate()


def test_greeting_is_rendered_to_a_wav_by_espeak_ng(tmp_path):
    text = greeting_text(dt.datetime(2026, 11, 26, 9, 0), "zh", rain=True)
    assert text == "早上好，欢迎光临。请把雨伞放入门口的伞桶。"
    duration = render_wav(text, str(tmp_path / "greeting.wav"), "zh")
    samples, rate = _samples(tmp_path / "greeting.wav")
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    voiced = float(np.mean(np.abs(samples) > 500))
    report("speech-wav", {"text": text, "duration_s": round(duration, 2), "rate_hz": rate,
                          "rms": round(rms, 1), "voiced_share": round(voiced, 2)})
    # 19 Mandarin syllables at about 3-6 per second
    assert 2.5 < duration < 10
    assert rms > 300 and voiced > 0.2  # speech, not silence


def test_mandarin_voice_is_used(tmp_path):
    zh = render_wav("欢迎光临", str(tmp_path / "zh.wav"), "zh")
    en = render_wav("欢迎光临", str(tmp_path / "en.wav"), "en")  # English voice spells out 'Chinese letter'
    a, _ = _samples(tmp_path / "zh.wav")
    b, _ = _samples(tmp_path / "en.wav")
    assert zh < en and not np.array_equal(a[: len(b)], b[: len(a)])


def test_each_text_is_rendered_in_a_process_of_its_own_from_any_directory(tmp_path, monkeypatch):
    """pyttsx3 runs in `python -m kiosk.speech.render`: found from any directory, its failures reported."""
    monkeypatch.chdir(tmp_path)  # the agent may be started from anywhere
    assert render_wav("欢迎光临", "relative.wav", "zh") > 0.5
    assert (tmp_path / "relative.wav").stat().st_size > 10_000
    with pytest.raises(RuntimeError, match="nothing to say"):
        render_wav("  ", "blank.wav", "zh")
    assert not (tmp_path / "blank.wav").exists()


@pytest.mark.parametrize("hour,expected", [(8, "早上好"), (14, "下午好"), (19, "晚上好"), (2, "您好")])
def test_greeting_by_time_of_day(hour, expected):
    assert greeting_text(dt.datetime(2026, 1, 1, hour), "zh").startswith(expected + "，欢迎光临")
    assert "umbrella" in greeting_text(dt.datetime(2026, 1, 1, hour), "en", rain=True)


def test_ticket_numbers_are_read_digit_by_digit():
    assert spell_ticket("A012") == "A零一二"
    assert ticket_call_text("A012", 3) == "请A零一二号到3号窗口办理"
    assert ticket_call_text("B105", 2, "en") == "Number B 1 0 5, please go to counter 2."


def test_utterances_never_overlap_and_stale_greetings_are_dropped():
    worker = SpeechWorker(player="none").start()
    spans = []
    try:
        first = worker.say("您好，欢迎光临。", kind="greeting")
        second = worker.announce_ticket("A012", 3)
        stale = worker.say("下午好，欢迎光临。", kind="greeting", stale_after=0.1)  # waits behind the first
        for u in (first, second, stale):
            assert u.done.wait(30)
    finally:
        worker.stop()
    for u in (first, second):
        assert u.status == "spoken"
        spans.append((u.started_at, u.started_at + u.duration_s))
    assert spans[1][0] >= spans[0][1] - 0.01  # the second starts after the first has finished
    assert stale.status == "dropped" and stale.started_at is None


def test_say_does_not_block_the_caller():
    worker = SpeechWorker(player="none").start()
    try:
        t0 = time.perf_counter()
        u = worker.say("早上好，欢迎光临。")
        returned = time.perf_counter() - t0
        assert u.done.wait(30)
        # returning took a sliver of the utterance's length
        assert returned < u.duration_s / 10
    finally:
        worker.stop()


def test_greetings_go_before_reminders_and_a_reminder_is_said_once_for_a_group():
    from kiosk.agent.messages import greeting_parts

    greeting, reminder = greeting_parts(dt.datetime(2026, 1, 1, 15), "zh", rain=True)
    assert greeting == "下午好，欢迎光临。" and reminder == "请把雨伞放入门口的伞桶。"
    worker = SpeechWorker(player="none")  # not started: queue first, then run
    a = worker.say(greeting, kind="greeting")
    r1 = worker.say(reminder, kind="notice", dedupe="umbrella")
    b = worker.say(greeting, kind="greeting")
    r2 = worker.say(reminder, kind="notice", dedupe="umbrella")
    assert r2.status == "merged"
    worker.start()
    try:
        for u in (a, b, r1):
            assert u.done.wait(30)
    finally:
        worker.stop()
    assert [u.kind for u in worker.history] == ["greeting", "greeting", "notice"]


def test_a_greeting_whose_person_has_left_is_not_spoken():
    worker = SpeechWorker(player="none").start()
    try:
        first = worker.say("早上好，欢迎光临。", kind="greeting")
        gone = worker.say("早上好，欢迎光临。", kind="greeting", still_wanted=lambda: False)
        assert first.done.wait(30) and gone.done.wait(30)
    finally:
        worker.stop()
    assert first.status == "spoken" and gone.status == "dropped"


def _wait(*utterances):
    for u in utterances:
        assert u.done.wait(30)


def test_someone_arriving_during_a_greeting_is_greeted_with_it():
    worker = SpeechWorker(player="none").start()
    try:
        first = worker.say("下午好，欢迎光临。", kind="greeting", together=True)
        assert worker.speaking.wait(30)
        second = worker.say("下午好，欢迎光临。", kind="greeting", together=True)
        # joined the greeting being said: started the moment it was asked for, not after the first
        assert second.status == "speaking" and second.started_at - second.requested_at < 0.05
        _wait(first, second)
        other_words = worker.say("Good afternoon, welcome.", lang="en", kind="greeting", together=True)
        _wait(other_words)
    finally:
        worker.stop()
    assert (first.status, second.status, other_words.status) == ("spoken", "joined", "spoken")
    assert second.joined is first and other_words.joined is None
    assert other_words.started_at >= first.started_at + first.duration_s - 0.01


def test_greetings_waiting_their_turn_are_said_once_for_all_still_there():
    worker = SpeechWorker(player="none")  # not started: everything queues first
    notice = worker.say("请把雨伞放入门口的伞桶。", kind="notice")
    gone = worker.say("下午好，欢迎光临。", kind="greeting", together=True, still_wanted=lambda: False)
    there = worker.say("下午好，欢迎光临。", kind="greeting", together=True)
    alone = worker.say("下午好，欢迎光临。", kind="greeting")  # not together: its own turn
    worker.start()
    try:
        _wait(notice, gone, there, alone)
    finally:
        worker.stop()
    # the first asker left, so the words are said for the one still there, at once
    assert (gone.status, there.status, alone.status) == ("dropped", "joined", "spoken")
    assert gone.started_at is None and there.started_at is not None
    assert alone.started_at >= there.started_at + gone.duration_s - 0.01
    assert [u.kind for u in worker.history if u.status in ("spoken", "joined")] == ["greeting", "greeting",
                                                                                    "notice"]


REPLY = "您好，欢迎光临供电营业厅！请问您要办理什么业务？可以点下面的按钮，也可以直接说。"


def test_a_slower_rate_renders_a_longer_wav_each_time_it_is_asked_for(tmp_path):
    """The elderly mode's slower speech: each utterance its own rate, also after switching back and forth."""
    worker = SpeechWorker(player="none", rate=170, cache_dir=str(tmp_path))
    normal = wav_duration(worker.wav_for(REPLY, "zh"))
    slow = wav_duration(worker.wav_for(REPLY, "zh", 110))
    again = wav_duration(worker.wav_for("请问您要办理什么业务？", "zh"))
    slow_again = wav_duration(worker.wav_for("请问您要办理什么业务？", "zh", 110))
    assert slow > normal * 1.35 and slow_again > again * 1.35
    samples, _ = _samples(worker.wav_for(REPLY, "zh", 110))
    assert float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) > 300  # speech, not silence


def test_hush_stops_the_reply_being_read_and_drops_the_waiting_ones_but_not_a_greeting():
    worker = SpeechWorker(player="none").start()
    try:
        ended = []
        reading = worker.say(REPLY, kind="reply", on_done=lambda u, status: ended.append(time.monotonic()))
        waiting = worker.say("请选择您要办理的业务。", kind="reply")
        assert worker.speaking.wait(30) and reading.status == "speaking"
        time.sleep(0.5)
        worker.hush()
        _wait(reading, waiting)
        greeting = worker.say("下午好，欢迎光临。", kind="greeting")
        worker.hush()  # nothing being read: a greeting is never hushed
        after = worker.say("好的，为您办理「开发票」。", kind="reply")  # asked for after the hush: said
        _wait(greeting, after)
    finally:
        worker.stop()
    assert reading.status == "hushed" and waiting.status == "dropped" and waiting.started_at is None
    assert reading.duration_s > 5 and ended[0] - reading.started_at < 2  # stopped well before its end
    assert (greeting.status, after.status) == ("spoken", "spoken")


@pytest.mark.parametrize("kind,text,rate", [("notice", "请把雨伞放入门口的伞桶。", None), ("reply", REPLY, 120)])
def test_a_greeting_cuts_a_notice_or_a_reply_short_and_it_is_said_again_once(kind, text, rate):
    worker = SpeechWorker(player="none").start()
    try:
        first = worker.say(text, kind=kind, rate=rate, dedupe=kind)
        assert worker.speaking.wait(30)
        greeting = worker.say("下午好，欢迎光临。", kind="greeting", together=True)
        _wait(first, greeting)
        deadline = time.monotonic() + 60
        while len(worker.history) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert first.status == "interrupted"
    assert greeting.started_at < first.started_at + first.duration_s  # did not wait out the first
    said = [(u.kind, u.status) for u in worker.history]
    assert said == [(kind, "interrupted"), ("greeting", "spoken"), (kind, "spoken")]
    again = worker.history[2]
    assert again.repeated and again.rate == rate
    # never overlapping: each starts once the one before has ended
    assert again.started_at >= greeting.started_at + greeting.duration_s - 0.01
