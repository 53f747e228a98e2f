"""Behind a TLS proxy: trust its X-Forwarded-* headers (only as many hops as set) and send Secure cookies on https."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from kiosk.settings import Settings


class _SessionCookies(SecureCookieSessionInterface):
    """The staff session cookie is Secure whenever the browser reached the hall over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)


def init_app(app: Flask, settings: Settings) -> None:
    app.session_interface = _SessionCookies()
    if settings.proxy_hops:
        # the client's address (login limits, live-page caps) and scheme (Secure cookies) as the proxy saw them
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
