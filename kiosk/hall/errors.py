"""Errors the domain raises; the web layer turns them into JSON with their status."""

from __future__ import annotations


class HallError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class NotFound(HallError):
    status = 404
    code = "not_found"


class Conflict(HallError):
    status = 409
    code = "conflict"


class Invalid(HallError):
    status = 422
    code = "invalid"


class Forbidden(HallError):
    status = 403
    code = "forbidden"
