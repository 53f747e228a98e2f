"""Where the processes of one stack find each other: one rule, read from the environment.

`make run` starts the hall server, the Rasa server, the action server, the
camera agent and the announcer. Each derives the others' addresses here, so
that setting ``KIOSK_PORT``, ``RASA_PORT`` or ``ACTIONS_PORT`` (in the
environment or `.env`) moves the whole stack, and a second stack with other
ports runs beside a first one. ``KIOSK_SERVER_URL`` and ``KIOSK_RASA_URL``
override the derived URLs when a part runs on another machine.

The secrets the processes share follow one rule too (``secret``): in
development (``KIOSK_ENV=development``, as `make run` and the tests set it)
the built-in development values; in production (the default) never those,
but the environment's value or one generated on first use into
``var/secrets/`` (mode 0600), where every process of the stack finds it.

Standard library only: the assistant's actions import it from Rasa's Python 3.10.
"""

from __future__ import annotations

import os
import secrets
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

HALL_PORT = 8000
RASA_PORT = 5005
ACTIONS_PORT = 5055
LOOPBACK = "127.0.0.1"
# The development credentials every process of a `make run` stack shares.
DEV_DEVICE_TOKEN = "dev-device-token"
DEV_RASA_TOKEN = "dev-rasa-token"
DEV_SECRET_KEY = "dev-secret-change-me"
BUILT_IN_SECRETS = frozenset({DEV_DEVICE_TOKEN, DEV_RASA_TOKEN, DEV_SECRET_KEY})
DEVELOPMENT, PRODUCTION = "development", "production"
SECRETS_DIR = Path(__file__).resolve().parent.parent / "var" / "secrets"

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
    """The Rasa HTTP API's token: RASA_TOKEN, else the hall's KIOSK_RASA_TOKEN, else by `secret`'s rule."""
    env = _env(environ)
    value = (env.get("RASA_TOKEN") or env.get("KIOSK_RASA_TOKEN") or "").strip()
    return secret("RASA_TOKEN", value, env, development=DEV_RASA_TOKEN, file="rasa_token")


def mode(environ: Mapping[str, str] | None = None) -> str:
    """KIOSK_ENV: development or production (the default: a hall never runs on built-in secrets)."""
    raw = (_env(environ).get("KIOSK_ENV") or "").strip() or PRODUCTION
    if raw not in (DEVELOPMENT, PRODUCTION):
        raise ValueError(f"KIOSK_ENV={raw!r} is neither {DEVELOPMENT} nor {PRODUCTION}")
    return raw


def secrets_dir(environ: Mapping[str, str] | None = None) -> Path:
    raw = (_env(environ).get("KIOSK_SECRETS_DIR") or "").strip()
    return Path(raw) if raw else SECRETS_DIR


class BuiltInSecret(ValueError):
    """A built-in development secret was set in production."""


def secret(
    setting: str, value: str, environ: Mapping[str, str] | None = None, *, development: str, file: str
) -> str:
    """A shared secret: `value` (from the environment) if given, else the development value in
    development, else the one stored in the secrets folder (generated there on first use).
    In production a built-in development value is refused, naming `setting`."""
    env = _env(environ)
    production = mode(env) == PRODUCTION
    if value:
        if production and value in BUILT_IN_SECRETS:
            raise BuiltInSecret(
                f"{setting} is a built-in development value, which production refuses: "
                f"set a secret of your own, or unset it to have one generated in {secrets_dir(env)}"
            )
        return value
    return stored_secret(secrets_dir(env) / file) if production else development


def stored_secret(path: Path) -> str:
    """The secret in `path`; made (random, mode 0600) when there is none yet.

    Processes starting together agree: each writes its own candidate and links
    it into place, and the link of all but the first fails.
    """
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    candidate = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_urlsafe(32) + "\n")
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(candidate, path)
        print(f"generated a secret in {path} (mode 0600; back it up with the database)", file=sys.stderr)
    except FileExistsError:
        pass  # another process of the stack made it first: use theirs
    finally:
        os.unlink(candidate)
    return path.read_text(encoding="ascii").strip()


def exports(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """What the assistant's start scripts need, derived by the same rule as everything else."""
    env = _env(environ)
    return {
        "KIOSK_SERVER_URL": hall_url(env),
        "RASA_PORT": str(rasa_port(env)),
        "ACTIONS_PORT": str(actions_port(env)),
        "RASA_TOKEN": rasa_token(env),
        "RASA_TRACKER_URL": rasa_tracker_url(env),
    }


def rasa_tracker_url(environ: Mapping[str, str] | None = None) -> str:
    """Where Rasa keeps its conversations (assistant/endpoints.yml's SQL tracker store), so that a
    restarted Rasa resumes them: RASA_TRACKER_URL, else a SQLite file beside the hall's under var/."""
    explicit = (_env(environ).get("RASA_TRACKER_URL") or "").strip()
    return explicit or f"sqlite:///{SECRETS_DIR.parent / 'rasa-tracker.db'}"


if __name__ == "__main__":
    # assistant/scripts/*.sh: eval "$(python -m kiosk.stack)"
    try:
        derived = exports()
    except ValueError as exc:  # a bad port, or a built-in secret in production: say which
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    for name, value in derived.items():
        print(f"export {name}={shlex.quote(value)}")
