"""Command line: `python -m kiosk serve | create-user | add-device | list-devices | revoke-device |
backup | restore | purge-snapshots | agent | calibrate | announcer`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys


def _sessions():
    """The hall database, migrated, for a command."""
    from kiosk.db import make_engine, make_sessionmaker
    from kiosk.migrate import upgrade
    from kiosk.settings import get_settings

    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    return make_sessionmaker(engine)


def _create_user(args) -> int:
    from kiosk.db import transaction
    from kiosk.hall import accounts, duty, seed, taxonomy
    from kiosk.hall.context import Hall
    from kiosk.settings import get_settings

    password = os.environ.get("KIOSK_USER_PASSWORD") or getpass.getpass(f"password for {args.name}: ")
    settings = get_settings()
    with transaction(_sessions()) as s:
        staff = None
        if args.staff:
            # the roster comes from config/hall.yml, also before the hall has first started
            seed.apply(
                s,
                Hall(taxonomy=taxonomy.load(settings.business_types_file)),
                seed.read_plan(settings.hall_file),
            )
            staff = duty.by_name(s, args.staff)
        user, token = accounts.create_user(s, args.name, args.role, password, staff=staff)
    print(f"created {user.username} ({user.role})" + (f" at the desk of {staff.name}" if staff else ""))
    print(f"API token (shown once): {token}")
    return 0


def _add_device(args) -> int:
    from kiosk.db import transaction
    from kiosk.hall import devices

    with transaction(_sessions()) as s:
        device, token = devices.add(s, args.name, args.kind)
    print(f"added {device.kind} {device.name}")
    print(f"device token (shown once): {token}")
    return 0


def _list_devices(_args) -> int:
    from kiosk.hall import devices

    with _sessions()() as s:
        for d in devices.listing(s):
            state = f"revoked {d.revoked_at:%Y-%m-%d %H:%M}" if d.revoked_at else "active"
            print(f"{d.name:<24} {d.kind:<11} added {d.created_at:%Y-%m-%d %H:%M}  {state}")
    return 0


def _revoke_device(args) -> int:
    from kiosk.db import transaction
    from kiosk.hall import audit, devices

    with transaction(_sessions()) as s:
        for d in devices.revoke(s, args.name, args.kind):
            audit.log(s, "command line", "device.revoke", f"device:{d.kind}:{d.name}")
            print(f"revoked {d.kind} {d.name}")
    return 0


def _ensure_admin(_args) -> int:
    """First start of a hall: make an admin account so someone can log in at all."""
    import secrets

    from sqlalchemy import func, select

    from kiosk.db import transaction
    from kiosk.hall import accounts
    from kiosk.models import User

    with transaction(_sessions()) as s:
        if s.scalar(select(func.count()).select_from(User)):
            return 0
        password = os.environ.get("KIOSK_ADMIN_PASSWORD") or secrets.token_urlsafe(9)
        accounts.create_user(s, "admin", "admin", password)
    print(f"created the first account: admin / {password}  (note it; add staff with create-user)")
    return 0


def _backup(args) -> int:
    from pathlib import Path

    from kiosk import backup, clock
    from kiosk.settings import get_settings

    settings = get_settings()
    keep = args.keep or settings.backup_keep
    made, deleted = backup.backup(settings.database_url, Path(args.file), clock.now(), keep)
    print(f"backed up the hall database to {made}")
    for old in deleted:
        print(f"deleted the old backup {old} (keeping {keep})")
    return 0


def _restore(args) -> int:
    from pathlib import Path

    from kiosk import backup
    from kiosk.settings import get_settings

    dest = backup.restore(get_settings().database_url, Path(args.file))
    _sessions()  # a backup from an older release gets this release's migrations
    print(f"restored {args.file} into {dest}")
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
    from kiosk.hall.accounts import ROLES
    from kiosk.hall.devices import KINDS

    user = sub.add_parser("create-user", help="create a staff account and print its API token")
    user.add_argument("name")
    user.add_argument("--role", required=True, choices=ROLES)
    user.add_argument("--staff", help="backoffice: the person's name in the duty roster (config/hall.yml)")
    user.set_defaults(run=_create_user)
    device = sub.add_parser("add-device", help="register a device and print its token (shown once)")
    device.add_argument("name", help="its kiosk or position, e.g. kiosk-1 (a kiosk and its agent share it)")
    device.add_argument("--kind", required=True, choices=KINDS)
    device.set_defaults(run=_add_device)
    sub.add_parser("list-devices", help="the registered devices").set_defaults(run=_list_devices)
    revoke = sub.add_parser("revoke-device", help="revoke a device's token at once")
    revoke.add_argument("name")
    revoke.add_argument("--kind", choices=KINDS, help="only this kind (default: every kind of that name)")
    revoke.set_defaults(run=_revoke_device)
    save = sub.add_parser(
        "backup", help="copy the database while the hall serves (SQLite; PostgreSQL: pg_dump)"
    )
    save.add_argument("file", help="the backup file, or a folder for dated backups of which --keep stay")
    save.add_argument("--keep", type=int, help="backups kept in the folder (default KIOSK_BACKUP_KEEP)")
    save.set_defaults(run=_backup)
    load = sub.add_parser("restore", help="copy a backup over the database (stop the hall first)")
    load.add_argument("file")
    load.set_defaults(run=_restore)
    sub.add_parser("ensure-admin", help="create an admin account if there is no account yet").set_defaults(
        run=_ensure_admin
    )
    sub.add_parser("purge-snapshots", help="delete snapshots past their retention").set_defaults(run=_purge)
    sub.add_parser("agent", help="run the camera agent (see `python -m kiosk agent --help`)")
    sub.add_parser("calibrate", help="calibrate the camera distance (see its --help)")
    sub.add_parser("announcer", help="speak the display's calls (see its --help)")
    args = parser.parse_args(argv)
    from pydantic import ValidationError

    from kiosk.backup import BackupError
    from kiosk.hall.errors import HallError

    try:
        return args.run(args)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:  # a setting (KIOSK_*) is wrong: say which, without a traceback
        for error in exc.errors():
            print(f"error: {error['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    except HallError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
