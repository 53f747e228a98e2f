"""The HTML pages: the kiosk screen, and the staff's tablet, counter, display and review.

Each audience has its own blueprint module here; `register` adds them all.
"""

from __future__ import annotations

from apiflask import APIBlueprint, APIFlask

from kiosk.i18n import bundle, language, t

i18n_bp = APIBlueprint("i18n", __name__, tag="Pages", enable_openapi=False)


@i18n_bp.get("/i18n/<lang>.json")
def messages(lang: str):
    return bundle(language(lang))


def register(app: APIFlask) -> None:
    app.jinja_env.globals["t"] = t
    app.register_blueprint(i18n_bp)
    for module in _page_modules():
        app.register_blueprint(module.bp)


def _page_modules() -> list:
    from importlib import import_module

    return [
        import_module(f"kiosk.web.pages.{name}")
        for name in (
            # one line per audience's module
            "kiosk_screen",
            "staff_auth",
            "staff_guide",
            "staff_desk",
            "staff_counter",
            "staff_display",
            "staff_review",
            "staff_scorecards",
            "staff_cases",
        )
    ]
