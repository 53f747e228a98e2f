"""The app's database: engine, migrations at start, the hall's setup, a session per request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from kiosk.db import make_engine, make_numbering_engine, make_sessionmaker
from kiosk.hall import seed, taxonomy, utterance
from kiosk.hall.context import Hall
from kiosk.migrate import upgrade
from kiosk.settings import Settings


def init_app(app: Flask, settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    numbering = make_numbering_engine(engine)
    factory = make_sessionmaker(engine, numbering)
    plan = seed.read_plan(settings.hall_file) if settings.hall_file.exists() else {}
    hall = Hall(
        taxonomy=taxonomy.load(settings.business_types_file),
        tz=settings.timezone,
        default_service_min=settings.default_service_min,
        recent_services=settings.recent_services,
        reader=utterance.Reader.from_files(faq_file=settings.faq_file),
        **seed.hall_rules(plan),
    )
    if plan:
        with factory() as s, s.begin():
            seed.apply(s, hall, plan)
    app.extensions.update(engine=engine, numbering_engine=numbering, sessions=factory, hall=hall)
    app.teardown_appcontext(_close_session)


def dispose(app: Flask, close: bool = True) -> None:
    """Let go of the app's database connections (close=False after a fork: the parent owns them)."""
    for engine in (app.extensions["engine"], app.extensions["numbering_engine"]):
        if engine is not None:
            engine.dispose(close=close)


def db() -> Session:
    """This request's session; it commits only when a view says so."""
    if "db" not in g:
        g.db = current_app.extensions["sessions"]()
    return g.db


def hall() -> Hall:
    return current_app.extensions["hall"]


def release() -> None:
    """End this request's session early (a long-lived response must not hold SQLite's lock)."""
    _close_session(None)


def end_transaction() -> None:
    """End this request's transaction before a wait, holding no lock across it. The session stays
    the request's (`db()` and any reference to it go on with a fresh transaction); the objects it
    had loaded are detached, so load again what is needed after the wait."""
    if "db" in g:
        g.db.close()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
