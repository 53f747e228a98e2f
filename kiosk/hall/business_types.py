"""An operator's edit of a business type: the YAML file (the source of truth) rewritten whole or not at all, audited."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from kiosk import yamlfile
from kiosk.hall import audit, taxonomy
from kiosk.hall.errors import Invalid, NotFound


def edit(s: Session, path: Path, type_id: str, changes: dict[str, Any], *, actor: str) -> taxonomy.Taxonomy:
    """Apply the changes to one business type in the file; a result that does not load is refused
    (invalid_taxonomy) and the file is left as it was. Returns the taxonomy as now written."""
    text = path.read_text(encoding="utf-8")
    raw = yamlfile.parse(text)
    entry = next((e for e in raw.get("business_types", []) if e.get("id") == type_id), None)
    if entry is None:
        raise NotFound(f"unknown business type {type_id!r}", code="unknown_business_type")
    before = {k: entry.get(k) for k in changes}
    entry.update(changes)
    header = ""
    for line in text.splitlines(keepends=True):  # keep the file's opening comment
        if not line.startswith("#"):
            break
        header += line
    new_text = header + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=200)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".yml.tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(new_text)
    try:
        fresh = taxonomy.load(Path(tmp))
    except taxonomy.TaxonomyError as exc:
        os.unlink(tmp)
        raise Invalid(str(exc), code="invalid_taxonomy") from None
    os.replace(tmp, path)
    audit.log(
        s, actor, "business_type.update", f"business_type:{type_id}", before=before, after=dict(changes)
    )
    return fresh
