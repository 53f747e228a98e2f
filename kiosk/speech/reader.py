"""The reply reader: the kiosk dialog's messages, read aloud through the agent's speech worker.

The kiosk screen asks the hall (`POST /api/kiosk/sessions/<id>/read-aloud`),
the hall tells this kiosk's agent on `speaker:<device>`, and the reader hands
each message to the same worker that says the greeting: one utterance at a
time, so a reply never talks over a greeting (a greeting cuts a reply short
and the reply is read again after it). `hush` (the customer touched the
screen) stops the reply being read and drops the ones waiting. It does not
resume after a reconnect: a reply missed while the stream was down is not
worth reading late.
"""

from __future__ import annotations

import json
import logging

from kiosk.hall_client import HallClient
from kiosk.speech.follow import ChannelFollower
from kiosk.speech.worker import SpeechWorker, Utterance

log = logging.getLogger(__name__)


class ReplyReader(ChannelFollower):
    def __init__(
        self,
        hall: HallClient,
        worker: SpeechWorker,
        device_id: str,
        *,
        slow_rate: int,
        stale_s: float = 30.0,
    ):
        super().__init__(hall, f"speaker:{device_id}")
        self.worker = worker
        self.slow_rate = slow_rate
        self.stale_s = stale_s
        self.read: list[Utterance] = []

    def handle(self, ev_id: int | None, ev_type: str, data: str) -> Utterance | None:
        if ev_type == "hush":
            self.worker.hush()
            return None
        if ev_type != "say":
            return None
        try:
            message = json.loads(data)
            text = str(message["text"])
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable reply event %r", data[:200])
            return None
        lang = "en" if message.get("language") == "en" else "zh"
        rate = self.slow_rate if message.get("pace") == "slow" else None
        utt = self.worker.say(text, lang=lang, kind="reply", rate=rate, stale_after=self.stale_s)
        self.read.append(utt)
        return utt
