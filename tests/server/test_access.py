"""Who may do what: devices, the four staff roles, and nobody without credentials."""
import pytest

@pytest.fixture
def app_at(db_url, tmp_path):
    """An app on the test's database made after the command line ran; its jobs end with the test."""
    from kiosk.web import create_app, maintenance
    from kiosk.web.database import dispose

    made = []

    def make():
        made.append(create_app({"database_url": db_url, "snapshot_dir": tmp_path}))
        return made[-1]

    yield make
    for app in made:
        maintenance.stop(app)
        dispose(app)


STAFF_ONLY = [("get", "/api/visits"), ("get", "/api/kpis"), ("get", "/api/counters"),
              ("get", "/api/duty/staff"), ("post", "/api/counters/1/call-next")]


@pytest.mark.parametrize("method,path", STAFF_ONLY)
def test_no_credentials_is_401_and_bad_token_too(client, method, path):
    assert getattr(client, method)(path).status_code == 401
    assert getattr(client, method)(path, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_roles_are_enforced(client, device, staff):
    guide, counter, sup = staff("guide"), staff("counter"), staff("supervisor")
    assert client.get("/api/kpis", headers=guide).status_code == 403
    assert client.get("/api/visits", headers=counter).status_code == 403
    assert client.get("/api/kpis", headers=sup).status_code == 200
    assert client.post("/api/counters/1/call-next", headers=guide).status_code == 403
    assert client.post("/api/counters/1/call-next", headers=device).status_code == 403
    assert client.get("/api/visits", headers=device).status_code == 403
    assert client.put("/api/hall/flags", json={"rain": True}, headers=counter).status_code == 403
    assert client.put("/api/hall/flags", json={"rain": True}, headers=guide).json["rain"] is True
    assert client.get("/api/hall/flags").json == {"rain": True, "wet_floor": False}


def test_create_user_cli_prints_a_working_token(db_url, app_at, monkeypatch, capsys):
    from kiosk.__main__ import main
    from kiosk.settings import get_settings

    monkeypatch.setenv("KIOSK_DATABASE_URL", db_url)
    monkeypatch.setenv("KIOSK_USER_PASSWORD", "s3cret-pass")
    get_settings.cache_clear()
    try:
        assert main(["create-user", "wang", "--role", "counter"]) == 0
        token = capsys.readouterr().out.split("API token (shown once): ")[1].strip()
        assert main(["create-user", "wang", "--role", "counter"]) == 2
        with pytest.raises(SystemExit):
            main(["create-user", "li", "--role", "boss"])
    finally:
        get_settings.cache_clear()
    client = app_at().test_client()
    assert client.get("/api/counters", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/kpis", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_create_user_links_a_back_office_account_to_its_desk(db_url, app_at, monkeypatch, capsys):
    from kiosk.__main__ import main
    from kiosk.settings import get_settings

    monkeypatch.setenv("KIOSK_DATABASE_URL", db_url)
    monkeypatch.setenv("KIOSK_USER_PASSWORD", "s3cret-pass")
    get_settings.cache_clear()
    try:
        # the roster is read from config/hall.yml even before the hall has first started
        assert main(["create-user", "wang", "--role", "backoffice", "--staff", "王经理"]) == 0
        out = capsys.readouterr().out
        assert "at the desk of 王经理" in out
        token = out.split("API token (shown once): ")[1].strip()
        assert main(["create-user", "nobody", "--role", "backoffice", "--staff", "赵六"]) == 2
        assert "赵六" in capsys.readouterr().err
        assert main(["create-user", "li", "--role", "backoffice"]) == 2
        assert main(["create-user", "gu", "--role", "guide", "--staff", "王经理"]) == 2
    finally:
        get_settings.cache_clear()
    client = app_at().test_client()
    me = client.get("/api/desk/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["name"] == "王经理"
    assert client.get("/api/kpis", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_ensure_admin_creates_one_admin_only_on_an_empty_hall(db_url, app_at, monkeypatch, capsys):
    from kiosk.__main__ import main
    from kiosk.settings import get_settings

    monkeypatch.setenv("KIOSK_DATABASE_URL", db_url)
    monkeypatch.setenv("KIOSK_ADMIN_PASSWORD", "first-admin-pw")
    get_settings.cache_clear()
    try:
        assert main(["ensure-admin"]) == 0 and "admin / first-admin-pw" in capsys.readouterr().out
        assert main(["ensure-admin"]) == 0 and capsys.readouterr().out == ""
    finally:
        get_settings.cache_clear()
    app = app_at()
    from kiosk.hall import accounts

    with app.extensions["sessions"]() as s:
        assert accounts.check_password(s, "admin", "first-admin-pw").role == "admin"
