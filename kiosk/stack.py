"""Where the processes of one stack find each other: one rule, read from the environment.

`make run` starts the hall server, the Rasa server, the action server, the
camera agent and the announcer. Each derives the others' addresses here, so
that setting ``KIOSK_PORT``, ``RASA_PORT`` or ``ACTIONS_PORT`` (in the
environment or `.env`) moves the whole stack, and a second stack with other
ports runs beside a first one. ``KIOSK_SERVER_URL`` and ``KIOSK_RASA_URL``
override the derived URLs when a part runs on another machine.

Standard library only: the assistant's actions import it from Rasa's Python 3.10.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping

HALL_PORT = 8000
RASA_PORT = 5005
ACTIONS_PORT = 5055
LOOPBACK = "127.0.0.1"
# The development credentials every process of a `make run` stack shares.
DEV_DEVICE_TOKEN = "dev-device-token"
DEV_RASA_TOKEN = "dev-rasa-token"

_ANY_ADDRESS = {"", "0.0.0.0", "::", "[::]"}


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ValueError(f"{name}={raw!r} is not a port number (1-65535)")
    return int(raw)


def _http(host: str, port: int) -> str:
    # a server listening on every interface is reached on this machine's loopback
    host = LOOPBACK if host in _ANY_ADDRESS else host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def hall_url(environ: Mapping[str, str] | None = None) -> str:
    """KIOSK_SERVER_URL, else the hall server's own KIOSK_HOST and KIOSK_PORT."""
    env = _env(environ)
    explicit = (env.get("KIOSK_SERVER_URL") or "").strip()
    if explicit:
        return explicit.rstrip("/")
    return _http((env.get("KIOSK_HOST") or LOOPBACK).strip(), _port(env, "KIOSK_PORT", HALL_PORT))


def rasa_port(environ: Mapping[str, str] | None = None) -> int:
    return _port(_env(environ), "RASA_PORT", RASA_PORT)


def actions_port(environ: Mapping[str, str] | None = None) -> int:
    return _port(_env(environ), "ACTIONS_PORT", ACTIONS_PORT)


def rasa_url(environ: Mapping[str, str] | None = None) -> str:
    """KIOSK_RASA_URL, else the Rasa server of this stack on RASA_PORT."""
    env = _env(environ)
    explicit = (env.get("KIOSK_RASA_URL") or "").strip()
    return explicit.rstrip("/") if explicit else _http(LOOPBACK, rasa_port(env))


def device_token(environ: Mapping[str, str] | None = None) -> str:
    """The bearer token a device process presents: KIOSK_DEVICE_TOKEN, else the development one."""
    return (_env(environ).get("KIOSK_DEVICE_TOKEN") or "").strip() or DEV_DEVICE_TOKEN


def rasa_token(environ: Mapping[str, str] | None = None) -> str:
    """The Rasa HTTP API's token: RASA_TOKEN, else the hall's KIOSK_RASA_TOKEN, else the development one."""
    env = _env(environ)
    return (env.get("RASA_TOKEN") or env.get("KIOSK_RASA_TOKEN") or "").strip() or DEV_RASA_TOKEN


def exports(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """What the assistant's start scripts need, derived by the same rule as everything else."""
    env = _env(environ)
    return {
        "KIOSK_SERVER_URL": hall_url(env),
        "RASA_PORT": str(rasa_port(env)),
        "ACTIONS_PORT": str(actions_port(env)),
        "RASA_TOKEN": rasa_token(env),
    }


if __name__ == "__main__":
    # assistant/scripts/*.sh: eval "$(python -m kiosk.stack)"
    for name, value in exports().items():
        print(f"export {name}={shlex.quote(value)}")
