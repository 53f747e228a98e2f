"""The business types a customer can come for: routes, queues, materials, short names and groups."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from kiosk import yamlfile

ROUTES = ("counter", "self_service", "back_office", "other_department")


class TaxonomyError(ValueError):
    pass


def in_sentence(name: str, lang: str | None) -> str:
    """A short name inside an English sentence: 'Pay a bill' -> 'pay a bill' (only its first letter)."""
    return name[:1].lower() + name[1:] if lang == "en" else name


@dataclass(frozen=True)
class BusinessType:
    id: str
    zh: str
    en: str
    route: str
    queue: str
    materials_zh: tuple[str, ...]
    materials_en: tuple[str, ...]
    short_zh: str
    short_en: str

    def short(self, lang: str) -> str:
        return self.short_en if lang == "en" else self.short_zh

    def in_sentence(self, lang: str) -> str:
        """The short name as the hall's and the assistant's sentences use it."""
        return in_sentence(self.short(lang), lang)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "zh": self.zh,
            "en": self.en,
            "short": {"zh": self.short_zh, "en": self.short_en},
            "route": self.route,
            "queue": self.queue,
            "materials": {"zh": list(self.materials_zh), "en": list(self.materials_en)},
        }


@dataclass(frozen=True)
class Group:
    """A heading of the kiosk's "更多业务 / More" screen and the business types under it."""

    id: str
    zh: str
    en: str
    types: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"id": self.id, "zh": self.zh, "en": self.en, "types": list(self.types)}


@dataclass(frozen=True)
class Taxonomy:
    types: dict[str, BusinessType]
    queues: dict[str, dict[str, str]]
    groups: tuple[Group, ...]

    def get(self, type_id: str) -> BusinessType | None:
        return self.types.get(type_id)

    def queue_of(self, type_id: str) -> str:
        return self.types[type_id].queue


def load(path: Path) -> Taxonomy:
    """Read and check the taxonomy file; a bad file fails here with a message, not later."""
    try:
        raw = yamlfile.read(path)
    except (OSError, yaml.YAMLError) as exc:
        raise TaxonomyError(f"cannot read {path}: {exc}") from exc
    queues = {str(k): {"zh": v["zh"], "en": v["en"]} for k, v in raw.get("queues", {}).items()}
    types: dict[str, BusinessType] = {}
    for entry in raw.get("business_types", []):
        tid = entry.get("id")
        if not tid or tid in types:
            raise TaxonomyError(f"{path}: missing or repeated id {tid!r}")
        if entry.get("route") not in ROUTES:
            raise TaxonomyError(f"{path}: {tid}: route must be one of {ROUTES}")
        if entry.get("queue") not in queues:
            raise TaxonomyError(f"{path}: {tid}: unknown queue {entry.get('queue')!r}")
        materials = entry.get("materials") or {}
        short = entry.get("short") or {}
        if not (isinstance(short, dict) and short.get("zh") and short.get("en")):
            raise TaxonomyError(f"{path}: {tid}: needs a short name in zh and en (short: {{zh: …, en: …}})")
        types[tid] = BusinessType(
            id=tid,
            zh=entry["zh"],
            en=entry["en"],
            route=entry["route"],
            queue=entry["queue"],
            materials_zh=tuple(materials.get("zh", ())),
            materials_en=tuple(materials.get("en", ())),
            short_zh=str(short["zh"]),
            short_en=str(short["en"]),
        )
    if not types:
        raise TaxonomyError(f"{path}: no business types")
    return Taxonomy(types=types, queues=queues, groups=_groups(path, raw.get("groups") or [], types))


def _groups(path: Path, raw: list, types: dict[str, BusinessType]) -> tuple[Group, ...]:
    """The More screen's groups: each business type in exactly one, so every one can be reached by taps."""
    groups: list[Group] = []
    placed: dict[str, str] = {}
    for entry in raw:
        gid = entry.get("id") if isinstance(entry, dict) else None
        if not gid or not entry.get("zh") or not entry.get("en") or not entry.get("types"):
            raise TaxonomyError(f"{path}: group {gid!r} needs an id, zh, en and types")
        for tid in entry["types"]:
            if tid not in types:
                raise TaxonomyError(f"{path}: group {gid}: unknown business type {tid!r}")
            if tid in placed:
                raise TaxonomyError(f"{path}: {tid} is in groups {placed[tid]} and {gid}")
            placed[tid] = gid
        groups.append(Group(id=gid, zh=entry["zh"], en=entry["en"], types=tuple(entry["types"])))
    missing = [tid for tid in types if tid not in placed]
    if missing:
        raise TaxonomyError(f"{path}: in no group: {', '.join(missing)}")
    return tuple(groups)
