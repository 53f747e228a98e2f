"""Production mode: no built-in secret is accepted, and every device acts with its own token and scope."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import requests
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from kiosk import stack
from tests.staff.helpers import at_url, make_user
from tests.support.server import ROOT, HallServerProcess


def forged_cookie(secret: str, user_id: int = 1) -> str:
    """A staff session cookie for `user_id`, signed with `secret` as Flask-Login's would be."""
    app = Flask("forger")
    app.secret_key = secret
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return serializer.dumps({"_user_id": str(user_id), "_fresh": True, "login_at": time.time()})


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def device_token(env: dict, name: str, kind: str) -> str:
    done = cli(env, "add-device", name, "--kind", kind)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("device token (shown once): ")[1].strip()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_the_development_key_forges_a_login_only_in_development(db_url):
    dev = HallServerProcess(db_url).start()
    try:
        make_user(at_url(db_url), "boss", "admin")
        cookie = {"session": forged_cookie(stack.DEV_SECRET_KEY)}
        # the attack is real in development: a cookie signed with the built-in key logs in
        assert requests.get(f"{dev.url}/api/me", cookies=cookie, timeout=10).json()["role"] == "admin"
    finally:
        dev.stop()


def test_production_accepts_no_built_in_secret_and_scopes_each_device(db_url, tmp_path):
    secrets_dir = tmp_path / "secrets"
    env = {"KIOSK_ENV": "production", "KIOSK_SECRETS_DIR": str(secrets_dir), "KIOSK_DATABASE_URL": db_url}
    server = HallServerProcess(db_url, KIOSK_DEVICE_TOKEN=stack.DEV_DEVICE_TOKEN, **env).start()
    try:
        h = at_url(db_url)
        make_user(h, "boss", "admin")
        counter = bearer(make_user(h, "counter1", "counter"))
        # the secret key was generated, kept from others, and is not the built-in one
        key = (secrets_dir / "secret_key").read_text().strip()
        assert key not in stack.BUILT_IN_SECRETS and (secrets_dir / "secret_key").stat().st_mode & 0o777 == 0o600
        forged = {"session": forged_cookie(stack.DEV_SECRET_KEY)}
        assert requests.get(f"{server.url}/api/me", cookies=forged, timeout=10).status_code == 401
        review = requests.get(f"{server.url}/staff/review", cookies=forged, allow_redirects=False, timeout=10)
        assert review.status_code == 302 and "/staff/login" in review.headers["Location"]
        # the shared development token is no credential at all
        dev = bearer(stack.DEV_DEVICE_TOKEN)
        assert requests.post(f"{server.url}/api/tickets", json={"business_type": "pay_bill"}, headers=dev,
                             timeout=10).status_code == 401

        cli_env = {**os.environ, **env}
        k1, k2 = device_token(cli_env, "k1", "kiosk"), device_token(cli_env, "k2", "kiosk")
        ticket = requests.post(f"{server.url}/api/tickets", json={"business_type": "pay_bill"},
                               headers=bearer(k1), timeout=10).json()
        cancel = f"{server.url}/api/tickets/{ticket['id']}/cancel"
        refused = requests.post(cancel, headers=bearer(k2), timeout=10)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "out_of_scope"
        assert requests.get(f"{server.url}/api/tickets/{ticket['id']}", headers=bearer(k2),
                            timeout=10).status_code == 403
        # priority tickets and reprints are the staff's
        prio = requests.post(f"{server.url}/api/tickets", json={"business_type": "pay_bill", "priority": True},
                             headers=bearer(k1), timeout=10)
        assert prio.status_code == 403 and prio.json()["error"]["code"] == "staff_only"
        assert requests.post(f"{server.url}/api/kiosk/tickets/{ticket['id']}/print?reprint=1",
                             headers=bearer(k1), timeout=10).status_code == 403
        # k1 may cancel the ticket it has just issued; the change is audited with who made it
        assert requests.post(cancel, headers=bearer(k1), timeout=10).json()["status"] == "cancelled"
        sup = bearer(make_user(h, "sup", "supervisor"))
        entries = requests.get(f"{server.url}/api/audit?action=ticket.", headers=sup, timeout=10).json()["entries"]
        assert [(e["actor"], e["action"], e["target"]) for e in entries] == [
            ("kiosk:k1", "ticket.cancelled", f"ticket:{ticket['id']}")]
        assert requests.post(cancel, headers=counter, timeout=10).status_code == 409  # staff: any ticket

        listed = cli(cli_env, "list-devices").stdout
        assert "k1" in listed and "k2" in listed and "active" in listed
        assert cli(cli_env, "revoke-device", "k2").returncode == 0
        assert requests.get(f"{server.url}/api/tickets/{ticket['id']}", headers=bearer(k2),
                            timeout=10).status_code == 401
        assert cli(cli_env, "revoke-device", "k2").returncode == 2  # nothing active by that name
    finally:
        server.stop()


def test_production_refuses_to_start_on_a_built_in_secret(db_url, tmp_path):
    done = cli({**os.environ, "KIOSK_ENV": "production", "KIOSK_DATABASE_URL": db_url,
                "KIOSK_SECRETS_DIR": str(tmp_path), "KIOSK_SECRET_KEY": stack.DEV_SECRET_KEY}, "serve")
    assert done.returncode == 2
    assert "KIOSK_SECRET_KEY is a built-in development value" in done.stderr
    assert not list(tmp_path.iterdir())  # nothing generated for a setting that was given
