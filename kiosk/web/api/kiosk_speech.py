"""The kiosk screen asks for a dialog message to be read aloud, or for the reading to stop (its kiosk's token)."""

from __future__ import annotations

from apiflask import APIBlueprint, Schema
from apiflask.fields import String
from apiflask.validators import Length, OneOf

from kiosk.hall import read_aloud, validation
from kiosk.hall.errors import Invalid
from kiosk.web.api import answers
from kiosk.web.api.common import commit, kiosk_session
from kiosk.web.api.schemas import LANG
from kiosk.web.auth import require
from kiosk.web.database import db

bp = APIBlueprint("kiosk_speech", __name__, tag="Kiosk dialog")


class ReadAloudIn(Schema):
    text = String(required=True, validate=Length(1, 600))
    language = String(validate=LANG)
    pace = String(load_default="normal", validate=OneOf(list(read_aloud.PACES)))


@bp.post("/api/kiosk/sessions/<session_id>/read-aloud")
@bp.output(answers.ReadingAloud, status_code=202)
@require("kiosk")
@bp.input(ReadAloudIn, arg_name="body")
def read(session_id: str, body):
    """Read this text aloud on the session's kiosk (its agent's speaker), after anything it is saying."""
    kiosk = kiosk_session(session_id)
    text = validation.free_text(body["text"], limit=600).strip()
    if not text:
        raise Invalid("the text is empty", code="empty_text")
    language = body.get("language") or kiosk.language
    read_aloud.read(db(), kiosk.device_id, text, language, body["pace"])
    return commit({"device_id": kiosk.device_id, "language": language, "pace": body["pace"]}, 202)


@bp.post("/api/kiosk/sessions/<session_id>/hush")
@bp.output(answers.Hushed, status_code=202)
@require("kiosk")
def hush(session_id: str):
    """Stop reading aloud on the session's kiosk: the customer touched the screen."""
    kiosk = kiosk_session(session_id)
    read_aloud.hush(db(), kiosk.device_id)
    return commit({"device_id": kiosk.device_id}, 202)
