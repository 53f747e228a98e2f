"""Review snapshots: faces blurred before anything is stored or sent, kept a configurable number of days."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

import cv2
import numpy as np

from .config import SnapshotSettings

log = logging.getLogger(__name__)


def blur_regions(image: np.ndarray, boxes, margin: float = 0.25) -> np.ndarray:
    """Reduce each box (grown by `margin`) to a few cells and blur it: not reversible by sharpening."""
    out = image.copy()
    height, width = out.shape[:2]
    for x, y, w, h in boxes:
        mx, my = w * margin, h * margin
        x0, y0 = int(max(0, x - mx)), int(max(0, y - my))
        x1, y1 = int(min(width, x + w + mx)), int(min(height, y + h + my))
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        roi = out[y0:y1, x0:x1]
        # 4x4 cells: eyes and mouth cannot survive, and no sharpening brings them back
        small = cv2.resize(roi, (4, 4), interpolation=cv2.INTER_AREA)
        roi = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
        k = max(3, ((x1 - x0) // 4) | 1)
        out[y0:y1, x0:x1] = cv2.GaussianBlur(roi, (k, k), 0)
    return out


class SnapshotStore:
    def __init__(self, settings: SnapshotSettings):
        self.settings = settings
        self.root = Path(settings.directory)

    def encode(self, image: np.ndarray, face_boxes) -> bytes:
        if self.settings.blur_faces:
            image = blur_regions(image, face_boxes)
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, self.settings.jpeg_quality])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        return buf.tobytes()

    def save(
        self, image: np.ndarray, face_boxes, name: str, when: dt.datetime | None = None
    ) -> tuple[Path, bytes]:
        when = when or dt.datetime.now()
        jpeg = self.encode(image, face_boxes)
        folder = self.root / when.strftime("%Y-%m-%d")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{when.strftime('%H%M%S')}-{name}.jpg"
        path.write_bytes(jpeg)
        return path, jpeg

    def purge(self, now: float | None = None) -> int:
        return purge_snapshots(self.root, self.settings.retention_days, now)


def purge_snapshots(root: str | Path, retention_days: int, now: float | None = None) -> int:
    """Delete snapshots older than `retention_days` (by file time) and emptied day folders; returns the count."""
    root = Path(root)
    if not root.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - retention_days * 86400
    removed = 0
    for path in root.rglob("*.jpg"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        try:
            folder.rmdir()  # only succeeds when empty
        except OSError:
            pass
    if removed:
        log.info("removed %d snapshots older than %d days", removed, retention_days)
    return removed
