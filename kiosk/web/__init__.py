"""The hall server's web layer: the app factory, the JSON API and the pages."""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask
from flask.json.provider import DefaultJSONProvider

from kiosk.settings import Settings, get_settings


def create_app(test_config: dict[str, Any] | None = None) -> APIFlask:
    """Build the app. Tests pass their own settings (database, tokens) as `test_config`."""
    settings = Settings(**test_config) if test_config else get_settings()
    app = APIFlask(
        __name__, title="Service hall kiosk API", version="1.0", docs_path="/docs", spec_path="/openapi.json"
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        JSON_AS_ASCII=False,
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        VALIDATION_ERROR_STATUS_CODE=422,
        AUTH_ERROR_STATUS_CODE=401,
    )
    assert isinstance(app.json, DefaultJSONProvider)  # APIFlask keeps Flask's default provider
    app.json.ensure_ascii = False
    app.extensions["settings"] = settings

    from kiosk.web import admission, auth, bounds, database, docs, errors, live, maintenance, proxy

    bounds.init_app(app)
    database.init_app(app, settings)
    errors.init_app(app)
    proxy.init_app(app, settings)
    docs.init_app(app)
    auth.init_app(app)
    live.init_app(app)
    maintenance.init_app(app)

    from kiosk.web import api, pages

    api.register(app)
    pages.register(app)
    admission.init_app(app, settings)
    return app
