"""Settings come from the environment, are documented, and bad values fail at load."""
import pytest
from pydantic import ValidationError

from kiosk.settings import ROOT, Settings


def test_every_setting_is_documented_in_env_example():
    documented = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"KIOSK_{name.upper()}=" in documented, name


def test_environment_is_read_and_bad_values_are_refused(monkeypatch):
    monkeypatch.setenv("KIOSK_PORT", "8123")
    assert Settings().port == 8123
    monkeypatch.setenv("KIOSK_PORT", "99999")
    with pytest.raises(ValidationError, match="port"):
        Settings()
    monkeypatch.setenv("KIOSK_PORT", "8000")
    monkeypatch.setenv("KIOSK_DEVICE_TOKEN", "short")
    with pytest.raises(ValidationError, match="device_token"):
        Settings()
