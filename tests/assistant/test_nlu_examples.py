"""The training examples as the fast CV and the quality bench read them (PyYAML only, no Rasa)."""
from collections import Counter
from pathlib import Path

import yaml

from assistant.nlu_examples import load_nlu_examples

ROOT = Path(__file__).resolve().parents[2]


def test_entity_markup_is_removed_and_other_blocks_skipped(tmp_path):
    (tmp_path / "data.yml").write_text("""version: "3.1"
nlu:
- intent: inform
  examples: |
    - 我叫[张三](person_name)
    - 户号[0123456789]{"entity": "account_number"}
- regex: phone
  examples: |
    - 1[3-9]\\d{9}
- synonym: 电表
  examples: |
    - 电錶
""", encoding="utf-8")
    assert load_nlu_examples(tmp_path) == [("我叫张三", "inform"), ("户号0123456789", "inform")]


def test_every_business_type_has_forty_examples():
    """The issue's floor: at least 40 hand-written examples per business type."""
    types = [bt["id"] for bt in yaml.safe_load(
        (ROOT / "config" / "business_types.yml").read_text(encoding="utf-8"))["business_types"]]
    counts = Counter(intent for _, intent in load_nlu_examples(ROOT / "nlu"))
    assert len(types) == 19
    assert {t: counts[t] for t in types if counts[t] < 40} == {}
