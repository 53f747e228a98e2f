"""The business types a customer can come for, their routes, queues and materials."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

ROUTES = ("counter", "self_service", "back_office", "other_department")


class TaxonomyError(ValueError):
    pass


@dataclass(frozen=True)
class BusinessType:
    id: str
    zh: str
    en: str
    route: str
    queue: str
    materials_zh: tuple[str, ...]
    materials_en: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "zh": self.zh,
            "en": self.en,
            "route": self.route,
            "queue": self.queue,
            "materials": {"zh": list(self.materials_zh), "en": list(self.materials_en)},
        }


@dataclass(frozen=True)
class Taxonomy:
    types: dict[str, BusinessType]
    queues: dict[str, dict[str, str]]

    def get(self, type_id: str) -> BusinessType | None:
        return self.types.get(type_id)

    def queue_of(self, type_id: str) -> str:
        return self.types[type_id].queue


def load(path: Path) -> Taxonomy:
    """Read and check the taxonomy file; a bad file fails here with a message, not later."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
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
        types[tid] = BusinessType(
            id=tid,
            zh=entry["zh"],
            en=entry["en"],
            route=entry["route"],
            queue=entry["queue"],
            materials_zh=tuple(materials.get("zh", ())),
            materials_en=tuple(materials.get("en", ())),
        )
    if not types:
        raise TaxonomyError(f"{path}: no business types")
    return Taxonomy(types=types, queues=queues)
