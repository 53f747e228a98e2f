"""The operator's API: edit a business type (config/business_types.yml is the source of truth), and every worker
picks the edit up."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from apiflask import APIBlueprint, Schema
from apiflask.fields import List, Nested, String
from apiflask.validators import Length, OneOf, Regexp
from flask import current_app

from kiosk.hall import business_types, taxonomy
from kiosk.web.api import answers
from kiosk.web.api.common import commit
from kiosk.web.auth import caller, require
from kiosk.web.database import db

bp = APIBlueprint("business_types", __name__, tag="Operator")


class MaterialsIn(Schema):
    zh = List(String(validate=Length(1, 200)), validate=Length(0, 20))
    en = List(String(validate=Length(1, 200)), validate=Length(0, 20))


class BusinessTypeIn(Schema):
    zh = String(validate=Length(1, 40))
    en = String(validate=Length(1, 120))
    route = String(validate=OneOf(list(taxonomy.ROUTES)))
    queue = String(validate=Regexp(r"^[A-Z]{1,4}$"))
    materials = Nested(MaterialsIn)


def _taxonomy_file() -> Path:
    return Path(current_app.extensions["settings"].business_types_file)


@bp.put("/api/business-types/<type_id>")
@bp.output(answers.BusinessType)
@require("admin")
@bp.input(BusinessTypeIn, arg_name="body")
def edit_business_type(type_id: str, body):
    path = _taxonomy_file()
    fresh = business_types.edit(db(), path, type_id, body, actor=caller().name)
    _swap_taxonomy(fresh, path.stat().st_mtime_ns)
    return commit(fresh.types[type_id].as_dict())


def _swap_taxonomy(fresh: taxonomy.Taxonomy, mtime: int) -> None:
    current_app.extensions["hall"] = dataclasses.replace(current_app.extensions["hall"], taxonomy=fresh)
    current_app.extensions["taxonomy_mtime"] = mtime


@bp.before_app_request
def _reload_taxonomy_if_edited():
    """Another worker process may have rewritten the file: pick the edit up here too.

    Looked at no more than once a second, not on every request.
    """
    app = current_app
    now = time.monotonic()
    if now - app.extensions.get("taxonomy_checked_at", -1.0) < 1.0:
        return
    app.extensions["taxonomy_checked_at"] = now
    try:
        mtime = _taxonomy_file().stat().st_mtime_ns
    except OSError:
        return
    seen = app.extensions.setdefault("taxonomy_mtime", mtime)
    if mtime != seen:
        try:
            _swap_taxonomy(taxonomy.load(_taxonomy_file()), mtime)
        except taxonomy.TaxonomyError:
            app.extensions["taxonomy_mtime"] = mtime  # keep serving the last good one
