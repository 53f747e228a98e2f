"""Masking phone and ID numbers wherever staff read them."""

from __future__ import annotations

import re

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def phone(number: str) -> str:
    return f"{number[:3]}****{number[-4:]}" if len(number) >= 7 else "****"


def text(value: str) -> str:
    """Mask every ID-card and mobile number inside free text (dialog lines, notes)."""
    value = _ID.sub(lambda m: f"{m.group(1)}********{m.group(2)}", value)
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", value)
