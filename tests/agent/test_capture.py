"""One capture path for files, image sequences, cameras and URLs; a failing source is retried, never fatal."""
from __future__ import annotations

import shutil
import threading

import cv2
import numpy as np

from kiosk.agent.capture import FrameSource, source_kind
from kiosk.agent.config import CaptureSettings

FAST = CaptureSettings(backoff_initial_s=0.05, backoff_max_s=0.2, sequence_fps=100)


def _write_video(path, n=12, fps=30.0, size=(320, 240)):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for i in range(n):
        writer.write(np.full((size[1], size[0], 3), i * 20 % 255, np.uint8))
    writer.release()


def _drain(source: FrameSource, limit: int = 1000):
    frames = []
    while not source.ended and len(frames) < limit:
        f = source.read(timeout=2.0)
        if f is not None:
            frames.append(f)
    return frames


def test_kinds():
    assert source_kind("0") == "camera"
    assert source_kind("rtsp://cam.local/stream") == "url"
    assert source_kind("http://127.0.0.1:8080/video.mjpg") == "url"
    assert source_kind("frames/%04d.jpg") == "sequence"
    assert source_kind("var/demo/walk-in.mp4") == "file"


def test_file_plays_at_its_rate_resized_and_ends(tmp_path):
    _write_video(tmp_path / "v.mp4")
    src = FrameSource(str(tmp_path / "v.mp4"), FAST).start()
    frames = _drain(src)
    src.stop()
    assert src.fps == 30.0
    assert len(frames) + src.frames_dropped == 12
    assert frames[0].image.shape == (480, 640, 3)
    assert [f.index for f in frames] == sorted(f.index for f in frames)
    assert src.finished and src.failures == 0


def test_file_loops_when_asked(tmp_path):
    _write_video(tmp_path / "v.mp4", n=5)
    src = FrameSource(str(tmp_path / "v.mp4"), FAST, loop=True).start()
    frames = [src.read(timeout=2.0) for _ in range(14)]
    src.stop()
    assert all(f is not None for f in frames)
    assert not src.failures


def test_image_sequence(tmp_path):
    for i in range(6):
        cv2.imwrite(str(tmp_path / f"f{i:03d}.png"), np.full((240, 320, 3), i * 30, np.uint8))
    src = FrameSource(str(tmp_path / "f%03d.png"), FAST).start()
    frames = _drain(src)
    src.stop()
    assert len(frames) + src.frames_dropped == 6


def test_a_missing_source_is_retried_and_picked_up_when_it_appears(tmp_path, caplog):
    target = tmp_path / "later.mp4"
    src = FrameSource(str(target), FAST).start()
    assert src.read(timeout=0.5) is None
    assert src.failures >= 1 and not src.finished  # still trying, not dead
    _write_video(tmp_path / "tmp.mp4", n=8)
    shutil.move(tmp_path / "tmp.mp4", target)
    first = src.read(timeout=5.0)
    src.stop()
    assert first is not None
    assert "could not be opened" in caplog.text


def test_a_dead_camera_and_a_dead_stream_do_not_stop_anything():
    for spec in ("57", "http://127.0.0.1:9/none.mjpg"):
        src = FrameSource(spec, FAST).start()
        done = threading.Event()
        assert src.read(timeout=0.6) is None
        assert src.failures >= 1 and not src.finished
        src.stop()
        done.set()
        assert src.finished
