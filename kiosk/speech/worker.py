"""The speech worker: one utterance at a time, in its own thread, rendered by pyttsx3 (espeak-ng).

Each text is rendered to a WAV by pyttsx3, in a fresh process per text
(`kiosk/speech/render.py`; cached: greetings repeat), and the worker starts
the player itself, which gives a true start-of-speech time. Without an audio player (a headless box) the worker
waits out the utterance's length instead, so utterances still never
overlap. A greeting that waited longer than its stale limit is dropped
rather than spoken to nobody.

People arriving together are greeted together, as a greeter at the door
does: a greeting asked for `together` while the same words are being
spoken (or still wait their turn) joins them instead of queueing a second
greeting behind the first. A greeting also cuts a notice (the umbrella
reminder) or a reply short; it is said again after it, once.

Replies are the kiosk dialog's messages read aloud (`kiosk/speech/reader.py`):
`hush()` stops the one being read and drops those waiting, when the
customer touches the screen; greetings, calls and notices are not hushed.
Each utterance may have its own rate (slower for the elderly mode).
"""

from __future__ import annotations

import ctypes.util
import hashlib
import importlib.util
import itertools
import logging
import os
import queue
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

log = logging.getLogger(__name__)

# `python -m kiosk.speech.render` must find this checkout's kiosk package, whatever the caller's directory
_PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass
class Utterance:
    text: str
    lang: str = "zh"
    kind: str = "greeting"  # greeting | ticket | reply | notice (spoken in that order of priority)
    requested_at: float = 0.0
    stale_after: float | None = None
    on_start: Callable[[Utterance, float], None] | None = None
    on_done: Callable[[Utterance, str], None] | None = None
    dedupe: str | None = None  # an utterance with the same key already waiting makes this one redundant
    still_wanted: Callable[[], bool] | None = None  # False when its turn comes: dropped (the person left)
    together: bool = False  # may join the same words already queued or being spoken
    rate: int | None = None  # words per minute; None: the worker's rate
    started_at: float | None = None
    # queued | speaking | spoken | joined | interrupted | hushed | dropped | merged
    status: str = "queued"
    duration_s: float | None = None
    companions: list[Utterance] = field(default_factory=list)  # joined this one (greeted together)
    joined: Utterance | None = None  # the utterance this one joined
    repeated: bool = False  # said again after a greeting cut it short
    hush_gen: int = 0  # a reply asked for before the last hush() is not said
    done: threading.Event = field(default_factory=threading.Event)

    def wanted(self) -> bool:
        if self.still_wanted is None:
            return True
        try:
            return bool(self.still_wanted())
        except Exception:
            log.exception("still_wanted check failed")
            return True

    def stale(self, now: float) -> bool:
        return self.stale_after is not None and now - self.requested_at > self.stale_after


def wav_duration(path: str | os.PathLike) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


class Pyttsx3Renderer:
    """Renders text to WAV files with pyttsx3 (espeak-ng), one fresh process per text, so any thread may call it.

    Each text is rendered by `python -m kiosk.speech.render` in a process of
    its own: pyttsx3's espeak driver renders right only the first time in a
    process (a later one may come out empty or at the previous rate), and each
    utterance may have its own rate (slower for the elderly mode).
    """

    TIMEOUT_S = 90  # the child gives up on espeak-ng after 60 s

    def __init__(self, voice: str = "cmn", voice_en: str = "en", rate: int = 170, volume: float = 1.0):
        if importlib.util.find_spec("pyttsx3") is None:
            raise RuntimeError("pyttsx3 is not installed (requirements.txt)")
        if ctypes.util.find_library("espeak-ng") is None:
            raise RuntimeError("espeak-ng is not installed (scripts/system-deps.sh)")
        self.voices = {"zh": voice, "en": voice_en}
        self.rate = rate
        self.volume = volume

    def render(self, text: str, path: str, lang: str = "zh", rate: int | None = None) -> str:
        path = os.path.abspath(path)
        if os.path.exists(path):
            os.remove(path)  # a file left from before must not pass for this text's
        cmd = [
            sys.executable,
            "-m",
            "kiosk.speech.render",
            "--out",
            path,
            "--voice",
            self.voices.get(lang, self.voices["zh"]),
            "--rate",
            str(rate or self.rate),
            "--volume",
            str(self.volume),
        ]
        done = subprocess.run(
            cmd,
            input=text.encode("utf-8"),
            stdout=subprocess.DEVNULL,  # the espeak driver prints "Audio saved to ..." for every file
            stderr=subprocess.PIPE,
            cwd=_PROJECT_ROOT,
            timeout=self.TIMEOUT_S,
        )
        if done.returncode != 0 or not os.path.exists(path):
            why = done.stderr.decode(errors="replace").strip()[-300:]
            raise RuntimeError(f"pyttsx3 wrote no audio for {text!r}: {why}")
        return path


def render_wav(
    text: str, path: str, lang: str = "zh", *, voice: str = "cmn", voice_en: str = "en", rate: int = 170
) -> float:
    """Render one text to a WAV with pyttsx3; returns its duration in seconds."""
    Pyttsx3Renderer(voice, voice_en, rate).render(text, path, lang)
    return wav_duration(path)


def resolve_player(player: str | None) -> list[str] | None:
    if player is None or player.strip().lower() in ("", "none", "off"):
        return None
    if player.strip().lower() == "auto":
        for exe, args in (("aplay", "-q {wav}"), ("paplay", "{wav}"), ("play", "-q {wav}")):
            if shutil.which(exe):
                return [exe, *args.split()]
        return None
    return shlex.split(player)


class SpeechWorker:
    def __init__(
        self,
        *,
        voice: str = "cmn",
        voice_en: str = "en",
        rate: int = 170,
        volume: float = 1.0,
        player: str | None = "auto",
        enabled: bool = True,
        clock=time.monotonic,
        cache_dir: str | None = None,
    ):
        self.clock = clock
        self.enabled = enabled
        self.player = resolve_player(player)
        self._settings = (voice, voice_en, rate, volume)
        self._renderer: Pyttsx3Renderer | None = None
        self._renderer_failed = False
        # greetings go before tickets before notices: a second customer's greeting must not wait out
        # the first one's umbrella reminder and go stale
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._seq = itertools.count()
        self._waiting: set[str] = set()
        self._lock = threading.Lock()
        self._current: Utterance | None = None
        self._queued_together: dict[tuple[str, str], Utterance] = {}  # greetings waiting their turn
        self._preempt = threading.Event()
        self._hush = threading.Event()  # the reply being read is to stop
        self._hush_gen = 0
        self._thread: threading.Thread | None = None
        self._cache: dict[tuple[str, str, int | None], str] = {}
        self.cache_dir = cache_dir or tempfile.mkdtemp(prefix="kiosk-speech-")
        os.makedirs(self.cache_dir, exist_ok=True)
        self.history: list[Utterance] = []
        self.speaking = threading.Event()
        self._player_warned = False

    @classmethod
    def from_settings(cls, s, **kw) -> SpeechWorker:
        return cls(
            voice=s.voice,
            voice_en=s.voice_en,
            rate=s.rate,
            volume=s.volume,
            player=s.player,
            enabled=s.enabled,
            **kw,
        )

    # -- callers (never block) -----------------------------------------
    def start(self) -> SpeechWorker:
        self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
        self._thread.start()
        return self

    PRIORITY: ClassVar[dict[str, int]] = {"prepare": 0, "greeting": 1, "ticket": 2, "reply": 3, "notice": 3}
    PREEMPTIBLE: ClassVar[tuple[str, ...]] = ("notice", "reply")  # a greeting cuts these short

    def _put(self, utt: Utterance | None) -> None:
        rank = 9 if utt is None else self.PRIORITY.get(utt.kind, 3)
        self._queue.put((rank, next(self._seq), utt))

    def say(
        self,
        text: str,
        *,
        lang: str = "zh",
        kind: str = "notice",
        stale_after: float | None = None,
        on_start=None,
        on_done=None,
        dedupe: str | None = None,
        still_wanted=None,
        together: bool = False,
        rate: int | None = None,
    ) -> Utterance:
        utt = Utterance(
            text=text,
            lang=lang,
            kind=kind,
            requested_at=self.clock(),
            stale_after=stale_after,
            on_start=on_start,
            on_done=on_done,
            dedupe=dedupe,
            still_wanted=still_wanted,
            together=together,
            rate=rate,
        )
        joined_at = None
        with self._lock:
            utt.hush_gen = self._hush_gen
            if dedupe is not None:
                if dedupe in self._waiting:
                    utt.status = "merged"
                    utt.done.set()
                    return utt
                self._waiting.add(dedupe)
            host = self._joinable(utt)
            if host is not None:
                host.companions.append(utt)
                utt.joined = host
                if host.status == "speaking":  # heard from now on: started at once
                    joined_at = utt.started_at = self.clock()
                    utt.status = "speaking"
            else:
                if together:
                    self._queued_together[(text, lang)] = utt
                current = self._current
                if (
                    kind == "greeting"
                    and current is not None
                    and current.kind in self.PREEMPTIBLE
                    and not current.repeated
                ):
                    self._preempt.set()
                self._put(utt)
        if joined_at is not None:
            self._call(utt.on_start, utt, joined_at)
        return utt

    def _joinable(self, utt: Utterance) -> Utterance | None:
        """The same words, asked for together, queued or being spoken now (call with the lock held)."""
        if not utt.together:
            return None
        current = self._current
        if (
            current is not None
            and current.together
            and current.status == "speaking"
            and (current.text, current.lang) == (utt.text, utt.lang)
        ):
            return current
        return self._queued_together.get((utt.text, utt.lang))

    def announce_ticket(self, number: str, counter: str | int | None = None, lang: str = "zh") -> Utterance:
        """Read out a ticket number: the call to a counter, or the number just issued."""
        from kiosk.agent.messages import ticket_call_text, ticket_issued_text

        text = (
            ticket_call_text(number, counter, lang)
            if counter is not None
            else ticket_issued_text(number, lang)
        )
        return self.say(text, lang=lang, kind="ticket")

    def hush(self) -> None:
        """The customer touched the screen: stop the reply being read and drop the replies waiting."""
        with self._lock:
            self._hush_gen += 1
            current = self._current
            if current is not None and current.kind == "reply":
                self._hush.set()

    def prepare(self, texts: Sequence[tuple[str, str]]) -> None:
        """Render these (text, lang) pairs ahead, in the worker, so saying them later starts at once."""
        for text, lang in texts:
            self._put(Utterance(text=text, lang=lang, kind="prepare"))

    def stop(self, timeout: float = 10.0) -> None:
        self._put(None)
        if self._thread:
            self._thread.join(timeout=timeout)

    def idle(self) -> bool:
        return self._queue.empty() and not self.speaking.is_set()

    # -- worker thread --------------------------------------------------
    def _renderer_or_none(self) -> Pyttsx3Renderer | None:
        if self._renderer is None and not self._renderer_failed:
            try:
                self._renderer = Pyttsx3Renderer(*self._settings)
            except Exception as exc:  # no pyttsx3 or espeak-ng: speak nothing, keep the pacing
                self._renderer_failed = True
                log.error("speech engine unavailable (%s); utterances are logged only", exc)
        return self._renderer

    def wav_for(self, text: str, lang: str, rate: int | None = None) -> str | None:
        key = (text, lang, rate)
        path = self._cache.get(key)
        if path and os.path.exists(path):
            return path
        renderer = self._renderer_or_none()
        if renderer is None:
            return None
        name = hashlib.sha1(f"{lang}:{rate}:{text}".encode()).hexdigest()[:16] + ".wav"
        path = os.path.join(self.cache_dir, name)
        renderer.render(text, path, lang, rate)
        self._cache[key] = path
        return path

    def _run(self) -> None:
        while True:
            _, _, utt = self._queue.get()
            if utt is None:
                return
            if utt.dedupe is not None:
                with self._lock:
                    self._waiting.discard(utt.dedupe)
            if utt.kind == "prepare":
                try:
                    self.wav_for(utt.text, utt.lang)
                except Exception:
                    log.exception("could not prepare %r", utt.text)
                continue
            self._speak(utt)

    @staticmethod
    def _call(callback, *args) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            log.exception("speech callback %r failed", callback)

    def _finish(self, utt: Utterance, status: str) -> None:
        utt.status = status
        self.history.append(utt)
        self._call(utt.on_done, utt, status)
        utt.done.set()

    def _drop_unwanted(self, utt: Utterance) -> bool:
        """Drop the host's and companions' parts nobody is there for; True when none is left to say."""
        now = self.clock()
        for u in [utt, *utt.companions]:
            why = self._unwanted(u, now) if u.status in ("queued", "dropping") else None
            if why:
                log.info("dropped %s (%s): %s", u.kind, why, u.text)
                u.status = "dropping"
        return all(u.status == "dropping" for u in [utt, *utt.companions])

    def _unwanted(self, u: Utterance, now: float) -> str | None:
        if u.kind == "reply" and u.hush_gen != self._hush_gen:
            return "hushed"
        if u.stale(now):
            return "stale"
        if not u.wanted():
            return "nobody there"
        return None

    def _speak(self, utt: Utterance) -> None:
        with self._lock:
            if self._queued_together.get((utt.text, utt.lang)) is utt:
                del self._queued_together[(utt.text, utt.lang)]
        if self._drop_unwanted(utt):
            self._end(utt, "dropped")
            return
        try:
            wav = self.wav_for(utt.text, utt.lang, utt.rate) if self.enabled else None
        except Exception:
            log.exception("speech synthesis failed for %r", utt.text)
            wav = None
        duration = wav_duration(wav) if wav else 0.25 * len(utt.text)
        utt.duration_s = duration
        with self._lock:
            everyone_gone = self._drop_unwanted(utt)  # synthesis took long enough for all to go stale
            starting = [] if everyone_gone else self._begin(utt)
        if everyone_gone:
            self._end(utt, "dropped")  # callbacks run outside the lock: they may call say()
            return
        start = starting[0].started_at
        assert start is not None  # _begin has just stamped it
        self.speaking.set()
        try:
            proc = None
            if wav and self.player:
                cmd = [a.replace("{wav}", wav) for a in self.player]
                try:
                    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                except OSError as exc:
                    self._warn_player(str(exc))
            log.info("speaking (%s, %.1f s): %s", utt.kind, duration, utt.text)
            for u in starting:
                self._call(u.on_start, u, start)
            cut = self._play(utt, proc, start + duration)
            with self._lock:
                self._current = None
            if cut == "interrupted":
                log.info("a greeting cut short the %s: %s (said again after it)", utt.kind, utt.text)
                again = self.say(
                    utt.text,
                    lang=utt.lang,
                    kind=utt.kind,
                    stale_after=utt.stale_after,
                    dedupe=utt.dedupe,
                    rate=utt.rate,
                )
                again.repeated = True
            self._end(utt, (cut or "spoken") if utt in starting else "dropped")
        finally:
            self.speaking.clear()

    def _begin(self, utt: Utterance) -> list[Utterance]:
        """Start the utterance now for those still waiting for it (call with the lock held); returns them."""
        if utt.kind == "greeting":
            self._preempt.clear()  # what it was meant to cut short has already ended
        self._hush.clear()  # a hush meant the reply before; this one was asked for after it
        start = self.clock()
        starting = [u for u in [utt, *utt.companions] if u.status == "queued"]
        for u in starting:
            u.started_at, u.status = start, "speaking"
        utt.status = "speaking"  # spoken even when only its companions still want it
        self._current = utt
        return starting

    def _play(self, utt: Utterance, proc, end: float) -> str | None:
        """Wait out the utterance: None when it ends, 'interrupted' when a greeting cut it short
        (a notice or a reply, once), 'hushed' when the customer stopped a reply."""
        cuttable = utt.kind in self.PREEMPTIBLE and not utt.repeated
        hushable = utt.kind == "reply"

        def cut() -> str | None:
            if hushable and self._hush.is_set():
                return "hushed"
            if cuttable and self._preempt.is_set():
                return "interrupted"
            return None

        if proc is not None:
            while proc.poll() is None:
                why = cut()
                if why:
                    proc.terminate()
                    proc.wait()
                    return why
                time.sleep(0.02)
            if proc.returncode != 0 and proc.stderr is not None:
                self._warn_player(proc.stderr.read().decode(errors="replace").strip()[:200])
        # a player that failed at once (no sound card) must not let the next utterance overlap
        until = time.monotonic() + max(0.0, end - self.clock())
        while (left := until - time.monotonic()) > 0:
            why = cut()
            if why:
                return why
            time.sleep(min(0.02, left))
        return None

    def _end(self, utt: Utterance, status: str) -> None:
        """Finish the host and every companion: each gets its own status."""
        for u in utt.companions:
            self._finish(u, "dropped" if u.status in ("queued", "dropping") else "joined")
        self._finish(utt, status)

    def _warn_player(self, why: str) -> None:
        if not self._player_warned:
            self._player_warned = True
            log.warning("audio player failed (%s); speech continues silently", why)
