"""Finding faces (or people) in a frame, cheaply enough for one core.

A `Detector` searches given regions of a grey frame within a scale band; a
`SearchPlanner` decides the regions: where the picture moved, around live
tracks, and one tile of a slow sweep over the whole frame, so a full-frame
pass is never paid every frame. Implementations: OpenCV's Haar face cascade
and HOG people detector (both ship inside opencv-python 4.x) and, when an
operator supplies an ONNX file, cv2.FaceDetectorYN.
"""

from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass

import cv2
import cv2.data  # the Haar cascades' folder; cv2's stubs know the submodule only when imported
import numpy as np

from .config import DetectorSettings, DistanceSettings

log = logging.getLogger(__name__)

Rect = tuple[int, int, int, int]  # x, y, w, h


@dataclass
class Detection:
    x: float
    y: float
    w: float
    h: float
    score: float = 1.0
    kind: str = "face"  # face | person
    distance_m: float | None = None  # filled in by the distance estimator

    @property
    def box(self) -> Rect:
        return int(round(self.x)), int(round(self.y)), int(round(self.w)), int(round(self.h))

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2


def iou(a: Rect | Detection, b: Rect | Detection) -> float:
    ax, ay, aw, ah = a.box if isinstance(a, Detection) else a
    bx, by, bw, bh = b.box if isinstance(b, Detection) else b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def non_max_suppression(dets: list[Detection], threshold: float = 0.3) -> list[Detection]:
    """Drop detections that overlap a higher-scored (or larger) one; regions may overlap.

    A box holding a much smaller box of the same kind is dropped too: a face
    does not contain another face, but a poster with a head below it can
    look like one to a cascade.
    """
    dets = [d for d in dets if not any(_holds(d, o) for o in dets if o is not d)]
    kept: list[Detection] = []
    for d in sorted(dets, key=lambda d: (d.score, d.w * d.h), reverse=True):
        if all(iou(d, k) < threshold and not _inside(d, k) for k in kept):
            kept.append(d)
    return kept


def _holds(big: Detection, small: Detection) -> bool:
    if small.kind != big.kind or small.w * 1.8 > big.w:
        return False
    cx, cy = small.center
    return big.x <= cx <= big.x + big.w and big.y <= cy <= big.y + big.h


def _inside(a: Detection, b: Detection) -> bool:
    cx, cy = a.center
    return b.x <= cx <= b.x + b.w and b.y <= cy <= b.y + b.h and a.w < b.w * 1.5 and b.w < a.w * 1.5


def clip_rect(r: Rect, width: int, height: int) -> Rect | None:
    x, y, w, h = r
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + w), min(height, y + h)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1 - x0, y1 - y0


def grow(r: Rect, margin: float) -> Rect:
    x, y, w, h = r
    return int(x - margin), int(y - margin), int(w + 2 * margin), int(h + 2 * margin)


def merge_rects(rects: list[Rect]) -> list[Rect]:
    """Union overlapping rectangles until none overlap (each pixel is searched once)."""
    rects = list(rects)
    merged = True
    while merged:
        merged = False
        out: list[Rect] = []
        while rects:
            x, y, w, h = rects.pop()
            i = 0
            while i < len(rects):
                bx, by, bw, bh = rects[i]
                if x < bx + bw and bx < x + w and y < by + bh and by < y + h:
                    nx, ny = min(x, bx), min(y, by)
                    w, h = max(x + w, bx + bw) - nx, max(y + h, by + bh) - ny
                    x, y = nx, ny
                    rects.pop(i)
                    merged = True
                else:
                    i += 1
            out.append((x, y, w, h))
        rects = out
    return rects


class Detector(ABC):
    """Finds objects of one kind in regions of a grey frame within a size band (pixels of box width)."""

    kind = "face"

    def __init__(self, min_px: float, max_px: float):
        self.min_px = min_px
        self.max_px = max_px

    @abstractmethod
    def detect_region(self, gray: np.ndarray, image: np.ndarray | None) -> list[Detection]:
        """Detections in one region (coordinates relative to it)."""

    @property
    def min_region(self) -> int:
        return int(self.min_px)

    def detect(
        self, gray: np.ndarray, regions: list[Rect] | None = None, image: np.ndarray | None = None
    ) -> list[Detection]:
        height, width = gray.shape[:2]
        if regions is None:
            regions = [(0, 0, width, height)]
        found: list[Detection] = []
        for r in regions:
            c = clip_rect(r, width, height)
            if c is None or c[2] < self.min_region or c[3] < self.min_region:
                continue
            x, y, w, h = c
            sub_image = image[y : y + h, x : x + w] if image is not None else None
            for d in self.detect_region(gray[y : y + h, x : x + w], sub_image):
                d.x += x
                d.y += y
                found.append(d)
        return non_max_suppression(found)


class HaarFaceDetector(Detector):
    """OpenCV's frontal face cascade with a limited scale band and an optional fine re-fit of each box.

    The pyramid step that keeps the search fast quantises box sizes (±7 % at
    1.15); the re-fit searches a small crop around each hit with a fine step
    so the width, and so the distance, is accurate. Each hit must also be
    confirmed by a second, differently trained cascade (frontalface_alt2) on
    that crop: the two rarely fire on the same patch of shirt or floor.
    """

    kind = "face"

    def __init__(
        self,
        min_px: float,
        max_px: float,
        *,
        model_path: str | None = None,
        scale_factor: float = 1.15,
        min_neighbors: int = 4,
        refine: bool = True,
        verify: bool = True,
    ):
        super().__init__(min_px, max_px)
        path = model_path or os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml")
        self.cascade = cv2.CascadeClassifier(path)
        if self.cascade.empty():
            raise ValueError(f"cannot load Haar cascade {path}")
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.refine = refine
        self.verifier = None
        if verify:
            self.verifier = cv2.CascadeClassifier(
                os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_alt2.xml")
            )
        self.window = 24  # the default cascade's window; smaller faces are not found

    @property
    def min_region(self) -> int:
        return max(int(self.min_px), self.window)

    def detect_region(self, gray, image=None):
        lo = max(self.window, int(self.min_px))
        hi = max(lo + 1, int(self.max_px))
        # score: how many neighbouring windows agreed
        boxes, weights = self.cascade.detectMultiScale2(
            gray,
            scaleFactor=self.scale_factor,
            minNeighbors=self.min_neighbors,
            minSize=(lo, lo),
            maxSize=(hi, hi),
        )
        out = []
        for (x, y, w, h), score in zip(boxes, np.ravel(weights) if len(boxes) else [], strict=True):
            d = Detection(float(x), float(y), float(w), float(h), score=float(score), kind="face")
            if not self._confirmed(gray, d):
                continue
            if self.refine:
                d = self._refit(gray, d)
            out.append(d)
        return out

    def _confirmed(self, gray: np.ndarray, d: Detection) -> bool:
        if self.verifier is None:  # verification is off
            return True
        pad = d.w * 0.3
        x0, y0 = int(max(0, d.x - pad)), int(max(0, d.y - pad))
        x1, y1 = int(min(gray.shape[1], d.x + d.w + pad)), int(min(gray.shape[0], d.y + d.h + pad))
        lo = max(20, int(d.w * 0.7))
        hi = max(lo + 1, int(d.w * 1.4))
        found = self.verifier.detectMultiScale(
            gray[y0:y1, x0:x1], scaleFactor=1.1, minNeighbors=1, minSize=(lo, lo), maxSize=(hi, hi)
        )
        return len(found) > 0

    def _refit(self, gray: np.ndarray, d: Detection) -> Detection:
        pad = d.w * 0.35
        x0, y0 = int(max(0, d.x - pad)), int(max(0, d.y - pad))
        x1, y1 = int(min(gray.shape[1], d.x + d.w + pad)), int(min(gray.shape[0], d.y + d.h + pad))
        crop = gray[y0:y1, x0:x1]
        lo, hi = int(d.w * 0.82), int(d.w * 1.22) + 1
        if lo < self.window:
            lo = self.window
        if hi <= lo:
            return d
        boxes = self.cascade.detectMultiScale(
            crop, scaleFactor=1.03, minNeighbors=2, minSize=(lo, lo), maxSize=(hi, hi)
        )
        if len(boxes) == 0:
            return d
        cx, cy = d.center
        best = min(boxes, key=lambda b: (x0 + b[0] + b[2] / 2 - cx) ** 2 + (y0 + b[1] + b[3] / 2 - cy) ** 2)
        x, y, w, h = (float(v) for v in best)
        return Detection(x0 + x, y0 + y, w, h, score=d.score, kind="face")


class HogPeopleDetector(Detector):
    """OpenCV's default HOG people detector; boxes are people, distance comes from their height."""

    kind = "person"

    def __init__(self, min_px: float, max_px: float, *, score_threshold: float = 0.6):
        # the band is in box widths; a HOG person box is 64x128, so width = height / 2
        super().__init__(min_px, max_px)
        self.hog = cv2.HOGDescriptor()
        # an ndarray of float32 (typed as a Sequence): asarray() returns that same array
        self.hog.setSVMDetector(np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), dtype=np.float32))
        self.score_threshold = score_threshold

    @property
    def min_region(self) -> int:
        return 64

    def detect_region(self, gray, image=None):
        if gray.shape[0] < 128 or gray.shape[1] < 64:
            return []
        boxes, weights = self.hog.detectMultiScale(gray, winStride=(8, 8), padding=(8, 8), scale=1.08)
        out = []
        for (x, y, w, h), score in zip(boxes, np.ravel(weights) if len(boxes) else [], strict=True):
            if score >= self.score_threshold and self.min_px <= w <= self.max_px * 1.5:
                out.append(
                    Detection(float(x), float(y), float(w), float(h), score=float(score), kind="person")
                )
        return out


class YuNetFaceDetector(Detector):
    """cv2.FaceDetectorYN with an operator-supplied ONNX model (nothing is downloaded)."""

    kind = "face"

    def __init__(self, min_px: float, max_px: float, *, model_path: str, score_threshold: float = 0.6):
        super().__init__(min_px, max_px)
        if not model_path or not os.path.isfile(model_path):
            raise ValueError(f"YuNet model file not found: {model_path!r}")
        self.model = cv2.FaceDetectorYN.create(model_path, "", (320, 320), score_threshold)

    def detect_region(self, gray, image=None):
        bgr = image if image is not None else cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
        self.model.setInputSize((bgr.shape[1], bgr.shape[0]))
        _, faces = self.model.detect(bgr)
        out = []
        for f in faces if faces is not None else []:
            x, y, w, h = (float(v) for v in f[:4])
            if self.min_px * 0.8 <= w <= self.max_px * 1.2:
                out.append(Detection(x, y, w, h, score=float(f[-1]), kind="face"))
        return out


def scale_band(det: DetectorSettings, dist: DistanceSettings, kind: str = "face") -> tuple[float, float]:
    """Box widths (pixels) of the object at the farthest and nearest distance searched."""
    if kind == "person":
        size = dist.focal_px * dist.person_height_m / 2
    else:
        size = dist.focal_px * dist.face_width_m
    return size / det.max_distance_m, size / det.min_distance_m


def build_detector(det: DetectorSettings, dist: DistanceSettings) -> Detector:
    if det.kind == "hog":
        lo, hi = scale_band(det, dist, "person")
        return HogPeopleDetector(lo, hi, score_threshold=det.score_threshold)
    lo, hi = scale_band(det, dist, "face")
    if det.kind == "yunet":
        return YuNetFaceDetector(lo, hi, model_path=det.model_path or "", score_threshold=det.score_threshold)
    return HaarFaceDetector(
        lo, hi, model_path=det.model_path, scale_factor=det.scale_factor, min_neighbors=det.min_neighbors
    )


class SearchPlanner:
    """Which regions of this frame to search: motion, live tracks, and one tile of the slow sweep."""

    def __init__(self, width: int, height: int, settings: DetectorSettings, detector: Detector):
        self.width, self.height = width, height
        self.settings = settings
        self.detector = detector
        self.scale = 4  # motion is computed on a quarter-size frame
        self._background: np.ndarray | None = None
        self._tile = 0
        self.tiles = self._make_tiles(settings.sweep_tiles)
        self.last_regions: list[Rect] = []

    def _make_tiles(self, n: int) -> list[Rect]:
        overlap = int(max(self.detector.min_region * 2, 48))
        cols = max(1, int(round(np.sqrt(n * self.width / self.height))))
        rows = max(1, int(np.ceil(n / cols)))
        tw, th = int(np.ceil(self.width / cols)), int(np.ceil(self.height / rows))
        return [
            (c * tw - overlap // 2, r * th - overlap // 2, tw + overlap, th + overlap)
            for r in range(rows)
            for c in range(cols)
        ]

    def motion_regions(self, gray: np.ndarray) -> list[Rect]:
        small = cv2.resize(
            gray, (self.width // self.scale, self.height // self.scale), interpolation=cv2.INTER_AREA
        )
        small = cv2.GaussianBlur(small, (5, 5), 0)
        if self._background is None:
            self._background = small.astype(np.float32)
            return [(0, 0, self.width, self.height)]
        diff = cv2.absdiff(small, cv2.convertScaleAbs(self._background))
        cv2.accumulateWeighted(small, self._background, 0.05)
        _, mask = cv2.threshold(diff, self.settings.motion_threshold, 255, cv2.THRESH_BINARY)
        mask = cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=2)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        s = self.scale
        margin = self.detector.min_region
        out = []
        for c in contours:
            x, y, w, h = cv2.boundingRect(c)
            if w * h < 4:
                continue
            out.append(grow((x * s, y * s, w * s, h * s), margin))
        return out

    def regions(self, gray: np.ndarray, track_boxes: list[Rect]) -> list[Rect] | None:
        """Regions to search, or None for the whole frame."""
        if not self.settings.motion_gating:
            self.last_regions = [(0, 0, self.width, self.height)]
            return None
        rects = self.motion_regions(gray)
        for x, y, w, h in track_boxes:
            rects.append(grow((x, y, w, h), max(w, h) * self.settings.roi_margin + 8))
        rects.append(self.tiles[self._tile])
        self._tile = (self._tile + 1) % len(self.tiles)
        clipped = [c for c in (clip_rect(r, self.width, self.height) for r in rects) if c]
        merged = merge_rects(clipped)
        area = sum(w * h for _, _, w, h in merged)
        if area >= 0.8 * self.width * self.height:
            self.last_regions = [(0, 0, self.width, self.height)]
            return None
        self.last_regions = merged
        return merged
