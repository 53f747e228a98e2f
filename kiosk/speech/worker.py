"""The speech worker: one utterance at a time, in its own thread, through pyttsx3 and espeak-ng.

pyttsx3's espeak driver synthesises a whole utterance into a WAV before
playing it, and its 'started-utterance' fires before synthesis; so the
worker has pyttsx3 render each text to a WAV (cached: greetings repeat) and
starts the player itself, which gives a true start-of-speech time. Without
an audio player (a headless box) the worker waits out the utterance's
length instead, so utterances still never overlap. A greeting that waited
longer than its stale limit is dropped rather than spoken to nobody.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import io
import logging
import os
import queue
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from dataclasses import dataclass, field
from typing import Callable

log = logging.getLogger(__name__)

_engine_lock = threading.Lock()  # espeak is one per process: one synthesis at a time


@dataclass
class Utterance:
    text: str
    lang: str = "zh"
    kind: str = "greeting"  # greeting | ticket | notice (spoken in that order of priority)
    requested_at: float = 0.0
    stale_after: float | None = None
    on_start: Callable[["Utterance", float], None] | None = None
    on_done: Callable[["Utterance", str], None] | None = None
    dedupe: str | None = None  # an utterance with the same key already waiting makes this one redundant
    still_wanted: Callable[[], bool] | None = None  # False when its turn comes: dropped (the person left)
    started_at: float | None = None
    status: str = "queued"  # queued | speaking | spoken | dropped | failed
    duration_s: float | None = None
    done: threading.Event = field(default_factory=threading.Event)


def wav_duration(path: str | os.PathLike) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


_engine = None
_engine_props: tuple | None = None


def _shared_engine():
    """One pyttsx3 engine for the process, never dropped.

    espeak-ng initialises once per process and its synthesis callback is
    global: a second engine, or a dropped one being collected (its driver
    clears the callback), silently stops synthesis for everyone.
    """
    global _engine
    if _engine is None:
        import pyttsx3

        _engine = pyttsx3.init("espeak") if os.name == "posix" else pyttsx3.init()
    return _engine


class Pyttsx3Renderer:
    """Renders text to WAV files with pyttsx3 (espeak-ng on Linux); safe from any thread."""

    def __init__(self, voice: str = "cmn", voice_en: str = "en", rate: int = 170, volume: float = 1.0):
        with _engine_lock:
            self.engine = _shared_engine()
        self.voices = {"zh": voice, "en": voice_en}
        self.rate = rate
        self.volume = volume

    def render(self, text: str, path: str, lang: str = "zh") -> str:
        voice = self.voices.get(lang, self.voices["zh"])
        with _engine_lock:
            global _engine_props
            props = (voice, self.rate, self.volume)
            if props != _engine_props:
                # pyttsx3 2.99 + espeak-ng apply a change reliably on a fresh engine; a later change
                # of rate may lag (its run loop ends before espeak-ng's thread): one rate per process
                self.engine.setProperty("voice", voice)  # first: choosing a voice resets espeak's rate
                self.engine.setProperty("rate", self.rate)
                self.engine.setProperty("volume", self.volume)
                _engine_props = props
            self._synth(text, path)
        return path

    def _synth(self, text: str, path: str) -> None:
        if os.path.exists(path):
            os.remove(path)
        # the espeak driver prints "Audio saved to ..." on every file
        with contextlib.redirect_stdout(io.StringIO()):
            self.engine.save_to_file(text, path)
            self.engine.runAndWait()
            # pyttsx3 2.99's espeak loop can return while espeak-ng's thread is still
            # synthesising (the file appears when it finishes): wait for it
            driver = getattr(getattr(self.engine, "proxy", None), "_driver", None)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and (
                    not os.path.exists(path) or getattr(driver, "_speaking", False)):
                time.sleep(0.005)
        if not os.path.exists(path):
            raise RuntimeError(f"speech engine wrote no audio for {text!r}")


def render_wav(text: str, path: str, lang: str = "zh", *, voice: str = "cmn", voice_en: str = "en",
               rate: int = 170) -> float:
    """Render one text to a WAV with pyttsx3; returns its duration in seconds."""
    Pyttsx3Renderer(voice, voice_en, rate).render(text, path, lang)
    return wav_duration(path)


def resolve_player(player: str | None) -> list[str] | None:
    if player is None or player.strip().lower() in ("", "none", "off"):
        return None
    if player.strip().lower() == "auto":
        for exe, args in (("aplay", "-q {wav}"), ("paplay", "{wav}"), ("play", "-q {wav}")):
            if shutil.which(exe):
                return [exe] + args.split()
        return None
    return shlex.split(player)


class SpeechWorker:
    def __init__(self, *, voice: str = "cmn", voice_en: str = "en", rate: int = 170, volume: float = 1.0,
                 player: str | None = "auto", enabled: bool = True, clock=time.monotonic,
                 cache_dir: str | None = None):
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
        self._waiting_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._cache: dict[tuple[str, str], str] = {}
        self.cache_dir = cache_dir or tempfile.mkdtemp(prefix="kiosk-speech-")
        self.history: list[Utterance] = []
        self.speaking = threading.Event()
        self._player_warned = False

    @classmethod
    def from_settings(cls, s, **kw) -> "SpeechWorker":
        return cls(voice=s.voice, voice_en=s.voice_en, rate=s.rate, volume=s.volume, player=s.player,
                   enabled=s.enabled, **kw)

    # -- callers (never block) -----------------------------------------
    def start(self) -> "SpeechWorker":
        self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
        self._thread.start()
        return self

    PRIORITY = {"prepare": 0, "greeting": 1, "ticket": 2, "notice": 3}

    def _put(self, utt: Utterance | None) -> None:
        rank = 9 if utt is None else self.PRIORITY.get(utt.kind, 3)
        self._queue.put((rank, next(self._seq), utt))

    def say(self, text: str, *, lang: str = "zh", kind: str = "notice", stale_after: float | None = None,
            on_start=None, on_done=None, dedupe: str | None = None, still_wanted=None) -> Utterance:
        utt = Utterance(text=text, lang=lang, kind=kind, requested_at=self.clock(), stale_after=stale_after,
                        on_start=on_start, on_done=on_done, dedupe=dedupe, still_wanted=still_wanted)
        if dedupe is not None:
            with self._waiting_lock:
                if dedupe in self._waiting:
                    utt.status = "merged"
                    utt.done.set()
                    return utt
                self._waiting.add(dedupe)
        self._put(utt)
        return utt

    def announce_ticket(self, number: str, counter: str | int | None = None, lang: str = "zh") -> Utterance:
        """Read out a ticket number: the call to a counter, or the number just issued."""
        from kiosk.agent.messages import ticket_call_text, ticket_issued_text

        text = ticket_call_text(number, counter, lang) if counter is not None else ticket_issued_text(number, lang)
        return self.say(text, lang=lang, kind="ticket")

    def prepare(self, texts: list[tuple[str, str]]) -> None:
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
            except Exception as exc:  # no espeak-ng: speak nothing, keep the pacing
                self._renderer_failed = True
                log.error("speech engine unavailable (%s); utterances are logged only", exc)
        return self._renderer

    def wav_for(self, text: str, lang: str) -> str | None:
        key = (text, lang)
        path = self._cache.get(key)
        if path and os.path.exists(path):
            return path
        renderer = self._renderer_or_none()
        if renderer is None:
            return None
        name = hashlib.sha1(f"{lang}:{text}".encode()).hexdigest()[:16] + ".wav"
        path = os.path.join(self.cache_dir, name)
        renderer.render(text, path, lang)
        self._cache[key] = path
        return path

    def _run(self) -> None:
        while True:
            _, _, utt = self._queue.get()
            if utt is None:
                return
            if utt.dedupe is not None:
                with self._waiting_lock:
                    self._waiting.discard(utt.dedupe)
            if utt.kind == "prepare":
                try:
                    self.wav_for(utt.text, utt.lang)
                except Exception:
                    log.exception("could not prepare %r", utt.text)
                continue
            self._speak(utt)

    def _finish(self, utt: Utterance, status: str) -> None:
        utt.status = status
        self.history.append(utt)
        if utt.on_done:
            try:
                utt.on_done(utt, status)
            except Exception:
                log.exception("speech on_done callback failed")
        utt.done.set()

    def _wanted(self, utt: Utterance) -> bool:
        if utt.still_wanted is None:
            return True
        try:
            return bool(utt.still_wanted())
        except Exception:
            log.exception("still_wanted check failed")
            return True

    def _speak(self, utt: Utterance) -> None:
        if not self._wanted(utt):
            log.info("dropped %s: nobody to say it to any more: %s", utt.kind, utt.text)
            self._finish(utt, "dropped")
            return
        if utt.stale_after is not None and self.clock() - utt.requested_at > utt.stale_after:
            log.info("dropped stale %s after %.1f s: %s", utt.kind, self.clock() - utt.requested_at, utt.text)
            self._finish(utt, "dropped")
            return
        try:
            wav = self.wav_for(utt.text, utt.lang) if self.enabled else None
        except Exception:
            log.exception("speech synthesis failed for %r", utt.text)
            wav = None
        duration = wav_duration(wav) if wav else 0.25 * len(utt.text)
        utt.duration_s = duration
        if utt.stale_after is not None and self.clock() - utt.requested_at > utt.stale_after:
            self._finish(utt, "dropped")
            return
        self.speaking.set()
        try:
            utt.started_at = self.clock()
            proc = None
            if wav and self.player:
                cmd = [a.replace("{wav}", wav) for a in self.player]
                try:
                    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                except OSError as exc:
                    self._warn_player(str(exc))
            utt.status = "speaking"
            log.info("speaking (%s, %.1f s): %s", utt.kind, duration, utt.text)
            if utt.on_start:
                try:
                    utt.on_start(utt, utt.started_at)
                except Exception:
                    log.exception("speech on_start callback failed")
            if proc is not None:
                _, err = proc.communicate()
                if proc.returncode != 0:
                    self._warn_player(err.decode(errors="replace").strip()[:200])
            # a player that failed at once (no sound card) must not let the next utterance overlap
            remaining = utt.started_at + duration - self.clock()
            if remaining > 0:
                time.sleep(remaining)
            self._finish(utt, "spoken")
        finally:
            self.speaking.clear()

    def _warn_player(self, why: str) -> None:
        if not self._player_warned:
            self._player_warned = True
            log.warning("audio player failed (%s); speech continues silently", why)
