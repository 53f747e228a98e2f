"""Reading the kiosk dialog aloud: the hall tells the kiosk's agent, which owns the speaker, on its speaker channel.

The screen cannot speak through the speaker itself: the speaker belongs to the
camera agent's speech worker, the one that says the greeting, so that a reply
never talks over a greeting. The agent follows `speaker:<device>`
(kiosk/speech/reader.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kiosk.hall import live

PACES = ("normal", "slow")  # slow: the elderly mode


def speaker_channel(device_id: str) -> str:
    return f"speaker:{device_id}"


def read(s: Session, device_id: str, text: str, language: str, pace: str = "normal") -> None:
    live.publish(s, speaker_channel(device_id), "say", {"text": text, "language": language, "pace": pace})


def hush(s: Session, device_id: str) -> None:
    """The customer touched the screen: the reply being read stops, the ones waiting are dropped."""
    live.publish(s, speaker_channel(device_id), "hush", {})
