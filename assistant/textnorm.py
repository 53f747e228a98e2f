"""Digit, phone-number and booking-code normalization shared by the actions (no Rasa imports)."""

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


# what people say around the code: "预约码是 K7QX2M", "my code is k7qx2m"
CODE_WORDS = re.compile(r"预约码|签到码|我的|是|为|\b(?:my|booking|appointment|code|is|it's)\b", re.I)
CODE = re.compile(r"^[A-Z0-9]{4,12}$")


def read_code(value: str) -> str | None:
    """'预约码是 k7qx2m' -> 'code:K7QX2M', '138 1234 5678' -> 'phone:13812345678'; None when neither."""
    phone = extract_phone(value)
    if phone:
        return f"phone:{phone}"
    code = re.sub(r"[^A-Za-z0-9]", "", CODE_WORDS.sub(" ", normalize_digits(value))).upper()
    return f"code:{code}" if CODE.match(code) else None
