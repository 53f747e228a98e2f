"""Phone and digit normalization used by the form validation (pure Python, no Rasa)."""
import pytest

from assistant.textnorm import ACCOUNT_NUMBER_RE, PHONE_RE, extract_phone


@pytest.mark.parametrize("text,phone", [
    ("13812345678", "13812345678"),
    ("我的电话是13812345678谢谢", "13812345678"),      # no \b between ideographs
    ("电话：138-1234-5678", "13812345678"),
    ("+86 139 1234 5678", "13912345678"),
    ("１３８１２３４５６７８", "13812345678"),           # full-width digits
    ("138123", None),
    ("12812345678", None),                               # no mobile starts with 12
    ("138123456789", None),                              # 12 digits
    ("13812345678 或 13912345678", None),                # two numbers: ask again
])
def test_extract_phone(text, phone):
    assert extract_phone(text) == phone


def test_regexes_work_inside_chinese_text():
    assert PHONE_RE.search("电话13812345678好的").group() == "13812345678"
    assert ACCOUNT_NUMBER_RE.search("户号3301234567的电费").group() == "3301234567"
    assert ACCOUNT_NUMBER_RE.search("13812345678") is None   # a phone is not an account number
