"""Every error leaves as JSON {"error": {"code", "message", "details"}} with a fitting status."""

from __future__ import annotations

import logging

from apiflask import APIFlask
from apiflask.exceptions import HTTPError
from werkzeug.exceptions import HTTPException

from kiosk.hall.errors import HallError

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def body(status: int, message: str, code: str | None = None, details: dict | None = None) -> dict:
    return {
        "error": {"code": code or _CODES.get(status, "error"), "message": message, "details": details or {}}
    }


def init_app(app: APIFlask) -> None:
    @app.error_processor
    def _http_error(error: HTTPError):
        code = (error.extra_data or {}).get("code")
        details = error.detail if isinstance(error.detail, dict) else {}
        if error.status_code == 422 and not code:
            code = "validation_failed"
        # HTTPError.__init__ fills a missing message with the status's reason phrase
        message = error.message or ""
        return body(error.status_code, message, code, details), error.status_code, error.headers

    @app.errorhandler(HallError)
    def _hall_error(error: HallError):
        return body(error.status, error.message, error.code, error.details), error.status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return body(error.code or 500, error.description or ""), error.code or 500
        log.exception("unhandled error")
        return body(500, "internal error; it has been logged"), 500
