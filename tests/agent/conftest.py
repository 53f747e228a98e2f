"""Fixtures of the agent tests: a generated walk-in video with its ground truth, and settings kept under tmp."""
from __future__ import annotations

import json

import pytest

from kiosk.agent.config import load_settings


@pytest.fixture(scope="session")
def walk_in(tmp_path_factory):
    """The short 'test' scenario: four people, two come within 2 m, one stops at 2.6 m, one passes at 4.4 m."""
    from kiosk.agent.demo import generate

    path = tmp_path_factory.mktemp("video") / "walk-in.mp4"
    truth = generate(path, "test")
    return path, truth


@pytest.fixture
def settings_factory(tmp_path):
    def make(**sections):
        base = {
            "distance": {"calibration_file": str(tmp_path / "calibration.json")},
            "snapshots": {"directory": str(tmp_path / "snapshots")},
            "speech": {"player": "none"},
        }
        for key, value in sections.items():
            base[key] = {**base.get(key, {}), **value}
        return load_settings(base, environ={})

    return make


def report(name: str, data: dict) -> None:
    """Figures a test measured, kept under var/reports/ and printed (seen with pytest -s)."""
    from pathlib import Path

    out = Path("var/reports")
    out.mkdir(parents=True, exist_ok=True)
    (out / f"agent-{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\n[{name}] {json.dumps(data, ensure_ascii=False)}")
