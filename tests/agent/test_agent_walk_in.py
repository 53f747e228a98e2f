"""The whole agent over a generated walk-in video, reporting to the real hall server (started late)."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading

import cv2
import requests

from kiosk.agent.capture import FrameSource
from kiosk.agent.detect import HaarFaceDetector, iou
from kiosk.agent.distance import calibrate
from kiosk.agent.runner import Agent
from kiosk.speech import SpeechWorker
from tests.support.server import ROOT, HallServerProcess

from .conftest import report

TOKEN = "agent-test-device-token"


def _person_at(truth: dict, frame: int, box) -> int | None:
    faces = truth["frame_faces"][frame]
    best = max(faces, key=lambda f: iou(tuple(f["box"]), tuple(int(v) for v in box)), default=None)
    if best is None or iou(tuple(best["box"]), tuple(int(v) for v in box)) < 0.2:
        return None
    return best["person"]


def _calibrate(video, truth, settings):
    """Calibrate as an operator would: person 1 stands still at a measured spot, 15 frames of it."""
    stand = min(f["distance_m"] for faces in truth["frame_faces"] for f in faces if f["person"] == 1)
    picked = [i for i, faces in enumerate(truth["frame_faces"])
              if any(f["person"] == 1 and f["distance_m"] == stand for f in faces)][:15]
    cap = cv2.VideoCapture(str(video))
    frames = []
    for i in picked:
        cap.set(cv2.CAP_PROP_POS_FRAMES, i)
        frames.append(cap.read()[1])
    cap.release()
    return calibrate(frames, stand, HaarFaceDetector(20, 400), settings.distance)


def test_one_approach_and_one_greeting_per_person_within_two_metres(walk_in, settings_factory, tmp_path):
    video, truth = walk_in
    server = HallServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", KIOSK_DEVICE_TOKEN=TOKEN,
                               KIOSK_SNAPSHOT_DIR=str(tmp_path / "server-snapshots"),
                               KIOSK_SECRET_KEY="agent-test-secret")
    settings = settings_factory(server={"url": server.url, "token": TOKEN, "device_id": "kiosk-7",
                                        "retry_max_s": 1.0})
    _calibrate(video, truth, settings)

    # the hall server comes up only after the first person has been greeted: nothing may be lost
    started = threading.Event()

    def start_late():
        server.start()
        started.set()

    timer = threading.Timer(5.0, start_late)
    timer.start()
    try:
        agent = Agent(settings, speech=SpeechWorker(player="none"))
        agent.run(FrameSource(str(video), settings.capture), drain_s=30)
        timer.join()
        assert started.is_set()

        stats = agent.stats
        people = {p["id"]: p for p in truth["people"]}
        approaches = {pid: 0 for pid in people}
        greetings = {pid: 0 for pid in people}
        key_person = {}
        for a in stats.approaches:
            pid = _person_at(truth, a["frame"], a["box"])
            assert pid is not None, a
            approaches[pid] += 1
            key_person[a["key"]] = pid
        for g in stats.greetings:
            greetings[key_person[g["key"]]] += 1
        latencies = [g["latency_ms"] for g in stats.greetings]
        figures = {
            "frames_in_video": truth["frames"], "frames_processed": stats.frames,
            "approaches_by_person": approaches, "greetings_by_person": greetings,
            "greeting_latency_ms": [round(x, 1) for x in latencies if x is not None],
            "ms_per_frame_mean": round(1000 * statistics.mean(stats.process_s), 2),
            "events_sent": len(agent.client.sent), "events_pending": agent.client.pending,
        }
        report("walk-in", figures)

        for pid, p in people.items():
            if p["within_2m_at"] is not None:
                assert approaches[pid] == 1 and greetings[pid] == 1, (pid, figures)
            else:
                assert greetings[pid] == 0, (pid, figures)
            if p["within_3m_at"] is None:
                assert approaches[pid] == 0, (pid, figures)
        assert approaches[2] == 1  # stopped at 2.6 m: approached, not greeted
        assert all(g["status"] == "spoken" and g["latency_ms"] is not None for g in stats.greetings)
        assert len(stats.lefts) == len(stats.approaches)

        # everything reached the server, although it was down at first
        assert agent.client.pending == 0 and agent.client.rejected == 0
        kinds = [s["body"]["kind"] for s in agent.client.sent if "body" in s]
        assert sorted(kinds) == sorted(["approach"] * len(stats.approaches) + ["greeted"] * len(stats.greetings)
                                       + ["left"] * len(stats.lefts))
        snapshots = [s for s in agent.client.sent if "snapshot" in s]
        assert len(snapshots) == len(stats.greetings)

        # and the supervisor's timeline of a greeted visit shows approach, greeted (with latency), left
        env = {**os.environ, "KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}",
               "KIOSK_USER_PASSWORD": "supervisor-pass-1"}
        out = subprocess.run([sys.executable, "-m", "kiosk", "create-user", "sup", "--role", "supervisor"],
                             cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
        token = out.strip().splitlines()[-1].split()[-1]
        greeted_key = stats.greetings[0]["key"]
        visit_id = agent.client.visit_ids[greeted_key]
        visit = requests.get(f"{server.url}/api/visits/{visit_id}", timeout=5,
                             headers={"Authorization": f"Bearer {token}"}).json()
        kinds = [e["kind"] for e in visit["events"]]
        assert kinds.index("approach") < kinds.index("greeted") < kinds.index("left")
        assert "snapshot" in kinds
    finally:
        timer.cancel()
        if server.proc is not None:
            server.stop()


class _Silent:
    def say(self, *a, **k):
        return None


def test_counts_hold_when_the_loop_only_gets_half_the_frames(walk_in, settings_factory):
    """A loaded machine drops frames: the same people must still be approached and greeted once."""
    import random

    from kiosk.agent.capture import Frame
    from kiosk.agent.events import EventSender

    video, truth = walk_in
    settings = settings_factory(snapshots={"enabled": False})
    _calibrate(video, truth, settings)
    cap = cv2.VideoCapture(str(video))
    frames = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(img)
    cap.release()
    expected_3m = sorted(p["id"] for p in truth["people"] if p["within_3m_at"] is not None)
    expected_2m = sorted(p["id"] for p in truth["people"] if p["within_2m_at"] is not None)
    for seed in (1, 2):
        rnd = random.Random(seed)
        agent = Agent(settings, speech=_Silent(), client=EventSender(settings.server))
        for i, img in enumerate(frames):
            if rnd.random() < 0.5:
                agent.process(Frame(image=img, t=i / truth["fps"], index=i))
        approached = sorted(_person_at(truth, a["frame"], a["box"]) for a in agent.stats.approaches)
        greeted = sorted(_person_at(truth, g["frame"], g["box"]) for g in agent.stats.greetings)
        assert (approached, greeted) == (expected_3m, expected_2m), seed
