"""Typed settings of the hall server, read from the environment (KIOSK_*)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kiosk import stack

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KIOSK_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'var' / 'kiosk.db'}",
        title="Database URL",
        description="SQLAlchemy URL: a SQLite file (default) or postgresql+psycopg://…",
    )
    host: str = Field(default="127.0.0.1", title="Listen address")
    port: int = Field(default=8000, ge=1, le=65535, title="Listen port")
    workers: int = Field(default=1, ge=1, le=32, title="Server worker processes")
    threads: int = Field(
        default=64,
        ge=4,
        le=512,
        title="Threads per worker",
        description="Live pages (SSE) hold one thread each.",
    )
    request_slots: int = Field(
        default=2,
        ge=1,
        le=64,
        title="Requests a worker runs at once",
        description="Others wait their turn in arrival order; live pages' "
        "streams and waits on the assistant take no slot.",
    )
    device_token: str = Field(
        default=stack.DEV_DEVICE_TOKEN,
        min_length=8,
        title="Device token",
        description="Bearer token of kiosks, agents and the assistant.",
    )
    secret_key: str = Field(default="dev-secret-change-me", min_length=8, title="Session secret")
    timezone: str = Field(
        default="Asia/Shanghai",
        title="Hall time zone",
        description="Decides the service day and greetings by time of day.",
    )
    business_types_file: Path = Field(
        default=ROOT / "config" / "business_types.yml",
        title="Business types",
        description="The triage taxonomy (YAML).",
    )
    hall_file: Path = Field(
        default=ROOT / "config" / "hall.yml",
        title="Hall setup",
        description="Counters, back-office duty and appointment slots to seed.",
    )
    default_service_min: float = Field(
        default=6.0, gt=0, le=120, title="Service minutes before history exists"
    )
    recent_services: int = Field(default=30, ge=1, le=1000, title="Services averaged for the wait estimate")
    snapshot_dir: Path = Field(default=ROOT / "var" / "snapshots", title="Snapshot folder")
    snapshot_days: int = Field(default=7, ge=0, le=90, title="Days snapshots are kept")
    rasa_url: str = Field(
        default_factory=stack.rasa_url,
        title="Rasa server URL",
        description="Unset: this stack's Rasa server on 127.0.0.1:RASA_PORT (kiosk/stack.py).",
    )
    rasa_token: str = Field(
        default_factory=stack.rasa_token,
        title="Rasa HTTP API token",
        description="Unset: RASA_TOKEN, else the development token (kiosk/stack.py).",
    )
    rasa_timeout_s: float = Field(
        default=1.3,
        gt=0,
        le=30,
        title="Rasa call timeout (s)",
        description="Past this (plus 0.5 s to connect) the kiosk shows the touch menu.",
    )
    public_url: str = Field(
        default="",
        title="Public base URL",
        description="Base of QR-code links to the mobile status page; empty means the request's own host.",
    )
    printer: str = Field(
        default="file",
        title="Ticket printer",
        description="'file' (var/printer.out), 'usb:VID:PID' or 'net:HOST[:PORT]'.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
