"""Cleaning what customers and staff type: phone numbers, names, free text."""

from __future__ import annotations

import re
import unicodedata

from kiosk.hall import masking
from kiosk.hall.errors import Invalid

PHONE = re.compile(r"1[3-9]\d{9}")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}


def has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in _CONTROL and ch not in "\n\t" for ch in text)


def mobile(raw: str) -> str:
    """A mainland mobile number, read by masking's normaliser (full-width digits, spaces, dashes, +86)."""
    text = masking.national(raw)
    typed = re.sub(masking.SEPARATOR, "", unicodedata.normalize("NFKC", raw or ""))
    if not re.fullmatch(r"\+?\d+", typed) or not PHONE.fullmatch(text):
        raise Invalid("not a mainland mobile number (11 digits starting 13–19)", code="invalid_phone")
    return text


def person_name(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text or len(text) > 40 or has_control(text) or any(c in text for c in "<>{}"):
        raise Invalid("a name is 1–40 characters without control characters or markup", code="invalid_name")
    return text


def free_text(raw: str, limit: int = 500) -> str:
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(ch for ch in text if not (unicodedata.category(ch) in _CONTROL and ch not in "\n\t"))
    if len(text) > limit:
        raise Invalid(f"text longer than {limit} characters", code="text_too_long")
    return text.strip()
