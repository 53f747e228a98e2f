"""The hall facts the kiosk answers (config/faq.yml): each entry's keywords and its answer, zh and en."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from kiosk.i18n import LANGUAGES


class FaqError(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    id: str
    keywords: dict[str, tuple[str, ...]]
    answer: dict[str, str]


def load(path: Path) -> dict[str, Entry]:
    """The entries by id; a missing file is no entries, a bad one fails here with a message."""
    if not Path(path).exists():
        return {}
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise FaqError(f"cannot read {path}: {exc}") from exc
    entries: dict[str, Entry] = {}
    for item in raw.get("faq") or []:
        fid = item.get("id")
        answer = item.get("answer") or {}
        if not fid or fid in entries:
            raise FaqError(f"{path}: missing or repeated id {fid!r}")
        if any(not isinstance(answer.get(lang), str) or not answer[lang].strip() for lang in LANGUAGES):
            raise FaqError(f"{path}: {fid}: an answer in zh and en")
        keywords = item.get("keywords") or {}
        entries[fid] = Entry(
            id=fid,
            keywords={lang: tuple(str(k) for k in keywords.get(lang) or ()) for lang in LANGUAGES},
            answer={lang: answer[lang].strip() for lang in LANGUAGES},
        )
    return entries
