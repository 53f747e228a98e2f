"""Typed settings of the kiosk agent: every field has a title, a description, a default and bounds.

Values come, in rising priority, from the defaults here, an optional JSON or
YAML file (``KIOSK_AGENT_CONFIG``), the environment (``KIOSK_AGENT_<SECTION>__<FIELD>``
plus the hall-wide ``KIOSK_SERVER_URL``, ``KIOSK_DEVICE_TOKEN``,
``KIOSK_DEVICE_ID``) and the calibration file written by ``kiosk calibrate``.
Unset anywhere, the hall server is this stack's (`kiosk.stack`: KIOSK_HOST,
KIOSK_PORT) and the token the development one.
Bad values fail at load with pydantic's message naming the field.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kiosk import stack


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class CaptureSettings(_Section):
    source: str | None = Field(
        default=None,
        title="Video source",
        description="Camera index ('0'), video file, RTSP/HTTP URL or image sequence "
        "pattern ('frames/%04d.jpg'). None: the demo video under var/.",
    )
    width: int = Field(
        default=640,
        ge=160,
        le=3840,
        title="Frame width",
        description="Frames are resized to this width before detection.",
    )
    height: int = Field(
        default=480,
        ge=120,
        le=2160,
        title="Frame height",
        description="Frames are resized to this height before detection.",
    )
    sequence_fps: float = Field(
        default=15.0,
        gt=0,
        le=120,
        title="Image sequence rate",
        description="Frame rate assumed for image sequences and files that do not say.",
    )
    loop: bool = Field(
        default=False,
        title="Loop files",
        description="Start a file again at its end instead of stopping the agent.",
    )
    backoff_initial_s: float = Field(
        default=0.5,
        gt=0,
        le=60,
        title="First reconnect delay",
        description="Delay before the first reconnect after a source fails.",
    )
    backoff_max_s: float = Field(
        default=30.0,
        gt=0,
        le=600,
        title="Longest reconnect delay",
        description="The reconnect delay doubles up to this.",
    )


class DetectorSettings(_Section):
    kind: Literal["haar", "hog", "yunet"] = Field(
        default="haar",
        title="Detector",
        description="haar: OpenCV's frontal face cascade (ships in opencv-python 4.x); "
        "hog: OpenCV's HOG people detector (distance from body height); "
        "yunet: cv2.FaceDetectorYN with an operator-supplied ONNX model file.",
    )
    model_path: str | None = Field(
        default=None,
        title="Model file",
        description="Cascade XML for haar (default: haarcascade_frontalface_default.xml "
        "from cv2.data), ONNX model for yunet.",
    )
    scale_factor: float = Field(
        default=1.15,
        gt=1.01,
        le=2.0,
        title="Pyramid step",
        description="Scale step of the detection pyramid; larger is faster and coarser.",
    )
    min_neighbors: int = Field(
        default=4,
        ge=1,
        le=20,
        title="Minimum neighbours",
        description="Haar: overlapping hits needed to accept a face.",
    )
    score_threshold: float = Field(
        default=0.6, ge=0, le=1, title="Score threshold", description="yunet/hog: minimum confidence."
    )
    max_distance_m: float = Field(
        default=4.0,
        gt=0.5,
        le=15,
        title="Farthest detection",
        description="Smallest face searched for is the one at this distance "
        "(the lower end of the scale band).",
    )
    min_distance_m: float = Field(
        default=0.7,
        gt=0.1,
        le=5,
        title="Nearest detection",
        description="Largest face searched for is the one at this distance "
        "(the upper end of the scale band).",
    )
    motion_gating: bool = Field(
        default=True,
        title="Motion gating",
        description="Search only where the picture moved, around live tracks, "
        "and one sweep tile per frame; off: the whole frame every frame.",
    )
    motion_threshold: int = Field(
        default=18,
        ge=1,
        le=255,
        title="Motion threshold",
        description="Grey-level difference from the background that counts as motion.",
    )
    sweep_tiles: int = Field(
        default=8,
        ge=1,
        le=64,
        title="Sweep tiles",
        description="The frame is also swept one tile per frame in this many tiles, "
        "so a person who stands still is found too.",
    )
    roi_margin: float = Field(
        default=0.5,
        ge=0,
        le=3,
        title="Region margin",
        description="Search regions around tracks grow by this share of the box size.",
    )


class TrackerSettings(_Section):
    kind: Literal["iou_centroid"] = Field(
        default="iou_centroid", title="Tracker", description="Implementation of the ObjectTracker interface."
    )
    iou_threshold: float = Field(
        default=0.2,
        ge=0,
        le=1,
        title="IoU to match",
        description="A detection overlapping a track by this much continues it.",
    )
    max_centroid_jump: float = Field(
        default=1.0,
        gt=0,
        le=5,
        title="Centroid jump",
        description="Without overlap, a detection whose centre is within this "
        "many box widths of a track continues it.",
    )
    min_hits: int = Field(
        default=5,
        ge=1,
        le=100,
        title="Track confirmation",
        description="A track counts for the zones only once it was detected on this many "
        "frames (a detector's stray hit on a shirt or a poster rarely lasts).",
    )
    max_lost_s: float = Field(
        default=1.5,
        gt=0,
        le=30,
        title="Lost time",
        description="A track unseen this long is ended (the person has left).",
    )
    reacquire_s: float = Field(
        default=4.0,
        ge=0,
        le=120,
        title="Re-acquire window",
        description="A new track starting where an ended track was, within this "
        "time, carries on its greeting state (no second greeting).",
    )


class ZoneSettings(_Section):
    approach_m: float = Field(
        default=3.0,
        gt=0.2,
        le=10,
        title="Approach zone",
        description="Within this distance the customer is approaching (screen wakes).",
    )
    greet_m: float = Field(
        default=2.0,
        gt=0.2,
        le=10,
        title="Greeting zone",
        description="Within this distance the kiosk speaks the greeting.",
    )
    hysteresis_m: float = Field(
        default=0.25,
        ge=0,
        le=2,
        title="Zone hysteresis",
        description="A zone is left only beyond its edge plus this margin.",
    )
    inertia: int = Field(
        default=3,
        gt=0,
        le=60,
        title="Inertia frames",
        description="Consecutive frames inside a zone before it counts.",
    )

    @model_validator(mode="after")
    def _greet_inside_approach(self) -> ZoneSettings:
        if self.greet_m >= self.approach_m:
            raise ValueError("greet_m must be smaller than approach_m")
        return self


class DistanceSettings(_Section):
    focal_px: float = Field(
        default=600.0,
        gt=10,
        le=20000,
        title="Focal length",
        description="Pinhole focal length in pixels at the capture size; set by `kiosk calibrate`.",
    )
    face_width_m: float = Field(
        default=0.16,
        gt=0.05,
        le=0.4,
        title="Face width",
        description="Width of an average face as the detector boxes it.",
    )
    person_height_m: float = Field(
        default=1.65,
        gt=0.5,
        le=2.5,
        title="Person height",
        description="Height of a person box, for the HOG detector.",
    )
    median_window: int = Field(
        default=5,
        ge=1,
        le=51,
        title="Median window",
        description="Distance readings are median-filtered over this many frames.",
    )
    calibration_file: str = Field(
        default="var/agent-calibration.json",
        title="Calibration file",
        description="Written by `kiosk calibrate`, read at start; overrides focal_px.",
    )


class GreetingSettings(_Section):
    language: Literal["zh", "en"] = Field(
        default="zh", title="Greeting language", description="Language of the spoken greeting."
    )
    timezone: str = Field(
        default="Asia/Shanghai",
        title="Hall time zone",
        description="Time of day for 早上好/下午好/晚上好 and the event timestamps.",
    )
    stale_s: float = Field(
        default=5.0,
        gt=0,
        le=30,
        title="Stale greeting",
        description="A greeting not started within this time after it was asked for is dropped "
        "(it waits only behind another utterance; one whose person has left is dropped at once).",
    )
    flags_poll_s: float = Field(
        default=30.0,
        gt=0.5,
        le=3600,
        title="Flags poll",
        description="How often the hall's rain/wet-floor flags are fetched.",
    )


class SpeechSettings(_Section):
    enabled: bool = Field(default=True, title="Speak", description="Off: greetings are logged, not spoken.")
    voice: str = Field(default="cmn", title="Voice", description="espeak-ng voice for zh (Mandarin).")
    voice_en: str = Field(default="en", title="English voice", description="espeak-ng voice for en.")
    rate: int = Field(default=170, ge=60, le=400, title="Rate", description="Words per minute.")
    slow_rate: int = Field(
        default=120,
        ge=60,
        le=400,
        title="Slow rate",
        description="Words per minute of the replies read in the kiosk screen's elderly mode (老年模式).",
    )
    read_replies: bool = Field(
        default=True,
        title="Read replies",
        description="Follow the hall's speaker:<device> channel and read aloud the dialog messages "
        "the kiosk screen asks for, through this worker (never over a greeting).",
    )
    volume: float = Field(default=1.0, ge=0, le=1, title="Volume", description="0..1.")
    player: str | None = Field(
        default="auto",
        title="Audio player",
        description="Command playing a WAV, '{wav}' is replaced by the file ('aplay -q {wav}'). "
        "auto: aplay, paplay or play if installed; none: no sound device, the worker waits "
        "the utterance's length so utterances still never overlap.",
    )


class SnapshotSettings(_Section):
    enabled: bool = Field(
        default=True, title="Snapshots", description="Keep a JPEG per greeted visit for review."
    )
    blur_faces: bool = Field(
        default=True, title="Blur faces", description="Faces are blurred before a snapshot is stored or sent."
    )
    directory: str = Field(
        default="var/agent-snapshots",
        title="Snapshot folder",
        description="Where the agent keeps its own copies (the hall server keeps uploaded ones in KIOSK_SNAPSHOT_DIR).",
    )
    retention_days: int = Field(
        default=7,
        ge=0,
        le=90,
        title="Retention",
        description="Snapshots older than this many days are deleted (0: keep none).",
    )
    upload: bool = Field(
        default=True, title="Upload", description="Send each snapshot to the visit on the hall server."
    )
    jpeg_quality: int = Field(default=80, ge=10, le=100, title="JPEG quality", description="Encoder quality.")


class ServerSettings(_Section):
    url: str | None = Field(
        default=None,
        title="Hall server",
        description="Base URL of the hall server: KIOSK_SERVER_URL, else this stack's hall server "
        "(KIOSK_HOST, KIOSK_PORT). null: events are only logged.",
    )
    token: str | None = Field(
        default=None,
        title="Device token",
        description="Bearer token of this kiosk: KIOSK_DEVICE_TOKEN, else the development token.",
        repr=False,
    )
    device_id: str = Field(
        default="kiosk-1",
        min_length=1,
        max_length=64,
        title="Device id",
        description="This kiosk's id (KIOSK_DEVICE_ID).",
    )
    timeout_s: float = Field(
        default=3.0, gt=0, le=60, title="Request timeout", description="Per HTTP request."
    )
    retry_max_s: float = Field(
        default=15.0,
        gt=0,
        le=600,
        title="Longest retry delay",
        description="Failed event posts are retried with backoff up to this delay.",
    )
    queue_max: int = Field(
        default=5000,
        ge=10,
        le=1_000_000,
        title="Queued posts at most",
        description="Events and snapshots waiting for the hall server; past this the oldest are "
        "dropped (snapshots first) rather than the agent's memory growing without end.",
    )
    snapshot_queue_max: int = Field(
        default=20,
        ge=0,
        le=1000,
        title="Queued snapshots at most",
        description="Snapshots (up to 2 MB each) waiting for the hall server; past this the oldest is dropped.",
    )


class AgentSettings(_Section):
    capture: CaptureSettings = Field(default_factory=CaptureSettings)
    detector: DetectorSettings = Field(default_factory=DetectorSettings)
    tracker: TrackerSettings = Field(default_factory=TrackerSettings)
    zones: ZoneSettings = Field(default_factory=ZoneSettings)
    distance: DistanceSettings = Field(default_factory=DistanceSettings)
    greeting: GreetingSettings = Field(default_factory=GreetingSettings)
    speech: SpeechSettings = Field(default_factory=SpeechSettings)
    snapshots: SnapshotSettings = Field(default_factory=SnapshotSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    demo_video: str = Field(
        default="var/demo/walk-in.mp4",
        title="Demo video",
        description="Played when no source is configured (`make demo-video` builds it).",
    )


_ENV_PREFIX = "KIOSK_AGENT_"


def _coerce(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text


def _env_overrides(environ: dict[str, str]) -> dict:
    data: dict = {}
    for key, value in environ.items():
        if not key.startswith(_ENV_PREFIX) or key == _ENV_PREFIX + "CONFIG":
            continue
        path = key[len(_ENV_PREFIX) :].lower().split("__")
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = _coerce(value)
    hall = {"KIOSK_SERVER_URL": "url", "KIOSK_DEVICE_TOKEN": "token", "KIOSK_DEVICE_ID": "device_id"}
    for env, field in hall.items():
        if environ.get(env):
            data.setdefault("server", {})[field] = environ[env]
    return data


def _hall_defaults(data: dict, environ: dict[str, str]) -> dict:
    """Where the hall is and how to present oneself, unless a file, the environment or the CLI said."""
    server = dict(data.get("server") or {})
    server.setdefault("url", stack.hall_url(environ))
    server.setdefault("token", stack.device_token(environ))
    return {**data, "server": server}


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def read_file(path: str | Path) -> dict:
    text = Path(path).read_text(encoding="utf-8")
    if str(path).endswith((".yml", ".yaml")):
        from kiosk import yamlfile

        return yamlfile.parse(text) or {}
    return json.loads(text)


def load_settings(overrides: dict | None = None, environ: dict[str, str] | None = None) -> AgentSettings:
    """Defaults < config file < environment < overrides (the CLI's), then the calibration file."""
    environ = dict(os.environ if environ is None else environ)
    data: dict = {}
    if environ.get(_ENV_PREFIX + "CONFIG"):
        data = _merge(data, read_file(environ[_ENV_PREFIX + "CONFIG"]))
    data = _merge(data, _env_overrides(environ))
    data = _merge(data, overrides or {})
    settings = AgentSettings.model_validate(_hall_defaults(data, environ))
    calibration = load_calibration(settings.distance.calibration_file)
    if calibration and "focal_px" not in (overrides or {}).get("distance", {}):
        settings.distance.focal_px = calibration["focal_px"]
    return settings


def load_calibration(path: str | Path) -> dict | None:
    p = Path(path)
    if not p.is_file():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        float(data["focal_px"])
        return data
    except (ValueError, KeyError, TypeError):
        return None


def save_calibration(path: str | Path, data: dict) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(p.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(p)
