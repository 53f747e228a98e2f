"""The one translation layer: every string a customer or staff member reads, zh-CN first.

Catalogues are YAML files in `catalog/`, one per part of the product, each
mapping a message id to its `zh` and `en` text (with `{name}` placeholders).
Python code calls `t(id, lang, **values)`; templates get the same `t`; pages'
scripts fetch `/i18n/<lang>.json`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from kiosk import yamlfile

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
CATALOG_DIR = Path(__file__).resolve().parent / "catalog"


class MissingMessage(KeyError):
    pass


@lru_cache
def catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOG_DIR.glob("*.yml")):
        for key, texts in (yamlfile.read(path) or {}).items():
            if key in merged:
                raise ValueError(f"message {key!r} defined twice ({path.name})")
            if not isinstance(texts, dict) or set(texts) != set(LANGUAGES):
                raise ValueError(f"message {key!r} in {path.name} needs exactly zh and en")
            merged[key] = texts
    return merged


def language(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT


def t(key: str, lang: str | None = None, **values) -> str:
    texts = catalog().get(key)
    if texts is None:
        raise MissingMessage(key)
    text = texts[language(lang)]
    return text.format(**values) if values else text


def bundle(lang: str) -> dict[str, str]:
    """All messages in one language, for the pages' scripts."""
    lang = language(lang)
    return {key: texts[lang] for key, texts in catalog().items()}
