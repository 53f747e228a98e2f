"""Distance from box size by the pinhole model, and calibration from a frame at a known distance.

distance = focal_px * real_width / width_px. One frame of a person at a
measured distance gives focal_px (the real width is a constant of the
detector's boxes); the result is kept in the calibration file that the
settings read at start.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import cv2
import numpy as np

from .config import DistanceSettings, save_calibration
from .detect import Detection, Detector


class DistanceEstimator:
    def __init__(self, settings: DistanceSettings):
        self.settings = settings

    def measure(self, det: Detection) -> float:
        s = self.settings
        if det.kind == "person":
            return s.focal_px * s.person_height_m / max(det.h, 1.0)
        return s.focal_px * s.face_width_m / max(det.w, 1.0)

    def size_at(self, distance_m: float, kind: str = "face") -> float:
        """Box width (face) or height (person) in pixels at a distance: the inverse of measure."""
        s = self.settings
        real = s.person_height_m if kind == "person" else s.face_width_m
        return s.focal_px * real / distance_m


class CalibrationError(ValueError):
    pass


def focal_from_boxes(widths_px: list[float], distance_m: float, real_m: float) -> float:
    if not widths_px:
        raise CalibrationError("no face found in the calibration frames")
    return statistics.median(widths_px) * distance_m / real_m


def calibrate(
    frames: list[np.ndarray],
    distance_m: float,
    detector: Detector,
    settings: DistanceSettings,
    *,
    save: bool = True,
    source: str = "",
) -> dict:
    """focal_px from the largest detection in each frame of one person at `distance_m`."""
    if not 0.3 <= distance_m <= 10:
        raise CalibrationError("the distance must be between 0.3 and 10 metres")
    sizes = []
    for frame in frames:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        dets = detector.detect(gray, None, frame if frame.ndim == 3 else None)
        if dets:
            best = max(dets, key=lambda d: d.w * d.h)
            sizes.append(best.h if best.kind == "person" else best.w)
    real = settings.person_height_m if detector.kind == "person" else settings.face_width_m
    focal = focal_from_boxes(sizes, distance_m, real)
    result: dict[str, Any] = {
        "focal_px": round(focal, 2),
        "distance_m": distance_m,
        "box_px": round(statistics.median(sizes), 2),
        "frames_used": len(sizes),
        "frames_seen": len(frames),
        "kind": detector.kind,
        "real_size_m": real,
        "frame_size": [int(frames[0].shape[1]), int(frames[0].shape[0])],
        "source": source,
        "calibrated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if save:
        save_calibration(settings.calibration_file, result)
    settings.focal_px = result["focal_px"]
    return result
