"""Typed settings (bad values fail at load, naming the field), the environment, and the agent CLI."""
from __future__ import annotations

import json

import numpy as np
import pytest
from pydantic import ValidationError

from kiosk.agent.config import AgentSettings, load_settings
from kiosk.agent.detect import HogPeopleDetector, YuNetFaceDetector, build_detector


def test_every_field_documents_itself():
    def walk(model):
        for name, field in model.model_fields.items():
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, AgentSettings.__mro__[1]) and name != "demo_video":
                yield from walk(ann)
            else:
                yield name, field

    missing = [name for name, f in walk(AgentSettings) if not (f.title and f.description)]
    assert missing == []


def test_bad_values_fail_at_load_naming_the_field():
    with pytest.raises(ValidationError, match="inertia"):
        load_settings({"zones": {"inertia": 0}}, environ={})
    with pytest.raises(ValidationError, match="greet_m"):
        load_settings({"zones": {"greet_m": 3.5}}, environ={})
    with pytest.raises(ValidationError, match="kind"):
        load_settings({"detector": {"kind": "magic"}}, environ={})


def test_environment_and_hall_variables(tmp_path):
    cfg = tmp_path / "agent.json"
    cfg.write_text(json.dumps({"zones": {"inertia": 4}, "capture": {"source": "1"}}))
    s = load_settings(environ={"KIOSK_AGENT_CONFIG": str(cfg), "KIOSK_AGENT_ZONES__INERTIA": "5",
                               "KIOSK_SERVER_URL": "http://127.0.0.1:8000", "KIOSK_DEVICE_TOKEN": "tok",
                               "KIOSK_DEVICE_ID": "kiosk-3",
                               "KIOSK_AGENT_DISTANCE__CALIBRATION_FILE": str(tmp_path / "none.json")})
    assert s.zones.inertia == 5 and s.capture.source == "1"
    assert (s.server.url, s.server.token, s.server.device_id) == ("http://127.0.0.1:8000", "tok", "kiosk-3")
    assert "tok" not in repr(s)


def test_show_settings(capsys, monkeypatch, tmp_path):
    from kiosk.agent.cli import main

    monkeypatch.setenv("KIOSK_DEVICE_TOKEN", "secret-token")
    monkeypatch.setenv("KIOSK_AGENT_DISTANCE__CALIBRATION_FILE", str(tmp_path / "c.json"))
    assert main(["--show-settings"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["zones"]["greet_m"] == 2.0
    assert "secret-token" not in out


def test_other_detectors_behind_the_same_interface(tmp_path):
    s = load_settings({"detector": {"kind": "hog"}}, environ={})
    hog = build_detector(s.detector, s.distance)
    assert isinstance(hog, HogPeopleDetector) and hog.kind == "person"
    assert hog.detect(np.full((480, 640), 120, np.uint8)) == []
    with pytest.raises(ValueError, match="model file"):
        YuNetFaceDetector(20, 200, model_path=str(tmp_path / "missing.onnx"))


def test_the_agent_keeps_running_when_its_camera_is_gone(settings_factory):
    from kiosk.agent.capture import FrameSource
    from kiosk.agent.runner import Agent
    from kiosk.speech import SpeechWorker

    settings = settings_factory(capture={"backoff_initial_s": 0.1, "backoff_max_s": 0.2})
    agent = Agent(settings, speech=SpeechWorker(player="none"))
    source = FrameSource("http://127.0.0.1:9/stream.mjpg", settings.capture)
    assert agent.run(source, max_seconds=1.5, drain_s=1) == 0
    assert source.failures >= 2 and agent.stats.frames == 0
