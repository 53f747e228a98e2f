"""Typed settings of the hall server, read from the environment (KIOSK_*)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kiosk import stack

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KIOSK_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] = Field(
        default="production",
        title="Mode",
        description="production (the default) never accepts a built-in secret; development "
        "(`make run`, the tests) accepts the development secrets and the shared device token.",
    )
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
    request_timeout_s: int = Field(
        default=60,
        ge=2,
        le=3600,
        title="Request timeout (s)",
        description="A request running longer (a slot held that long) restarts its worker process.",
    )
    device_token: str = Field(
        default=stack.DEV_DEVICE_TOKEN,
        min_length=8,
        title="Shared device token (development only)",
        description="In development every device may use it; production accepts only the "
        "devices' own tokens (python -m kiosk add-device).",
    )
    secret_key: str = Field(
        default="",
        title="Session secret",
        description="Signs staff sessions and ticket links. Unset: the development key in "
        "development; in production one generated into secrets_dir on first start.",
    )
    secrets_dir: Path = Field(
        default=stack.SECRETS_DIR,
        title="Generated secrets",
        description="Where production keeps the secrets it generates (mode 0600).",
    )
    proxy_hops: int = Field(
        default=0,
        ge=0,
        le=5,
        title="Trusted proxies in front",
        description="How many reverse proxies (TLS) set X-Forwarded-For/-Proto/-Host; 0 trusts none.",
    )
    stream_per_client: int = Field(
        default=4,
        ge=1,
        le=100,
        title="Anonymous live pages per address",
        description="Open public live streams (display, hall) one client address may hold per worker.",
    )
    stream_anonymous: int = Field(
        default=16,
        ge=1,
        le=500,
        title="Anonymous live pages per worker",
        description="Open public live streams per worker process; past either cap the answer is 429.",
    )
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
        description="Counters, back-office duty, hours, the emergency line and appointment slots.",
    )
    faq_file: Path = Field(
        default=ROOT / "config" / "faq.yml",
        title="Hall facts",
        description="The questions about the hall the kiosk answers, with their answers (YAML).",
    )
    default_service_min: float = Field(
        default=6.0, gt=0, le=120, title="Service minutes before history exists"
    )
    recent_services: int = Field(default=30, ge=1, le=1000, title="Services averaged for the wait estimate")
    snapshot_dir: Path = Field(default=ROOT / "var" / "snapshots", title="Snapshot folder")
    snapshot_days: int = Field(default=7, ge=0, le=90, title="Days snapshots are kept")
    pdf_font: Path = Field(
        default=Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
        title="Evidence pack font",
        description="A font with Chinese (TTF, OTF or a TTC collection) embedded in the evidence "
        "pack's PDF; Debian's fonts-noto-cjk (scripts/system-deps.sh) by default.",
    )
    pdf_font_index: int = Field(
        default=2,
        ge=0,
        le=64,
        title="Face in the font collection",
        description="Which face of a TTC collection: 2 is Noto Sans CJK SC (simplified Chinese).",
    )
    redact_after_days: int = Field(
        default=180,
        ge=1,
        le=3650,
        title="Days personal data is kept",
        description="Then what customers typed or said and their names and phone numbers are redacted.",
    )
    backup_keep: int = Field(
        default=14,
        ge=1,
        le=1000,
        title="Backups kept",
        description="python -m kiosk backup DIR keeps this many of its backups in DIR.",
    )
    rasa_url: str = Field(
        default_factory=stack.rasa_url,
        title="Rasa server URL",
        description="Unset: this stack's Rasa server on 127.0.0.1:RASA_PORT (kiosk/stack.py).",
    )
    rasa_token: str = Field(
        default_factory=lambda: os.environ.get("RASA_TOKEN", "").strip(),
        title="Rasa HTTP API token",
        description="Unset: RASA_TOKEN, else the development token in development and the one "
        "generated into secrets_dir in production (kiosk/stack.py, as the Rasa server finds it).",
    )
    rasa_tracker_url: str = Field(
        default_factory=stack.rasa_tracker_url,
        title="Rasa's conversation store",
        description="Unset: RASA_TRACKER_URL, else var/rasa-tracker.db (kiosk/stack.py); "
        "the hall deletes its dialogs past redact_after_days.",
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

    sms_gateway: Literal["outbox", "http"] = Field(
        default="outbox",
        title="Customer messages",
        description="outbox (the default): each message is recorded and appended to outbox_file; "
        "http: POSTed to sms_url as sms_template.",
    )
    outbox_file: Path = Field(default=ROOT / "var" / "outbox.jsonl", title="Outbox file")
    sms_url: str = Field(default="", title="SMS gateway URL", description="The operator's HTTP(S) endpoint.")
    sms_template: str = Field(
        default='{"to": "{phone}", "text": "{text}"}',
        title="SMS request body",
        description="JSON body POSTed to sms_url; {phone} and {text} are filled in.",
    )
    sms_token: str = Field(
        default="", title="SMS gateway token", description="Sent as a Bearer token if set."
    )
    sms_attempts: int = Field(
        default=5,
        ge=1,
        le=20,
        title="Tries per message",
        description="A failed message is tried again after 1, 2, 4… minutes, then stays failed (listed).",
    )

    @model_validator(mode="after")
    def _no_built_in_secret_in_production(self) -> Settings:
        """The secrets by kiosk/stack.py's rule: a production hall never runs on a built-in one."""
        environ = {"KIOSK_ENV": self.env, "KIOSK_SECRETS_DIR": str(self.secrets_dir)}
        self.secret_key = stack.secret(
            "KIOSK_SECRET_KEY",
            self.secret_key.strip(),
            environ,
            development=stack.DEV_SECRET_KEY,
            file="secret_key",
        )
        if len(self.secret_key) < 8:
            raise ValueError("KIOSK_SECRET_KEY has at least 8 characters")
        self.rasa_token = stack.secret(
            "KIOSK_RASA_TOKEN", self.rasa_token, environ, development=stack.DEV_RASA_TOKEN, file="rasa_token"
        )
        if self.sms_gateway == "http" and not self.sms_url.startswith(("http://", "https://")):
            raise ValueError("KIOSK_SMS_GATEWAY=http needs KIOSK_SMS_URL (http:// or https://)")
        return self

    @property
    def production(self) -> bool:
        return self.env == stack.PRODUCTION


@lru_cache
def get_settings() -> Settings:
    return Settings()
