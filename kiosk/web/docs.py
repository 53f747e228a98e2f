"""The API docs page (/docs) with swagger-ui's files from an installed package (the hall's LAN is offline), and
the OpenAPI document's last touch."""

from __future__ import annotations

import json
import re
from typing import Any

from apiflask import APIBlueprint, APIFlask
from flask import send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path

from kiosk.hall.errors import NotFound

bp = APIBlueprint("api_docs", __name__, enable_openapi=False)
_FILES = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"}


@bp.get("/docs/assets/<name>")
def asset(name: str):
    if name not in _FILES:
        raise NotFound(f"no file {name!r} in the API docs", code="not_found")
    return send_from_directory(str(swagger_ui_path), name, max_age=86400)


def one_component_per_schema(spec: dict[str, Any] | str) -> dict[str, Any] | str:
    """An answer used both on its own and inside another is registered twice by APIFlask ("Ticket",
    "Ticket1"): keep one name, so clients generate one type."""
    if isinstance(spec, str):  # the YAML form is made from the processed dict
        return spec
    schemas = spec.get("components", {}).get("schemas", {})
    twins = {}
    for name in list(schemas):
        first = re.sub(r"\d+$", "", name)
        if first != name and schemas.get(first) == schemas[name]:
            twins[name] = first
            del schemas[name]
    if not twins:
        return spec
    text = re.sub(
        r'"#/components/schemas/([A-Za-z0-9_]+)"',
        lambda m: f'"#/components/schemas/{twins.get(m.group(1), m.group(1))}"',
        json.dumps(spec),
    )
    return json.loads(text)


def init_app(app: APIFlask) -> None:
    app.register_blueprint(bp)
    app.spec_processor(one_component_per_schema)
    with app.test_request_context():
        app.config.update(
            SWAGGER_UI_CSS=url_for("api_docs.asset", name="swagger-ui.css"),
            SWAGGER_UI_BUNDLE_JS=url_for("api_docs.asset", name="swagger-ui-bundle.js"),
            SWAGGER_UI_STANDALONE_PRESET_JS=url_for("api_docs.asset", name="swagger-ui-standalone-preset.js"),
            DOCS_FAVICON=url_for("api_docs.asset", name="favicon-32x32.png"),
        )
