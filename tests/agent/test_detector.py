"""The Haar face detector on real photographs that ship in scikit-image: LFW faces and non-faces, sample photos."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data

from kiosk.agent.config import DetectorSettings, DistanceSettings
from kiosk.agent.detect import HaarFaceDetector, SearchPlanner, build_detector, merge_rects

from .conftest import report


def _lfw_canvas(img: np.ndarray, size: int) -> np.ndarray:
    grey = cv2.resize((img * 255).astype(np.uint8), (size, size), interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(grey, size // 2, size // 2, size // 2, size // 2, cv2.BORDER_REPLICATE)


def test_detection_rate_and_false_positives_on_lfw_subset():
    lfw = skimage.data.lfw_subset()  # first 100 are faces, last 100 are not
    detector = HaarFaceDetector(24, 200)
    figures = {}
    for size in (30, 48, 72):
        hits = sum(bool(detector.detect(_lfw_canvas(img, size))) for img in lfw[:100])
        false = sum(len(detector.detect(_lfw_canvas(img, size))) for img in lfw[100:])
        figures[f"{size}px"] = {"detection_rate": hits / 100, "false_positives_per_100_non_faces": false}
    report("detector-lfw", figures)
    floors = {"30px": 0.7, "48px": 0.9, "72px": 0.9}  # 30 px is about 3.3 m away: the far end of the band
    for size, f in figures.items():
        assert f["detection_rate"] >= floors[size], size
        assert f["false_positives_per_100_non_faces"] <= 5, size


def test_sample_photographs():
    detector = HaarFaceDetector(24, 400)
    astronaut = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2GRAY)
    faces = detector.detect(astronaut)
    assert len(faces) == 1
    x, y, w, h = faces[0].box
    assert 150 < x + w / 2 < 300 and 60 < y + h / 2 < 180  # her face, not the flag or the suit
    false = {}
    for name in ("camera", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry",
                 "brick", "grass", "horse", "moon", "text", "page", "coins"):
        img = getattr(skimage.data, name)()
        grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
        if grey.dtype != np.uint8:
            grey = (grey * 255).astype(np.uint8) if grey.max() <= 1 else grey.astype(np.uint8)
        false[name] = len(detector.detect(grey))
    report("detector-photos", {"astronaut_faces": len(faces), "false_positives": false,
                               "false_positives_total": sum(false.values())})
    assert sum(false.values()) <= 10


def test_scale_band_follows_the_calibration():
    det = build_detector(DetectorSettings(max_distance_m=3.5, min_distance_m=0.5),
                         DistanceSettings(focal_px=600, face_width_m=0.16))
    assert det.min_px == pytest.approx(600 * 0.16 / 3.5)
    assert det.max_px == pytest.approx(600 * 0.16 / 0.5)


def test_motion_gating_searches_less_than_the_frame_and_finds_a_moving_face():
    settings = DetectorSettings()
    detector = HaarFaceDetector(24, 200)
    planner = SearchPlanner(640, 480, settings, detector)
    rng = np.random.default_rng(1)
    background = rng.integers(90, 110, (480, 640), dtype=np.uint8)
    face = cv2.resize(cv2.cvtColor(skimage.data.astronaut()[66:161, 177:272], cv2.COLOR_RGB2GRAY), (60, 60))
    assert planner.regions(background.copy(), []) is None  # first frame: everything
    found = 0
    for i in range(10):
        frame = background.copy()
        frame[150:210, 100 + 20 * i:160 + 20 * i] = face
        regions = planner.regions(frame, [])
        assert regions is not None
        assert sum(w * h for _, _, w, h in regions) < 0.5 * 640 * 480
        found += bool(detector.detect(frame, regions))
    assert found >= 8


def test_merge_rects_leaves_no_overlap():
    rects = merge_rects([(0, 0, 10, 10), (5, 5, 10, 10), (30, 30, 5, 5), (14, 14, 20, 20)])
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not (a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3])
