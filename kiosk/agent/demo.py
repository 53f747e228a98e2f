"""A walk-in video made from the repo's own material, with its ground truth.

Synthetic customers walk up to the kiosk camera; their faces are sample
photographs that ship in scikit-image (the astronaut and faces from its LFW
subset), scaled by the pinhole model so the Haar detector really fires and
distances are known. `make demo-video` writes var/demo/walk-in.mp4 and a
.json beside it with, per person, when they come within 3 m and 2 m.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import cv2.data  # the Haar cascades' folder; cv2's stubs know the submodule only when imported
import numpy as np

WIDTH, HEIGHT, FPS = 640, 480, 15.0
FOCAL_PX = 600.0  # the synthetic camera; `kiosk calibrate` has to find this
FACE_WIDTH_M = 0.16
CAMERA_HEIGHT_M = 1.45


def box_ratio(patch: np.ndarray, scene: np.ndarray) -> float:
    """Width of the cascade's box over the patch width, pasted as in the video, averaged over sizes.

    Rendering divides by it, so that for every face the detector's box is
    focal * FACE_WIDTH_M / distance wide, as for real faces of one width.
    """
    casc = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    ratios = []
    for size in (28, 36, 48, 64, 84):
        canvas = cv2.resize(scene[150:270, 260:380], (size * 3, size * 3))  # the wall behind heads
        c = int(size * 1.5)
        cv2.ellipse(canvas, (c, c), (int(size * 0.62), int(size * 0.72)), 0, 0, 360, (30, 30, 35), -1)
        face = cv2.resize(
            patch, (size, size), interpolation=cv2.INTER_AREA if size < patch.shape[0] else cv2.INTER_CUBIC
        )
        canvas[c - size // 2 : c - size // 2 + size, c - size // 2 : c - size // 2 + size] = face
        boxes = casc.detectMultiScale(cv2.cvtColor(canvas, cv2.COLOR_BGR2GRAY), 1.03, 3, minSize=(20, 20))
        if len(boxes):
            best = min(boxes, key=lambda b: abs(b[0] + b[2] / 2 - c) + abs(b[1] + b[3] / 2 - c))
            ratios.append(best[2] / size)
    return float(np.median(ratios)) if ratios else 1.0


def face_sources() -> dict[str, np.ndarray]:
    """Square face patches (BGR) from scikit-image's sample photographs."""
    import skimage.data

    faces: dict[str, np.ndarray] = {}
    astro = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    x, y, w, h = 177, 66, 95, 95  # the cascade's box on this photograph
    faces["astronaut"] = astro[y : y + h, x : x + w].copy()
    lfw = skimage.data.lfw_subset()  # 100 faces then 100 non-faces, 25x25 grey
    for i in (0, 10, 20, 50, 80, 40):
        grey = (lfw[i] * 255).astype(np.uint8)
        bgr = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR).astype(np.float32)
        bgr *= np.array([0.86, 0.95, 1.06], np.float32)  # a little skin tone
        faces[f"lfw{i}"] = np.clip(bgr, 0, 255).astype(np.uint8)
    return faces


@dataclass
class Walker:
    """A person following waypoints (t seconds, lateral x metres, distance metres, face visible)."""

    id: int
    face: str
    waypoints: list[tuple[float, float, float, bool]]
    shirt: tuple[int, int, int] = (60, 90, 160)
    face_height_m: float = 1.60
    samples: list = field(default_factory=list)

    def state(self, t: float):
        wp = self.waypoints
        if t < wp[0][0] or t > wp[-1][0]:
            return None
        for (t0, x0, d0, v0), (t1, x1, d1, _) in itertools.pairwise(wp):
            if t0 <= t <= t1:
                a = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
                return x0 + a * (x1 - x0), d0 + a * (d1 - d0), v0, (t1 - t0) > 0 and (x1 != x0 or d1 != d0)
        _t_last, x, d, v = wp[-1]
        return x, d, v, False

    @property
    def min_distance(self) -> float:
        return min(w[2] for w in self.waypoints)


def scenario(name: str = "demo") -> tuple[float, list[Walker]]:
    """(duration, walkers). 'demo': seven people, some together; 'test': four, shorter."""
    w = []
    if name == "test":
        w.append(
            Walker(
                1,
                "astronaut",
                [(0.5, 0.3, 5.0, True), (4.5, 0.2, 1.4, True), (7.0, 0.2, 1.4, True), (8.5, 2.4, 1.5, True)],
                shirt=(150, 80, 40),
            )
        )
        w.append(
            Walker(
                2,
                "lfw0",
                [
                    (5.0, -0.7, 5.5, True),
                    (8.5, -0.6, 2.6, True),
                    (9.5, -0.6, 2.6, True),
                    (11.5, -2.8, 2.8, True),
                ],
                shirt=(40, 120, 60),
                face_height_m=1.55,
            )
        )
        w.append(
            Walker(
                3,
                "lfw10",
                [
                    (10.0, -0.2, 5.0, True),
                    (13.5, 0.0, 1.5, True),
                    (15.0, 0.0, 1.5, True),
                    (15.6, 0.0, 1.5, False),
                    (16.2, 0.0, 1.5, True),
                    (17.0, 0.0, 1.5, True),
                    (20.0, 0.3, 5.0, True),
                ],
                shirt=(120, 50, 130),
                face_height_m=1.65,
            )
        )
        w.append(
            Walker(
                4,
                "lfw20",
                [(12.0, -2.4, 4.6, True), (18.0, 2.4, 4.4, True)],
                shirt=(90, 90, 90),
                face_height_m=1.58,
            )
        )
        return 21.0, w
    w.append(
        Walker(
            1,
            "astronaut",
            [(0.5, 0.3, 5.0, True), (4.5, 0.2, 1.3, True), (7.5, 0.2, 1.3, True), (9.0, 2.4, 1.4, True)],
            shirt=(150, 80, 40),
        )
    )
    w.append(
        Walker(
            2,
            "lfw0",
            [
                (6.0, -0.8, 5.5, True),
                (9.5, -0.6, 2.6, True),
                (10.5, -0.6, 2.6, True),
                (12.5, -2.8, 2.8, True),
            ],
            shirt=(40, 120, 60),
            face_height_m=1.55,
        )
    )
    w.append(
        Walker(
            3,
            "lfw10",
            [
                (12.0, -0.2, 5.0, True),
                (15.5, 0.0, 1.5, True),
                (17.0, 0.0, 1.5, True),
                (17.7, 0.0, 1.5, False),
                (18.4, 0.0, 1.5, True),
                (20.0, 0.0, 1.5, True),
                (23.5, 0.3, 5.2, True),
            ],
            shirt=(120, 50, 130),
            face_height_m=1.65,
        )
    )
    w.append(
        Walker(
            4,
            "lfw20",
            [(14.0, -2.4, 4.6, True), (21.0, 2.4, 4.4, True)],
            shirt=(90, 90, 90),
            face_height_m=1.58,
        )
    )
    w.append(
        Walker(
            5,
            "lfw50",
            [
                (24.0, 0.6, 5.0, True),
                (27.0, 0.45, 1.8, True),
                (28.0, 0.45, 1.8, True),
                (29.5, 2.6, 1.9, True),
            ],
            shirt=(30, 60, 180),
            face_height_m=1.62,
        )
    )
    w.append(
        Walker(
            6,
            "lfw80",
            [
                (25.0, -0.6, 5.2, True),
                (29.0, -0.5, 1.4, True),
                (31.0, -0.5, 1.4, True),
                (32.5, -2.6, 1.5, True),
            ],
            shirt=(170, 150, 60),
            face_height_m=1.57,
        )
    )
    w.append(
        Walker(
            7,
            "lfw40",
            [(33.0, 0.0, 5.0, True), (36.0, 0.0, 3.4, True), (37.5, 0.0, 3.4, True), (40.0, 0.2, 5.5, True)],
            shirt=(60, 60, 60),
            face_height_m=1.60,
        )
    )
    return 42.0, w


def background(rng: np.random.Generator) -> np.ndarray:
    """A hall with texture, so the detector has real work everywhere (not a flat wall)."""
    import skimage.data

    img = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    for row in range(HEIGHT):
        if row < 300:
            c = 200 - row // 6
            img[row] = (c - 10, c, c + 5)  # warm wall
        else:
            c = 120 + (row - 300) // 4
            img[row] = (c - 20, c - 10, c)  # floor
    brick = cv2.resize(skimage.data.brick(), (WIDTH, 300)).astype(np.float32)
    wall = img[:300].astype(np.float32) * (0.75 + 0.5 * brick[..., None] / 255.0)
    gravel = cv2.resize(skimage.data.gravel(), (WIDTH, HEIGHT - 300)).astype(np.float32)
    floor = img[300:].astype(np.float32) * (0.8 + 0.4 * gravel[..., None] / 255.0)
    img = np.clip(np.vstack([wall, floor]), 0, 255).astype(np.uint8)
    poster = cv2.resize(cv2.cvtColor(skimage.data.rocket(), cv2.COLOR_RGB2BGR), (120, 80))
    img[40:120, 250:370] = poster  # a poster on the wall
    cv2.rectangle(img, (40, 60), (200, 110), (40, 110, 40), -1)  # the hall's green sign
    cv2.putText(img, "POWER SUPPLY HALL", (48, 92), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (240, 240, 240), 1)
    cv2.rectangle(img, (470, 150), (620, 300), (90, 100, 110), -1)  # a counter
    cv2.rectangle(img, (470, 150), (620, 170), (60, 70, 80), -1)
    noise = rng.normal(0, 3, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def project(x: float, height_m: float, d: float) -> tuple[float, float]:
    return WIDTH / 2 + FOCAL_PX * x / d, HEIGHT / 2 - FOCAL_PX * (height_m - CAMERA_HEIGHT_M) / d


def draw_person(
    img: np.ndarray,
    walker: Walker,
    x: float,
    d: float,
    face_visible: bool,
    moving: bool,
    t: float,
    faces: dict[str, tuple[np.ndarray, float]],
):
    """Draws body then face; returns the face box (x, y, w, h) as pasted, or None."""
    s = FOCAL_PX / d
    cx, cy = project(x, walker.face_height_m, d)
    face_px = FOCAL_PX * FACE_WIDTH_M / d
    phase = math.sin(t * 6.0) if moving else 0.0
    # legs, torso, arms (pixels from metres)
    hip_y = project(x, 0.95, d)[1]
    foot_y = project(x, 0.0, d)[1]
    sh_y = cy + 0.19 * s
    half = 0.21 * s
    leg = (50, 50, 70)
    for side in (-1, 1):
        fx = cx + side * 0.09 * s + side * phase * 0.12 * s
        cv2.line(
            img, (int(cx + side * 0.09 * s), int(hip_y)), (int(fx), int(foot_y)), leg, max(2, int(0.12 * s))
        )
    cv2.rectangle(img, (int(cx - half), int(sh_y)), (int(cx + half), int(hip_y)), walker.shirt, -1)
    for side in (-1, 1):
        hx = cx + side * (half + 0.04 * s) - side * phase * 0.1 * s
        cv2.line(
            img,
            (int(cx + side * half), int(sh_y + 0.04 * s)),
            (int(hx), int(hip_y)),
            walker.shirt,
            max(2, int(0.08 * s)),
        )
    cv2.rectangle(
        img,
        (int(cx - 0.05 * s), int(cy + 0.08 * s)),
        (int(cx + 0.05 * s), int(sh_y + 1)),
        (120, 150, 190),
        -1,
    )  # neck
    # head: hair behind the face
    cv2.ellipse(
        img,
        (int(cx), int(cy - 0.02 * s)),
        (int(face_px * 0.62), int(face_px * 0.72)),
        0,
        0,
        360,
        (30, 30, 35),
        -1,
    )
    if not face_visible:  # turned away: only hair
        return None
    patch, ratio = faces[walker.face]
    size = max(4, int(round(face_px / ratio)))
    patch = cv2.resize(
        patch, (size, size), interpolation=cv2.INTER_AREA if size < patch.shape[0] else cv2.INTER_CUBIC
    )
    x0, y0 = int(round(cx - size / 2)), int(round(cy - size / 2))
    x1, y1 = x0 + size, y0 + size
    px0, py0 = max(0, -x0), max(0, -y0)
    px1, py1 = size - max(0, x1 - WIDTH), size - max(0, y1 - HEIGHT)
    if px1 <= px0 or py1 <= py0:
        return None
    img[y0 + py0 : y0 + py1, x0 + px0 : x0 + px1] = patch[py0:py1, px0:px1]
    return (x0, y0, size, size)


def _crossing(walker: Walker, edge: float, fps: float, duration: float) -> float | None:
    t = 0.0
    while t <= duration:
        st = walker.state(t)
        if st and st[1] < edge:
            return t
        t += 1.0 / fps
    return None


def generate(path: str | Path, scenario_name: str = "demo", *, fps: float = FPS, seed: int = 7) -> dict:
    """Write the video and its ground truth (same name, .json); returns the ground truth."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    duration, walkers = scenario(scenario_name)
    rng = np.random.default_rng(seed)
    base = background(rng)
    faces = {name: (patch, box_ratio(patch, base)) for name, patch in face_sources().items()}
    # a running agent never sees half a file, and two stacks started at once in one
    # checkout (each `make run` builds the video when it is missing) never share one
    partial = path.with_name(f"{path.stem}.partial-{os.getpid()}{path.suffix}")
    writer = cv2.VideoWriter(str(partial), cv2.VideoWriter.fourcc(*"mp4v"), fps, (WIDTH, HEIGHT))
    if not writer.isOpened():
        raise RuntimeError(f"cannot write {path}")
    frames = []
    n = int(duration * fps)
    for i in range(n):
        t = i / fps
        img = base.copy()
        visible = []
        for w in walkers:
            st = w.state(t)
            if st:
                visible.append((st[1], w, st))
        record = []
        for _, w, (x, d, face_visible, moving) in sorted(visible, key=lambda v: -v[0]):
            box = draw_person(img, w, x, d, face_visible, moving, t, faces)
            if box is not None:
                record.append({"person": w.id, "box": list(box), "distance_m": round(d, 3)})
        noise = rng.normal(0, 2.0, img.shape)
        img = np.clip(img + noise, 0, 255).astype(np.uint8)
        writer.write(img)
        frames.append(record)
    writer.release()
    partial.replace(path)
    truth = {
        "video": path.name,
        "scenario": scenario_name,
        "fps": fps,
        "frames": len(frames),
        "size": [WIDTH, HEIGHT],
        "focal_px": FOCAL_PX,
        "face_width_m": FACE_WIDTH_M,
        "box_ratios": {name: round(r, 3) for name, (_, r) in faces.items()},
        "people": [
            {
                "id": w.id,
                "face": w.face,
                "min_distance_m": w.min_distance,
                "within_3m_at": _crossing(w, 3.0, fps, duration),
                "within_2m_at": _crossing(w, 2.0, fps, duration),
            }
            for w in walkers
        ],
        "frame_faces": frames,
    }
    path.with_suffix(".json").write_text(json.dumps(truth), encoding="utf-8")
    return truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kiosk.agent.demo", description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="var/demo/walk-in.mp4")
    ap.add_argument("--scenario", choices=["demo", "test"], default="demo")
    ap.add_argument("--fps", type=float, default=FPS)
    args = ap.parse_args(argv)
    truth = generate(args.out, args.scenario, fps=args.fps)
    print(f"wrote {args.out}: {truth['frames']} frames, {len(truth['people'])} people")
    for p in truth["people"]:
        print(
            f"  person {p['id']} ({p['face']}): nearest {p['min_distance_m']} m, "
            f"within 3 m at {p['within_3m_at']}, within 2 m at {p['within_2m_at']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
