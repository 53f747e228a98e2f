"""Frames from a camera index, a video file, an RTSP/HTTP URL or an image sequence, through one code path.

A reader thread owns the cv2.VideoCapture and keeps only the newest frame, so
a slow detector drops frames instead of falling behind (as with a live
camera). Files are paced at their own frame rate so latencies measured on a
file are real. A source that fails is logged and reopened with backoff; the
rest of the kiosk keeps working meanwhile.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass

import cv2
import numpy as np

from .config import CaptureSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # BGR, capture size
    t: float  # time.monotonic() when the frame became available
    index: int  # frame number in the source (files) or since start (live)


def source_kind(spec: str) -> str:
    """camera | url | sequence | file."""
    if re.fullmatch(r"\d+", spec.strip()):
        return "camera"
    if "://" in spec:
        return "url"
    if re.search(r"%0?\d*d", spec):
        return "sequence"
    return "file"


class FrameSource:
    """Reads frames in a thread; `read()` hands out the newest one not yet seen."""

    def __init__(
        self,
        spec: str,
        settings: CaptureSettings | None = None,
        *,
        loop: bool | None = None,
        clock=time.monotonic,
        sleep=time.sleep,
    ):
        self.spec = spec
        self.settings = settings or CaptureSettings()
        self.kind = source_kind(spec)
        self.loop = self.settings.loop if loop is None else loop
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.finished = False  # a file or sequence ended and loop is off
        self.connected = False
        self.failures = 0  # opens or reads that failed
        self.frames_read = 0
        self.frames_dropped = 0  # read but replaced before anyone took them
        self.fps: float | None = None

    # -- consumer side -------------------------------------------------
    def start(self) -> FrameSource:
        self._thread = threading.Thread(target=self._run, name=f"capture:{self.spec}", daemon=True)
        self._thread.start()
        return self

    def read(self, timeout: float = 1.0) -> Frame | None:
        """The newest frame not handed out before, or None after `timeout` or at the end."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._latest is None and not self.finished and not self._stop.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
            frame, self._latest = self._latest, None
            return frame

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    @property
    def ended(self) -> bool:
        """True when nothing more will come (a file at its end without loop)."""
        with self._cond:
            return self.finished and self._latest is None

    # -- reader thread -------------------------------------------------
    def _open(self) -> cv2.VideoCapture | None:
        target: int | str = int(self.spec) if self.kind == "camera" else self.spec
        cap = cv2.VideoCapture(target)
        if not cap.isOpened():
            cap.release()
            return None
        fps = cap.get(cv2.CAP_PROP_FPS)
        if self.kind in ("file", "sequence"):
            self.fps = fps if fps and 1 <= fps <= 240 and self.kind == "file" else self.settings.sequence_fps
        else:
            self.fps = fps if fps and fps > 0 else None
        return cap

    def _publish(self, image: np.ndarray, index: int) -> None:
        s = self.settings
        if image.shape[1] != s.width or image.shape[0] != s.height:
            image = cv2.resize(image, (s.width, s.height), interpolation=cv2.INTER_AREA)
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        frame = Frame(image=image, t=self._clock(), index=index)
        with self._cond:
            if self._latest is not None:
                self.frames_dropped += 1
            self._latest = frame
            self.frames_read += 1
            self._cond.notify_all()

    def _backoff(self, delay: float) -> float:
        self._stop.wait(delay)
        return min(delay * 2, self.settings.backoff_max_s)

    def _run(self) -> None:
        delay = self.settings.backoff_initial_s
        live_index = 0
        while not self._stop.is_set():
            cap = self._open()
            if cap is None:
                self.failures += 1
                self.connected = False
                log.warning(
                    "video source %s (%s) could not be opened; retrying in %.1f s",
                    self.spec,
                    self.kind,
                    delay,
                )
                delay = self._backoff(delay)
                continue
            self.connected = True
            log.info(
                "video source %s opened (%s, %s fps)",
                self.spec,
                self.kind,
                f"{self.fps:.1f}" if self.fps else "?",
            )
            paced = self.kind in ("file", "sequence")
            t0 = self._clock()
            n = 0
            ok_once = False
            while not self._stop.is_set():
                if paced:
                    assert self.fps is not None  # _open gives files and sequences a frame rate
                    due = t0 + n / self.fps
                    wait = due - self._clock()
                    if wait > 0:
                        self._sleep(wait)
                ok, image = cap.read()
                if not ok or image is None:
                    break
                ok_once = True
                delay = self.settings.backoff_initial_s
                self._publish(image, n if paced else live_index)
                n += 1
                live_index += 1
            cap.release()
            self.connected = False
            if self._stop.is_set():
                break
            if paced and ok_once:
                if self.loop:
                    continue
                log.info("video source %s ended after %d frames", self.spec, n)
                break
            self.failures += 1
            log.warning("video source %s stopped delivering frames; reconnecting in %.1f s", self.spec, delay)
            delay = self._backoff(delay)
        with self._cond:
            self.finished = True
            self._cond.notify_all()
