"""The hall announcer: each counter call on the display channel, spoken once in Chinese.

It runs beside the hall display (`python -m kiosk announcer`), follows the
server's `display` live channel, and hands every `call` to the speech worker,
which renders it with pyttsx3 (espeak-ng) and plays one utterance at a time,
so two calls never overlap. The event id is remembered: a reconnect resumes
after the last call heard (Last-Event-ID) and never repeats one; a call
older than `stale_s` when its turn comes is dropped rather than spoken late.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import time

from kiosk.agent.messages import ticket_call_text
from kiosk.hall_client import HallClient
from kiosk.speech.follow import ChannelFollower
from kiosk.speech.worker import SpeechWorker, Utterance, render_wav

log = logging.getLogger(__name__)


def counter_number(call: dict) -> str:
    """'3号窗口' -> '3' (the sentence adds 号窗口); a name without digits falls back to the id."""
    found = re.search(r"\d+", str(call.get("counter") or ""))
    return found.group(0) if found else str(call.get("counter_id", ""))


def call_text(call: dict, lang: str = "zh") -> str:
    """请A零一二号到3号窗口办理 (numbers read digit by digit, as halls call them)."""
    return ticket_call_text(str(call["number"]), counter_number(call), lang)


def render_call(number: str, counter: str, path: str, lang: str = "zh") -> float:
    """Render one call to a WAV file; returns its length in seconds."""
    return render_wav(call_text({"number": number, "counter": counter}, lang), path, lang)


class Announcer(ChannelFollower):
    def __init__(self, hall: HallClient, worker: SpeechWorker, *, lang: str = "zh", stale_s: float = 60.0):
        super().__init__(hall, "display")
        self.worker = worker
        self.lang = lang
        self.stale_s = stale_s
        self.spoken: list[Utterance] = []

    def handle(self, ev_id: int | None, ev_type: str, data: str) -> Utterance | None:
        if ev_type != "call":
            return None
        if ev_id is not None:
            if self.last_id is not None and ev_id <= self.last_id:
                return None  # already heard (a replay after reconnecting)
            self.last_id = ev_id
        try:
            call = json.loads(data)
            text = call_text(call, self.lang)
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable call event %r", data[:200])
            return None
        utt = self.worker.say(text, lang=self.lang, kind="ticket", stale_after=self.stale_s)
        self.spoken.append(utt)
        return utt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk announcer", description="Speak the hall's counter calls (display channel)."
    )
    parser.add_argument(
        "--url", help="the hall server (default: KIOSK_SERVER_URL, else this stack's KIOSK_HOST:KIOSK_PORT)"
    )
    parser.add_argument(
        "--player", default="auto", help="'auto' (aplay/paplay/play), a command with {wav}, or 'none'"
    )
    parser.add_argument("--voice", default="cmn", help="espeak-ng voice for Chinese")
    parser.add_argument("--rate", type=int, default=150, help="words per minute")
    parser.add_argument("--stale-s", type=float, default=60.0, help="drop a call not spoken within this")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    worker = SpeechWorker(voice=args.voice, rate=args.rate, player=args.player).start()
    announcer = Announcer(HallClient(args.url), worker, stale_s=args.stale_s).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        announcer.stop()
        worker.stop()
    return 0
