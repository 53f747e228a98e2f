"""Who is calling and what they may do: a device's token, a staff API token, or a staff session cookie.

The one place of the role rules: `require(...)` names staff roles and device
kinds (kiosk/hall/devices.py KINDS); `require("device")` lets any device in.
It also writes the credential into the operation's OpenAPI document
(SECURITY_SCHEMES); a route anyone may call says so with `public`.
What a device may touch within its kind (its own sessions, visits, tickets)
is kiosk/hall/devices.py's scope rules, applied by the views through `scope`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from apiflask import abort
from flask import Flask, current_app, g, request
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect

from kiosk.hall import accounts, devices
from kiosk.hall.errors import Forbidden
from kiosk.models import User
from kiosk.web.database import db

DEVICE = "device"  # require(DEVICE): any device

# The OpenAPI document's names for the three credentials (app config SECURITY_SCHEMES).
SECURITY_SCHEMES = {
    "DeviceToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A device's own token (python -m kiosk add-device); its kind and scope apply. "
        "In development the shared KIOSK_DEVICE_TOKEN stands for every device.",
    },
    "StaffToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A staff account's API token (python -m kiosk create-user); its role applies.",
    },
    "StaffSession": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "The staff pages' login cookie; a change made with it carries the page's X-CSRFToken.",
    },
}
ANONYMOUS: dict[str, list[str]] = {}  # OpenAPI's empty requirement: no credential


def security(roles: set[str]) -> list[dict[str, list[str]]]:
    """The credentials that may call an operation open to these roles and device kinds."""
    out: list[dict[str, list[str]]] = [{"StaffToken": []}, {"StaffSession": []}]  # admin always
    if DEVICE in roles or roles & set(devices.KINDS):
        out.append({"DeviceToken": []})
    return out


def _document(view, requirement: list[dict[str, list[str]]]) -> None:
    # APIFlask reads an operation's OpenAPI details from the view's _spec
    view.__dict__.setdefault("_spec", {})["security"] = requirement


def public(view):
    """Mark a route anyone may call (a customer's status link, the hall display, health)."""
    _document(view, [ANONYMOUS])
    return view


def optional(*roles: str):
    """Document a route anonymous callers may use, and callers with these roles for more (a live stream)."""

    def decorate(view):
        _document(view, [ANONYMOUS, *security(set(roles) | {"admin"})])
        return view

    return decorate


@dataclass(frozen=True)
class Actor:
    kind: str  # device | user
    role: str  # a staff role (accounts.ROLES), a device kind (devices.KINDS), or "device": the shared token
    name: str
    user_id: int | None = None
    via_cookie: bool = False
    device: devices.Credential | None = None

    @property
    def label(self) -> str:
        """How the audit log and idempotency keys name this caller."""
        return f"{self.device.kind}:{self.name}" if self.device else self.name


class StaffLogin(UserMixin):
    def __init__(self, user: User):
        self.id, self.username, self.role = user.id, user.username, user.role


login_manager = LoginManager()
csrf = CSRFProtect()


@login_manager.user_loader
def _load(user_id: str):
    user = db().get(User, int(user_id)) if user_id.isdigit() else None
    return StaffLogin(user) if user and user.active else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.config["SECURITY_SCHEMES"] = SECURITY_SCHEMES
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)

    @app.before_request
    def _csrf_for_cookie_sessions():
        # A bearer token is no ambient credential; a session cookie is, so
        # changes made with one must carry the page's CSRF token.
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return
        if current_user.is_authenticated:
            csrf.protect()


def actor() -> Actor | None:
    if "actor" in g:
        return g.actor
    found = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = header[7:].strip()
        settings = current_app.extensions["settings"]
        if token and not settings.production and accounts.same_secret(token, settings.device_token):
            found = Actor(DEVICE, DEVICE, DEVICE, device=devices.Credential(devices.ANY, DEVICE))
        elif token:
            user = accounts.by_token(db(), token)
            device = None if user else devices.by_token(db(), token)
            if user is not None:
                found = Actor("user", user.role, user.username, user.id)
            elif device is not None:
                found = Actor(DEVICE, device.kind, device.name, device=device)
    elif current_user.is_authenticated:
        found = Actor("user", current_user.role, current_user.username, current_user.id, via_cookie=True)
    g.actor = found
    return found


def caller() -> Actor:
    """The caller of a view behind `require`, which has already refused anonymous calls."""
    who = actor()
    if who is None:
        abort(401, "credentials required", extra_data={"code": "unauthorized"})
    return who


def scope() -> devices.Credential | None:
    """The calling device, whose scope the view checks (kiosk/hall/devices.py); None for staff."""
    return caller().device


def staff_user() -> User:
    """The calling staff account (behind `require` with staff roles); a device is refused."""
    who = caller()
    user = db().get(User, who.user_id) if who.user_id else None
    if user is None:
        raise Forbidden("this is for staff accounts", code="staff_only")
    return user


def staff_only(what: str) -> None:
    """Refuse a device what only staff may do (priority tickets, others' tickets, reprints)."""
    if caller().device is not None:
        raise Forbidden(f"{what} is for staff", code="staff_only")


def allows(who: Actor, roles: set[str]) -> bool:
    if who.device is not None:
        return DEVICE in roles or who.device.plays(roles)
    return who.role in roles


def require(*roles: str):
    """Let the call through for these staff roles and device kinds (admin always; "device": any
    device); 401 without credentials, 403 else."""
    allowed = set(roles) | {"admin"}

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            who = actor()
            if who is None:
                abort(
                    401,
                    "credentials required",
                    extra_data={"code": "unauthorized"},
                    headers={"WWW-Authenticate": "Bearer"},
                )
            if not allows(who, allowed):
                abort(403, f"the {who.role} role may not do this", extra_data={"code": "forbidden"})
            return view(*args, **kwargs)

        _document(wrapped, security(allowed))
        return wrapped

    return decorate
