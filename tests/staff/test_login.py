"""Staff login: CSRF on the form and on cookie-session changes, rate limit, expiry, page roles, headers."""
from __future__ import annotations

import re

import pytest

from kiosk import clock
from kiosk.hall import accounts

PAGES = {"/staff/guide": {"guide", "supervisor", "admin"},
         "/staff/counter": {"counter", "supervisor", "admin"},
         "/staff/review": {"supervisor", "admin"},
         "/staff/review/kpis": {"supervisor", "admin"},
         "/staff/review/audit": {"supervisor", "admin"},
         "/staff/review/visits/1": {"supervisor", "admin"}}


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    with app.extensions["sessions"]() as s, s.begin():
        for role in ("guide", "counter", "supervisor", "admin"):
            accounts.create_user(s, f"{role}-a", role, "password-123")
    return app


def _token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _login(client, name, password="password-123", headers=None):
    page = client.get("/staff/login", headers=headers)
    return client.post("/staff/login", data={"username": name, "password": password,
                                             "csrf_token": _token(page.text), "next": ""}, headers=headers)


def test_pages_need_login_and_the_right_role(csrf_app):
    for url in PAGES:
        r = csrf_app.test_client().get(url)
        assert r.status_code == 302 and "/staff/login?next=" in r.headers["Location"], url
    for role in ("guide", "counter", "supervisor", "admin"):
        client = csrf_app.test_client()
        assert _login(client, f"{role}-a").status_code == 302
        for url, allowed in PAGES.items():
            r = client.get(url)
            want = 200 if role in allowed else 403
            if url.endswith("/visits/1") and role in allowed:
                want = 404  # no such visit: still past the role check
            assert r.status_code == want, (role, url, r.status_code)


def test_login_form_needs_its_csrf_token_and_right_password(csrf_app):
    client = csrf_app.test_client()
    r = client.post("/staff/login", data={"username": "guide-a", "password": "password-123"})
    assert r.status_code == 401 and "/staff/guide" not in r.headers.get("Location", "")
    assert client.get("/staff/guide").status_code == 302
    assert _login(client, "guide-a", "wrong-password").status_code == 401
    r = _login(client, "guide-a")
    assert r.status_code == 302 and r.headers["Location"].endswith("/staff/guide")


def test_next_is_only_a_local_path(csrf_app):
    client = csrf_app.test_client()
    page = client.get("/staff/login?next=//evil.example/x")
    r = client.post("/staff/login", data={"username": "guide-a", "password": "password-123",
                                          "csrf_token": _token(page.text), "next": "//evil.example/x"})
    assert r.headers["Location"].endswith("/staff/guide")


def test_cookie_session_changes_need_the_csrf_header(csrf_app, app):
    client = csrf_app.test_client()
    page_html = client.get("/staff/login").text
    _login(client, "guide-a")
    token = _token(client.get("/staff/guide").text)
    assert client.put("/api/hall/flags", json={"rain": True}).status_code == 400
    r = client.put("/api/hall/flags", json={"rain": True}, headers={"X-CSRFToken": token})
    assert r.status_code == 200 and r.json["rain"] is True
    assert page_html


def test_login_is_rate_limited(csrf_app):
    csrf_app.config["STAFF_LOGIN_LIMIT"] = "3 per minute"
    client = csrf_app.test_client()
    codes = [_login(client, "guide-a", "wrong-password").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    refused = _login(client, "guide-a")  # even the right password waits
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 61


@pytest.fixture
def proxied_app(db_url, tmp_path):
    """The hall behind one TLS proxy (KIOSK_PROXY_HOPS=1)."""
    from kiosk.web import create_app
    from kiosk.web import maintenance
    from kiosk.web.database import dispose

    app = create_app({"database_url": db_url, "device_token": "test-device-token", "env": "development",
                      "secret_key": "test-secret-key", "proxy_hops": 1, "rasa_url": "http://127.0.0.1:9"})
    app.config.update(WTF_CSRF_ENABLED=True, STAFF_LOGIN_LIMIT="3 per minute")
    with app.extensions["sessions"]() as s, s.begin():
        accounts.create_user(s, "guide-a", "guide", "password-123")
    yield app
    maintenance.stop(app)
    dispose(app)


def test_behind_a_proxy_each_client_has_its_own_login_limit_and_https_cookies_are_secure(proxied_app):
    client = proxied_app.test_client()
    one, other = {"X-Forwarded-For": "10.0.0.7"}, {"X-Forwarded-For": "10.0.0.8"}
    assert [_login(client, "guide-a", "wrong", one).status_code for _ in range(4)] == [401, 401, 401, 429]
    assert _login(client, "guide-a", "wrong", other).status_code == 401  # its own bucket
    plain = _login(proxied_app.test_client(), "guide-a", headers={"X-Forwarded-For": "10.0.0.9"})
    assert plain.status_code == 302 and "Secure" not in plain.headers["Set-Cookie"]
    tls = _login(proxied_app.test_client(), "guide-a",
                 headers={"X-Forwarded-For": "10.0.0.10", "X-Forwarded-Proto": "https"})
    assert tls.status_code == 302 and "; Secure" in tls.headers["Set-Cookie"]


def test_without_a_trusted_proxy_forwarded_headers_change_nothing(csrf_app):
    csrf_app.config["STAFF_LOGIN_LIMIT"] = "3 per minute"
    tls = _login(csrf_app.test_client(), "counter-a", headers={"X-Forwarded-Proto": "https"})
    assert tls.status_code == 302 and "Secure" not in tls.headers["Set-Cookie"]
    client = csrf_app.test_client()
    spoofed = [_login(client, "guide-a", "wrong", {"X-Forwarded-For": f"10.0.0.{i}"}).status_code
               for i in range(3)]
    assert spoofed == [401, 401, 429]  # one bucket: the real address


def test_sessions_expire(csrf_app, monkeypatch):
    client = csrf_app.test_client()
    _login(client, "supervisor-a")
    assert client.get("/staff/review").status_code == 200
    assert client.get("/api/kpis").status_code == 200
    later = clock.now().timestamp() + csrf_app.permanent_session_lifetime.total_seconds() + 1
    monkeypatch.setattr(clock, "now", lambda: __import__("datetime").datetime.fromtimestamp(
        later, tz=__import__("datetime").timezone.utc))
    assert client.get("/api/kpis").status_code == 401
    assert client.get("/staff/review").status_code == 302


def test_logout_ends_the_session(csrf_app):
    client = csrf_app.test_client()
    _login(client, "counter-a")
    token = _token(client.get("/staff/counter").text)
    assert client.post("/staff/logout", data={}).status_code == 400  # no CSRF token
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/staff/counter").status_code == 302
    assert client.get("/api/counters").status_code == 401


def test_pages_send_a_strict_content_security_policy(csrf_app):
    client = csrf_app.test_client()
    _login(client, "supervisor-a")
    for url in ("/staff/login", "/staff/guide", "/staff/review", "/display"):
        csp = client.get(url).headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, url
    html = client.get("/staff/guide").text
    assert "<script>" not in html  # every script is a file


def test_english_pages(csrf_app):
    client = csrf_app.test_client()
    _login(client, "supervisor-a")
    assert "Visits" in client.get("/staff/review?lang=en").text
    assert "Service KPIs" in client.get("/staff/review/kpis").text  # the choice sticks
