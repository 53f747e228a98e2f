"""Staff accounts: roles, argon2 password hashes, API tokens for integrations."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import audit
from kiosk.hall.errors import Conflict, Invalid
from kiosk.models import DutyStaff, User

ROLES = ("guide", "counter", "backoffice", "supervisor", "admin")
_hasher = PasswordHasher()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    s: Session, username: str, role: str, password: str, staff: DutyStaff | None = None
) -> tuple[User, str]:
    """Create an account; returns it and its API token (shown once, stored hashed).

    A back-office account is linked to its person in the duty roster (`staff`): its desk page.
    """
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", code="invalid_role")
    if not username or len(username) > 40 or not username.isprintable():
        raise Invalid("a user name is 1–40 printable characters", code="invalid_username")
    if len(password) < 8:
        raise Invalid("a password has at least 8 characters", code="weak_password")
    if (role == "backoffice") != (staff is not None):
        raise Invalid("a backoffice account, and only one, names its duty-roster person", code="staff_link")
    if s.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username} exists", code="user_exists")
    token = secrets.token_urlsafe(32)
    user = User(
        username=username,
        role=role,
        password_hash=_hasher.hash(password),
        api_token_hash=token_hash(token),
        active=True,
        created_at=clock.now(),
        staff_id=staff.id if staff else None,
    )
    s.add(user)
    s.flush()
    return user, token


def check_password(s: Session, username: str, password: str) -> User | None:
    user = s.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
    if user is None:
        _hasher.hash(password)  # same cost whether or not the name exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def log_in(s: Session, username: str, password: str, *, ip: str | None) -> User | None:
    """The account these credentials open, its login audited; None for wrong ones."""
    user = check_password(s, username, password)
    if user is not None:
        audit.log(s, user.username, "staff.login", f"user:{user.id}", ip=ip)
    return user


def log_out(s: Session, username: str, user_id: int) -> None:
    audit.log(s, username, "staff.logout", f"user:{user_id}")


def with_roles(s: Session, roles: tuple[str, ...]) -> list[User]:
    """The accounts of these roles, by name (who may have served at a counter, for a search)."""
    return list(s.scalars(select(User).where(User.role.in_(roles)).order_by(User.username)))


def by_token(s: Session, token: str) -> User | None:
    return s.scalars(
        select(User).where(User.api_token_hash == token_hash(token), User.active.is_(True))
    ).first()


def same_secret(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
