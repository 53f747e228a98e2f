"""Masking holds however a number is spelled: full-width digits, spaces and dashes of any kind, +86/0086."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.hall import masking, validation

digit = st.sampled_from("0123456789")
SEPARATORS = [" ", "\u3000", "\t", "-", "\uff0d", "\u2014", "\u2010", "\u2212", "\ufe63"]
AROUND = st.text(alphabet=st.sampled_from("我的电话号码身份证卡户是，。：谢谢请 abcXYZ"), max_size=12)


def digits(n: int, first: str = "0123456789"):
    return st.tuples(st.sampled_from(first), st.lists(digit, min_size=n - 1, max_size=n - 1)).map(
        lambda t: t[0] + "".join(t[1]))


mobiles = st.tuples(st.sampled_from("3456789"), digits(9)).map(lambda t: "1" + t[0] + t[1])
id18 = st.tuples(digits(17, "12345678"), st.sampled_from("0123456789X")).map("".join)
id15 = digits(15, "12345678")
cards = st.integers(16, 19).flatmap(lambda n: digits(n, "3456"))
accounts = st.integers(10, 14).flatmap(lambda n: digits(n, "123456789"))


def visible_digits(number: str, after: str = "") -> int:
    """How many digits the masked form may show: a mobile's first 3 and last 4, an ID-length number's
    first 6 and last 4 (an 18-digit card, or 17 digits followed by the letter X, looks like an ID
    card), else the last 4."""
    if re.fullmatch(r"1[3-9]\d{9}", number):
        return 7
    looks_like_id = len(number) in (15, 18) or (len(number) == 17 and after.startswith("X"))
    return 10 if looks_like_id else 4


@st.composite
def spelled(draw, number: str, prefixes=("",)) -> str:
    """`number` as a customer might type or say it: some digits full-width, separators between some."""
    out = draw(st.sampled_from(prefixes))
    for i, ch in enumerate(number):
        if i and draw(st.integers(0, 3)) == 0:
            out += draw(st.sampled_from(SEPARATORS))
        wide = draw(st.booleans())
        out += chr(ord(ch) - ord("0") + 0xFF10) if wide and ch.isdigit() else ch
    return out


PHONE_PREFIXES = ("", "+86", "+86 ", "0086", "0086-", "\uff0b\uff18\uff16 ", "86")
numbers = st.one_of(
    mobiles.flatmap(lambda n: st.tuples(st.just(n), spelled(n, PHONE_PREFIXES), st.just("mobile"))),
    st.one_of(id18, id15).flatmap(lambda n: st.tuples(st.just(n), spelled(n), st.just("id"))),
    st.one_of(cards, accounts).flatmap(lambda n: st.tuples(st.just(n), spelled(n), st.just("other"))),
)


@settings(max_examples=400)
@given(numbers, AROUND, AROUND)
def test_no_number_is_readable_however_spelled(found, before, after):
    number, written, _kind = found
    masked = masking.text(f"{before}{written}{after}")
    visible = masking.normalize(re.sub(r"[a-zA-Z]", "", masked.replace(before, "", 1)))
    assert number.rstrip("X") not in visible.rstrip("X")
    assert len(visible.rstrip("X")) <= visible_digits(number, after)
    assert masking.text(masked) == masked  # masking twice changes nothing more


@settings(max_examples=200)
@given(mobiles.flatmap(lambda n: st.tuples(st.just(n), spelled(n, PHONE_PREFIXES))))
def test_a_mobile_spelled_any_way_is_read_as_that_mobile(found):
    number, written = found
    assert validation.mobile(written) == number
    assert masking.phone(written) == f"{number[:3]}****{number[-4:]}"


def test_a_number_before_the_letter_x_is_not_taken_for_an_id_card():
    """Found by the property test: 14 digits then "X" read as a 15-character ID card showed 9 digits."""
    assert masking.text("卡号12345678901234 X谢谢") == "卡号**********1234X谢谢"
    assert masking.text("110101800101123") == "110101*****1123"  # a real 15-digit ID card


def test_seventeen_digits_and_an_x_are_masked_as_an_id_card():
    """Found by the property test: a 17-digit number followed by X has an ID card's shape."""
    assert masking.text("30000000000000000X") == "300000********000X"


@given(st.sampled_from(["A012", "B105", "2026-11-26", "09:30", "2026-11-26T09:00:00+08:00", "3.5元", "第12号",
                        "123456789", "kiosk-1", "3f9a12345678abcdef"]), AROUND)
def test_short_numbers_and_codes_stay_as_they_are(value, around):
    assert masking.text(f"{around}{value}") == f"{around}{value}"


def test_deep_masks_every_string_and_long_integer_inside():
    data = {"text": "电话13812345678", "bot": ["卡号6222 0212 3456 7890"], "n": 12, "raw": 13812345678,
            "nested": {"id": "11010119900101123X"}}
    assert masking.deep(data) == {"text": "电话138****5678", "bot": ["卡号************7890"], "n": 12,
                                  "raw": "138****5678", "nested": {"id": "110101********123X"}}


SPELLINGS = {
    "13812345678": ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "１３８１２３４５６７８",
                    "＋８６ １３８－１２３４－５６７８", "138\u30001234\u30005678"],
    "11010119900101123X": ["11010119900101123X", "110101 19900101 123x", "１１０１０１１９９００１０１１２３Ｘ"],
    "110101900101123": ["110101900101123", "110101-900101-123"],
    "6222021234567890123": ["6222 0212 3456 7890 123", "6222-0212-3456-7890-123"],
    "3100123456": ["户号3100123456", "31 0012 3456"],
}


def leaks(number: str, text: str) -> bool:
    """Whether the digits masking hides of `number` stand in `text`, however spelled."""
    shown_first = {7: 3, 10: 6, 4: 0}[visible_digits(number)]
    middle = number[shown_first:-4]
    one = lambda d: f"(?:{d}|{chr(ord(d) - ord('0') + 0xFF10)})"  # noqa: E731
    return re.search(f"{masking.SEPARATOR}?".join(one(d) for d in middle), text) is not None


def test_a_supervisors_timeline_shows_no_number_spelled_any_way(app, client, device, staff):
    from tests.staff.test_login import _login

    session = client.post("/api/kiosk/sessions", json={}, headers=device).json  # menu: no assistant here
    for numbers in SPELLINGS.values():
        for written in numbers:
            said = client.post(f"/api/kiosk/sessions/{session['id']}/messages",
                               json={"text": f"我的号码是{written}，谢谢"}, headers=device)
            assert said.status_code == 200
    alert = client.post("/api/guide-alerts", headers=device, json={
        "reason": "complaint", "session_id": session["id"], "text": " / ".join(SPELLINGS["13812345678"])})
    assert alert.status_code == 201
    with app.extensions["sessions"]() as s, s.begin():
        from kiosk.hall import accounts

        accounts.create_user(s, "sup-m", "supervisor", "password-123")
    app.config["WTF_CSRF_ENABLED"] = True
    assert _login(client, "sup-m").status_code == 302
    read = {
        "timeline": client.get(f"/api/visits/{session['visit_id']}", headers=staff("supervisor")).text,
        "page": client.get(f"/staff/review/visits/{session['visit_id']}").text,
        "alerts": client.get("/api/guide-alerts", headers=staff("guide")).text,
        "audit": client.get("/api/audit", headers=staff("supervisor")).text,
    }
    assert "我的号码是" in read["page"] and "我的号码是" in read["timeline"]
    assert "138****5678" in read["page"] and "138****5678" in read["alerts"]
    for number in SPELLINGS:
        for where, text in read.items():
            assert not leaks(number, text), (number, where)
