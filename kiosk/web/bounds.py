"""How much input the server takes: ids within PostgreSQL's integer, bounded offsets, JSON nested at most
32 deep, no NUL characters (PostgreSQL cannot store them).

Past these a request gets a 4xx, never a database error's 500. Every
`<int:…>` of a route is bounded here and every request checked, so routes
added later are too.
"""

from __future__ import annotations

import re

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from kiosk.hall.errors import HallError, Invalid

MAX_ID = 2**31 - 1  # the id columns are 32-bit integers on PostgreSQL
MAX_OFFSET = 10_000_000
MAX_JSON_DEPTH = 32


class BoundedInt(IntegerConverter):
    """`<int:…>` matches 0 to MAX_ID only: a larger id is no page (404), not an overflow."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def query_int(name: str, default: int | None, low: int = 0, high: int = MAX_OFFSET) -> int | None:
    """An integer query argument clamped to [low, high]; the default when absent or not a number."""
    value = request.args.get(name, type=int)
    return default if value is None else min(max(value, low), high)


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in a JSON text (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


_NUL_ESCAPE = re.compile(r"(?<!\\)\\u0000", re.IGNORECASE)


def _refuse_unstorable() -> None:
    form = request.mimetype == "application/x-www-form-urlencoded"
    if (
        "\x00" in request.path
        or b"%00" in request.query_string.lower()
        or (form and b"%00" in request.get_data(cache=True).lower())
    ):
        raise Invalid("NUL characters are not accepted", code="nul_character")
    if not request.is_json:
        return
    text = request.get_data(cache=True).decode("utf-8", errors="replace")
    if _NUL_ESCAPE.search(text):
        raise Invalid("NUL characters are not accepted", code="nul_character")
    # counting brackets first keeps the character walk off every ordinary body
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and json_depth(text) > MAX_JSON_DEPTH:
        raise HallError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", code="json_too_deep")


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt
    app.before_request(_refuse_unstorable)
