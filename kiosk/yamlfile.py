"""Reading the hall's YAML files: safe loading, by libyaml when PyYAML was built with it.

libyaml parses the catalogs and config files about five times faster than the
pure-Python loader (0.03 s against 0.17 s), which every server start and
`python -m kiosk` command pays. Errors are yaml.YAMLError either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)


def read(path: Path) -> Any:
    return parse(Path(path).read_text(encoding="utf-8"))
