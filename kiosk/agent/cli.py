"""Command line of the agent: `kiosk agent --source SOURCE [--loop]` and `kiosk calibrate`."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time
from pathlib import Path

from pydantic import ValidationError

from .config import load_settings

log = logging.getLogger("kiosk.agent")


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _settings(overrides: dict):
    try:
        return load_settings(overrides)
    except ValidationError as exc:
        print(f"kiosk agent: bad settings:\n{exc}", file=sys.stderr)
        raise SystemExit(2) from exc


def _ensure_demo_video(path: str) -> str:
    if not Path(path).is_file():
        from .demo import generate

        log.info("no camera configured and no demo video yet: generating %s", path)
        generate(path, "demo")
    return path


def main(argv: list[str] | None = None) -> int:
    """python -m kiosk agent --source SOURCE [--loop]"""
    ap = argparse.ArgumentParser(
        prog="kiosk agent", description="Camera greeter: detect, track, greet, report."
    )
    ap.add_argument(
        "--source",
        help="camera index, video file, RTSP/HTTP URL or image pattern (frames/%%04d.jpg); "
        "default KIOSK_AGENT_CAPTURE__SOURCE, else the demo video",
    )
    ap.add_argument("--loop", action="store_true", help="play a file again at its end instead of exiting")
    ap.add_argument("--no-speech", action="store_true", help="log greetings instead of speaking them")
    ap.add_argument("--seconds", type=float, help="stop after this many seconds")
    ap.add_argument("--summary", help="write a JSON summary (events, latencies, frame rate) here at exit")
    ap.add_argument(
        "--show-settings", action="store_true", help="print the effective settings as JSON and exit"
    )
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    _logging(args.verbose)

    overrides: dict = {}
    if args.loop:
        overrides.setdefault("capture", {})["loop"] = True
    if args.no_speech:
        overrides.setdefault("speech", {})["enabled"] = False
    settings = _settings(overrides)
    if args.show_settings:
        print(settings.model_dump_json(indent=2, exclude={"server": {"token"}}))
        return 0

    from .capture import FrameSource
    from .runner import Agent

    spec = args.source or settings.capture.source
    if not spec:
        spec = _ensure_demo_video(settings.demo_video)
        log.info("no camera configured: playing the demo video %s", spec)
    source = FrameSource(spec, settings.capture)
    agent = Agent(settings)
    stop = threading.Event()

    def _stop(signum, frame):
        log.info("signal %s: stopping", signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    rc = agent.run(source, stop=stop, max_seconds=args.seconds)
    summary = summarize(agent, source)
    log.info("done: %s", json.dumps({k: v for k, v in summary.items() if k != "events"}, ensure_ascii=False))
    if args.summary:
        Path(args.summary).parent.mkdir(parents=True, exist_ok=True)
        Path(args.summary).write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return rc


def summarize(agent, source) -> dict:
    s = agent.stats
    wall = max(1e-9, s.ended - s.started)
    lat = sorted(g["latency_ms"] for g in s.greetings if g["latency_ms"] is not None)
    return {
        "source": source.spec,
        "frames_processed": s.frames,
        "frames_dropped": source.frames_dropped,
        "fps": round(s.frames / wall, 2),
        "ms_per_frame": round(1000 * sum(s.process_s) / max(1, len(s.process_s)), 2),
        "approaches": len(s.approaches),
        "greetings": len([g for g in s.greetings if g["status"] != "dropped"]),
        "dropped_greetings": s.dropped_greetings,
        "lefts": len(s.lefts),
        "latency_ms": [round(x, 1) for x in lat],
        "events": agent.client.log,
        "events_sent": len(agent.client.sent),
        "events_pending": agent.client.pending,
    }


def calibrate_main(argv: list[str] | None = None) -> int:
    """python -m kiosk calibrate --image FRAME --distance METRES (or --source CAMERA for live frames)"""
    ap = argparse.ArgumentParser(
        prog="kiosk calibrate",
        description="Find the camera's focal length from one person at a measured distance.",
    )
    src = ap.add_mutually_exclusive_group()
    src.add_argument(
        "--image", action="append", help="a frame (repeatable) with one person facing the camera"
    )
    src.add_argument(
        "--source",
        help="take frames from this camera or stream instead (default: KIOSK_AGENT_CAPTURE__SOURCE)",
    )
    ap.add_argument("--distance", type=float, required=True, help="measured distance camera → face, metres")
    ap.add_argument("--frames", type=int, default=15, help="live: how many frames to use")
    ap.add_argument("--dry-run", action="store_true", help="print the result without saving it")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    _logging(args.verbose)
    settings = _settings({})

    import cv2

    from .detect import build_detector
    from .distance import CalibrationError, calibrate

    frames = []
    if args.image:
        for path in args.image:
            img = cv2.imread(path)
            if img is None:
                print(f"kiosk calibrate: cannot read image {path}", file=sys.stderr)
                return 2
            frames.append(
                cv2.resize(
                    img, (settings.capture.width, settings.capture.height), interpolation=cv2.INTER_AREA
                )
            )
        origin = ", ".join(args.image)
    else:
        from .capture import FrameSource

        spec = args.source or settings.capture.source
        if not spec:
            print(
                "kiosk calibrate: give --image or --source (or set KIOSK_AGENT_CAPTURE__SOURCE)",
                file=sys.stderr,
            )
            return 2
        source = FrameSource(spec, settings.capture).start()
        deadline = time.monotonic() + 20
        while len(frames) < args.frames and time.monotonic() < deadline and not source.ended:
            f = source.read(timeout=1.0)
            if f is not None:
                frames.append(f.image)
        source.stop()
        origin = spec
        if not frames:
            print(f"kiosk calibrate: no frames from {spec}", file=sys.stderr)
            return 1
    # search the whole plausible band around the given distance, whatever the old calibration said
    det_settings = settings.detector.model_copy(update={"max_distance_m": 15.0, "min_distance_m": 0.3})
    detector = build_detector(det_settings, settings.distance.model_copy(update={"focal_px": 600.0}))
    detector.min_px, detector.max_px = 20, min(settings.capture.width, settings.capture.height)
    try:
        result = calibrate(
            frames, args.distance, detector, settings.distance, save=not args.dry_run, source=origin
        )
    except CalibrationError as exc:
        print(f"kiosk calibrate: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if not args.dry_run:
        print(f"saved to {settings.distance.calibration_file}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
