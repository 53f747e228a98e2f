"""Command line: `python -m kiosk serve | create-user | agent | calibrate | announcer | purge-snapshots`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys


def _create_user(args) -> int:
    from kiosk.db import make_engine, make_sessionmaker, transaction
    from kiosk.hall import accounts
    from kiosk.hall.errors import HallError
    from kiosk.migrate import upgrade
    from kiosk.settings import get_settings

    password = os.environ.get("KIOSK_USER_PASSWORD") or getpass.getpass(f"password for {args.name}: ")
    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    try:
        with transaction(make_sessionmaker(engine)) as s:
            user, token = accounts.create_user(s, args.name, args.role, password)
    except HallError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(f"created {user.username} ({user.role})")
    print(f"API token (shown once): {token}")
    return 0


def _ensure_admin(_args) -> int:
    """First start of a hall: make an admin account so someone can log in at all."""
    import secrets

    from sqlalchemy import func, select

    from kiosk.db import make_engine, make_sessionmaker, transaction
    from kiosk.hall import accounts
    from kiosk.migrate import upgrade
    from kiosk.models import User
    from kiosk.settings import get_settings

    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as s:
        if s.scalar(select(func.count()).select_from(User)):
            return 0
        password = os.environ.get("KIOSK_ADMIN_PASSWORD") or secrets.token_urlsafe(9)
        accounts.create_user(s, "admin", "admin", password)
    print(f"created the first account: admin / {password}  (note it; add staff with create-user)")
    return 0


def _serve(_args) -> int:
    from kiosk.serve import run
    from kiosk.settings import get_settings

    run(get_settings())
    return 0


def _purge(_args) -> int:
    from kiosk.db import make_engine, make_sessionmaker, transaction
    from kiosk.hall import snapshots
    from kiosk.settings import get_settings

    settings = get_settings()
    with transaction(make_sessionmaker(make_engine(settings.database_url))) as s:
        n = snapshots.purge(s, settings.snapshot_days)
    print(f"deleted {n} snapshots older than {settings.snapshot_days} days")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("agent", "calibrate"):
        from kiosk.agent import cli

        return cli.main(argv[1:]) if argv[0] == "agent" else cli.calibrate_main(argv[1:])
    if argv and argv[0] == "announcer":
        from kiosk.speech import announcer

        return announcer.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m kiosk")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the hall server").set_defaults(run=_serve)
    user = sub.add_parser("create-user", help="create a staff account and print its API token")
    user.add_argument("name")
    user.add_argument("--role", required=True, choices=["guide", "counter", "supervisor", "admin"])
    user.set_defaults(run=_create_user)
    sub.add_parser("ensure-admin", help="create an admin account if there is no account yet").set_defaults(
        run=_ensure_admin
    )
    sub.add_parser("purge-snapshots", help="delete snapshots past their retention").set_defaults(run=_purge)
    sub.add_parser("agent", help="run the camera agent (see `python -m kiosk agent --help`)")
    sub.add_parser("calibrate", help="calibrate the camera distance (see its --help)")
    sub.add_parser("announcer", help="speak the display's calls (see its --help)")
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
