"""Renders one utterance to a WAV with pyttsx3 (its espeak-ng driver): `python -m kiosk.speech.render`.

The speech worker runs this module once per utterance, in a fresh process:
pyttsx3 2.99's espeak driver keeps one espeak-ng per process, and a second
rendering in it may write an empty file or keep the previous utterance's
rate, while the first rendering of a fresh engine is right. The text comes
on stdin (a text starting with '-' is never read as an option); the exit
status says whether the WAV holds speech, stderr why not.
"""

from __future__ import annotations

import argparse
import sys
import threading
import wave

# the espeak driver's run loop can return before espeak-ng has finished (the file is written then)
FINISH_TIMEOUT_S = 60.0


def render(text: str, path: str, *, voice: str, rate: int, volume: float) -> None:
    """Save `text` spoken by `voice` at `rate` words per minute to the WAV at `path` (call once per process)."""
    if not text.strip():
        raise ValueError("nothing to say")  # espeak-ng would never report the end of an empty text
    import pyttsx3

    engine = pyttsx3.init("espeak")
    finished = threading.Event()
    outcomes: list[bool] = []

    def on_finished(name, completed) -> None:  # pyttsx3 passes these by keyword
        outcomes.append(bool(completed))
        finished.set()

    engine.connect("finished-utterance", on_finished)
    engine.setProperty("voice", voice)  # first: choosing a voice resets espeak's rate
    engine.setProperty("rate", rate)
    engine.setProperty("volume", volume)
    engine.save_to_file(text, path)
    engine.runAndWait()
    if not finished.wait(FINISH_TIMEOUT_S) or not all(outcomes):
        raise RuntimeError(f"pyttsx3 did not finish rendering {text!r}")
    with wave.open(path, "rb") as w:
        if w.getnframes() == 0:
            raise RuntimeError(f"pyttsx3 wrote an empty WAV for {text!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kiosk.speech.render", description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="the WAV file to write")
    ap.add_argument("--voice", default="cmn", help="espeak-ng voice (cmn: Mandarin, en: English)")
    ap.add_argument("--rate", type=int, default=170, help="words per minute")
    ap.add_argument("--volume", type=float, default=1.0, help="0.0-1.0")
    args = ap.parse_args(argv)
    text = sys.stdin.buffer.read().decode("utf-8")
    try:
        render(text, args.out, voice=args.voice, rate=args.rate, volume=args.volume)
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
