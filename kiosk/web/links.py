"""The customer's signed links to their own status page: a ticket (/t/), a hand-over (/h/), a booking (/a/).

The token is the record's id signed with the app's secret (a salt per kind), so a
link shows no id and cannot be guessed or altered.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from kiosk.hall.errors import NotFound


@dataclass(frozen=True)
class Kind:
    path: str  # the page's prefix
    salt: str
    what: str  # the error's wording
    code: str  # the error's code


KINDS = {
    "ticket": Kind("/t/", "ticket-status", "ticket", "ticket_not_found"),
    "handover": Kind("/h/", "handover-status", "hand-over", "handover_not_found"),
    "appointment": Kind("/a/", "appointment-status", "appointment", "appointment_not_found"),
}


@functools.lru_cache(maxsize=8)
def _signer(secret: str, salt: str) -> URLSafeSerializer:  # built once: every ticket answer signs a link
    return URLSafeSerializer(secret, salt=salt)


def _signer_of(kind: str) -> URLSafeSerializer:
    return _signer(current_app.config["SECRET_KEY"], KINDS[kind].salt)


def public(path: str) -> str:
    """The full address of a page of the hall as a phone reaches it (KIOSK_PUBLIC_URL, else the host asked)."""
    base = current_app.extensions["settings"].public_url or request.host_url
    return f"{base.rstrip('/')}{path}"


def url(kind: str, record_id: int) -> str:
    """The full address of the customer's page of this record."""
    return public(f"{KINDS[kind].path}{_signer_of(kind).dumps(record_id)}")


def record_id(kind: str, token: str) -> int:
    """The id a link names; NotFound with the kind's code for a forged or mangled one."""
    try:
        found = _signer_of(kind).loads(token)
    except BadSignature:
        found = None
    if not isinstance(found, int):
        raise NotFound(f"unknown {KINDS[kind].what} link", code=KINDS[kind].code)
    return found
