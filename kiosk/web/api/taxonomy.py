"""The business types with their routes, queues, materials, short names and the kiosk's groups."""

from __future__ import annotations

from apiflask import APIBlueprint

from kiosk.hall.errors import NotFound
from kiosk.web.api import answers
from kiosk.web.auth import public
from kiosk.web.database import hall

bp = APIBlueprint("taxonomy", __name__, tag="Business types")


@bp.get("/api/business-types")
@bp.output(answers.Taxonomy)
@public
def list_types():
    tax = hall().taxonomy
    return {
        "business_types": [bt.as_dict() for bt in tax.types.values()],
        "queues": tax.queues,
        "groups": [g.as_dict() for g in tax.groups],
    }


@bp.get("/api/business-types/<type_id>")
@bp.output(answers.BusinessType)
@public
def one_type(type_id: str):
    bt = hall().taxonomy.get(type_id)
    if bt is None:
        raise NotFound(f"unknown business type {type_id!r}", code="unknown_business_type")
    return bt.as_dict()
