"""The training examples under nlu/ as (text, intent) pairs (PyYAML only, no Rasa).

Read by the fast intent CV (assistant/scripts/intent_cv.py) and the quality
bench's baseline (bench/triage_quality.py), so both see what Rasa trains on.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

# Rasa entity markup in training lines: [text](entity) or [text]{"entity": ...}
_ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def load_nlu_examples(nlu_dir: Path) -> list[tuple[str, str]]:
    """Every example of every `- intent:` block under `nlu_dir`, entity markup removed."""
    pairs: list[tuple[str, str]] = []
    for path in sorted(nlu_dir.rglob("*.yml")) + sorted(nlu_dir.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if not isinstance(block, dict) or "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if not line.startswith("- "):
                    continue
                text = _ENTITY_MARKUP.sub(r"\1", line[2:].strip())
                if text:
                    pairs.append((text, block["intent"]))
    return pairs
