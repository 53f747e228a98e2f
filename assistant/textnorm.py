"""Digit and phone-number normalization shared by the actions (no Rasa imports)."""

from __future__ import annotations

import re

# No \b: in Chinese text a number sits between ideographs, where \b never matches.
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ACCOUNT_NUMBER_RE = re.compile(r"(?<!\d)\d{10}(?!\d)")

_FULL_WIDTH_DIGITS = {ord("０") + i: ord("0") + i for i in range(10)}


def normalize_digits(value: str) -> str:
    """Full-width digits to ASCII (１３８ -> 138)."""
    return value.translate(_FULL_WIDTH_DIGITS)


def extract_phone(value: str) -> str | None:
    """The 11-digit mobile number in `value`, tolerating spaces, dashes and +86."""
    compact = re.sub(r"[\s\-－—()（）]", "", normalize_digits(value))
    compact = re.sub(r"^(\+?86)(?=1[3-9]\d{9}(?!\d))", "", compact)
    found = PHONE_RE.findall(compact)
    return found[0] if len(found) == 1 else None
