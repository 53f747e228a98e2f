"""Pinhole distance and calibration from a frame at a known distance."""
from __future__ import annotations

import json

import cv2
import pytest

from kiosk.agent.config import DistanceSettings, load_settings
from kiosk.agent.detect import Detection, HaarFaceDetector
from kiosk.agent.distance import CalibrationError, DistanceEstimator, calibrate


def test_pinhole_model():
    est = DistanceEstimator(DistanceSettings(focal_px=600, face_width_m=0.16))
    assert est.measure(Detection(0, 0, 48, 48)) == pytest.approx(2.0)
    assert est.size_at(2.0) == pytest.approx(48)
    person = Detection(0, 0, 100, 330, kind="person")
    assert DistanceEstimator(DistanceSettings(focal_px=600, person_height_m=1.65)).measure(person) == pytest.approx(3.0)


def _frame_at(truth: dict, video, near: float):
    """The first frame where person 1 is about `near` metres away."""
    for i, faces in enumerate(truth["frame_faces"]):
        for f in faces:
            if f["person"] == 1 and abs(f["distance_m"] - near) < 0.05:
                cap = cv2.VideoCapture(str(video))
                cap.set(cv2.CAP_PROP_POS_FRAMES, i)
                ok, img = cap.read()
                cap.release()
                assert ok
                return img, f["distance_m"]
    raise AssertionError("no such frame")


def test_calibration_from_a_frame_is_kept_and_read_back(walk_in, tmp_path):
    video, truth = walk_in
    frame, distance = _frame_at(truth, video, 2.0)
    path = tmp_path / "frame.png"
    cv2.imwrite(str(path), frame)
    settings = DistanceSettings(calibration_file=str(tmp_path / "cal.json"))
    result = calibrate([cv2.imread(str(path))], distance, HaarFaceDetector(20, 400), settings)
    # the synthetic camera's focal length is 600 px; Haar boxes are a little wider than the pasted patch
    assert 500 < result["focal_px"] < 760
    saved = json.loads((tmp_path / "cal.json").read_text())
    assert saved["focal_px"] == result["focal_px"]
    loaded = load_settings({"distance": {"calibration_file": str(tmp_path / "cal.json")}}, environ={})
    assert loaded.distance.focal_px == result["focal_px"]


def test_calibration_without_a_face_fails_cleanly(tmp_path):
    import numpy as np

    settings = DistanceSettings(calibration_file=str(tmp_path / "cal.json"))
    with pytest.raises(CalibrationError):
        calibrate([np.full((480, 640, 3), 128, np.uint8)], 2.0, HaarFaceDetector(20, 400), settings)
    assert not (tmp_path / "cal.json").exists()


def test_calibrate_command(walk_in, tmp_path, monkeypatch):
    from kiosk.agent.cli import calibrate_main

    video, truth = walk_in
    frame, distance = _frame_at(truth, video, 2.5)
    cv2.imwrite(str(tmp_path / "f.png"), frame)
    monkeypatch.setenv("KIOSK_AGENT_DISTANCE__CALIBRATION_FILE", str(tmp_path / "cal.json"))
    assert calibrate_main(["--image", str(tmp_path / "f.png"), "--distance", str(distance)]) == 0
    assert json.loads((tmp_path / "cal.json").read_text())["frames_used"] == 1
    assert calibrate_main(["--image", str(tmp_path / "missing.png"), "--distance", "2"]) == 2
