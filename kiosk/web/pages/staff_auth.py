"""Staff login and logout, the role check every staff page shares, and the pages' security headers.

A login lasts one shift at most (PERMANENT_SESSION_LIFETIME from the moment
of login, not sliding), is rate-limited per address, and its form carries a
CSRF token; the pages' scripts send the token with every change they make.
"""

from __future__ import annotations

import time
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from apiflask import APIBlueprint
from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from kiosk import clock
from kiosk.hall import accounts, shifts
from kiosk.i18n import catalog, language
from kiosk.web.auth import StaffLogin
from kiosk.web.database import db

bp = APIBlueprint("staff_auth", __name__, tag="Pages", enable_openapi=False)
HOME = {
    "guide": "staff_guide.tablet",
    "counter": "staff_counter.counter_page",
    "backoffice": "staff_desk.desk_page",
    "supervisor": "staff_review.visits_page",
    "admin": "staff_review.visits_page",
}
# no inline script or style anywhere: customer text that slipped through could not run
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


@bp.record_once
def _setup(state) -> None:
    app = state.app
    app.config.setdefault("STAFF_LOGIN_LIMIT", "10 per minute;50 per hour")
    app.extensions["login_attempts"] = MovingWindowRateLimiter(MemoryStorage())
    app.jinja_env.globals["has_t"] = lambda key: key in catalog()


def lang() -> str:
    chosen = request.args.get("lang")
    if chosen in ("zh", "en"):
        session["lang"] = chosen
    return language(chosen or session.get("lang"))


def render(template: str, **values):
    return render_template(
        template, lang=lang(), user=current_user, tz=current_app.extensions["hall"].tz, **values
    )


def secure_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def page(*roles: str):
    """A staff page: login first (back here after), 403 for a role that may not see it."""
    allowed = set(roles) | {"admin"}

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("staff_auth.login", next=request.full_path.rstrip("?")))
            if current_user.role not in allowed:
                return render("staff/forbidden.html"), 403
            return view(*args, **kwargs)

        return wrapped

    return decorate


@bp.before_app_request
def _expire_old_logins():
    if not session or not current_user.is_authenticated:  # no cookie session: API and kiosk calls
        return
    lifetime: timedelta = current_app.permanent_session_lifetime
    started = session.get("login_at")
    if started is None or clock.now().timestamp() - started > lifetime.total_seconds():
        logout_user()
        session.clear()


class LoginForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=40)])
    password = PasswordField(validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _count_login_attempt() -> None:
    """Count a sign-in attempt against STAFF_LOGIN_LIMIT for its address (per process);
    over the limit, even the right password waits. Only this view is limited, so the
    limiter runs here and not in a hook on every request."""
    attempts: MovingWindowRateLimiter = current_app.extensions["login_attempts"]
    address = request.remote_addr or "-"
    for limit in parse_many(current_app.config["STAFF_LOGIN_LIMIT"]):
        if not attempts.hit(limit, "staff-login", address):
            reset_at = attempts.get_window_stats(limit, "staff-login", address).reset_time
            raise TooManyRequests(retry_after=max(1, int(reset_at - time.time()) + 1))


@bp.route("/staff/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        _count_login_attempt()
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    if form.validate_on_submit():
        s = db()
        username, password = form.username.data, form.password.data
        assert username and password  # DataRequired: validate_on_submit() has checked both
        user = accounts.log_in(s, username.strip(), password, ip=request.remote_addr)
        if user is not None:
            session.clear()  # a fresh session: no fixation
            login_user(StaffLogin(user))
            session.permanent = True
            session["login_at"] = clock.now().timestamp()
            shifts.logged_in(s, user, current_app.permanent_session_lifetime)
            s.commit()
            return redirect(_safe_next(form.next.data) or url_for(HOME[user.role]))
        error = "staff.login.failed"
    elif request.method == "POST":
        error = "staff.login.invalid"
    return render("staff/login.html", form=form, error=error), 200 if error is None else 401


@bp.post("/staff/logout")
def logout():
    from kiosk.web.auth import csrf

    csrf.protect()
    if current_user.is_authenticated:
        s = db()
        accounts.log_out(s, current_user.username, current_user.id)
        shifts.logged_out(s, current_user.id)
        s.commit()
    logout_user()
    session.clear()
    return redirect(url_for("staff_auth.login"))


@bp.get("/staff/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("staff_auth.login"))
    return redirect(url_for(HOME.get(current_user.role, "staff_auth.login")))


@bp.app_errorhandler(429)
def _too_many(error):
    wait = {"Retry-After": str(error.retry_after)} if getattr(error, "retry_after", None) else {}
    if request.path.startswith("/staff/"):
        return render("staff/login.html", form=LoginForm(), error="staff.login.too_many"), 429, wait
    body = {"error": {"code": "too_many_requests", "message": "too many requests", "details": {}}}
    return body, 429, wait


bp.after_request(secure_headers)
