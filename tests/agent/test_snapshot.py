"""Snapshots: faces blurred before storing, retention by days."""
from __future__ import annotations

import os
import time

import cv2
import numpy as np
import skimage.data

from kiosk.agent.config import SnapshotSettings
from kiosk.agent.detect import HaarFaceDetector
from kiosk.agent.snapshot import SnapshotStore, blur_regions, purge_snapshots


def test_blurred_snapshot_no_longer_shows_a_face(tmp_path):
    image = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    detector = HaarFaceDetector(24, 400)
    faces = [d.box for d in detector.detect(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))]
    assert len(faces) == 1
    store = SnapshotStore(SnapshotSettings(directory=str(tmp_path)))
    path, jpeg = store.save(image, faces, "k1-3")
    assert path.is_file() and jpeg[:2] == b"\xff\xd8"
    decoded = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    x, y, w, h = faces[0]
    for d in detector.detect(decoded):  # nothing found where her face was
        cx, cy = d.center
        assert not (x <= cx <= x + w and y <= cy <= y + h)
    # the rest of the picture is kept
    assert np.abs(decoded[400:, :].astype(int) - cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)[400:, :]).mean() < 8


def test_blur_can_be_turned_off_for_an_operator_who_must():
    image = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    store = SnapshotStore(SnapshotSettings(blur_faces=False, jpeg_quality=95))
    decoded = cv2.imdecode(np.frombuffer(store.encode(image, [(177, 66, 95, 95)]), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert len(HaarFaceDetector(24, 400).detect(decoded)) == 1


def test_blur_regions_clips_at_the_edges():
    image = np.full((100, 100, 3), 200, np.uint8)
    image[::2] = 0
    out = blur_regions(image, [(-20, -20, 50, 50), (90, 90, 40, 40)])
    assert out.shape == image.shape
    assert out[0:10, 0:10].std() < image[0:10, 0:10].std()


def test_retention_deletes_old_snapshots_only(tmp_path):
    old_dir = tmp_path / "2026-01-01"
    new_dir = tmp_path / "2026-11-26"
    old_dir.mkdir()
    new_dir.mkdir()
    old, new = old_dir / "a.jpg", new_dir / "b.jpg"
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    now = time.time()
    os.utime(old, (now - 31 * 86400, now - 31 * 86400))
    os.utime(new, (now - 29 * 86400, now - 29 * 86400))
    assert purge_snapshots(tmp_path, 30, now) == 1
    assert not old.exists() and not old_dir.exists() and new.exists()
    assert purge_snapshots(tmp_path, 0, now) == 1 and not new.exists()
