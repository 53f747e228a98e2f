"""The custom actions' texts in Chinese and English (the fixed replies are in domain.yml)."""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    # {name}: the business type's short name (config/business_types.yml); in English a phrase
    # such as "pay a bill" that reads after "to"
    "confirm_business": {
        "zh": "您是要办理「{name}」吗？",
        "en": "You'd like to {name}, is that right?",
    },
    "yes": {"zh": "对，是的", "en": "Yes"},
    "no": {"zh": "不对", "en": "No"},
    "clarify": {
        "zh": "不好意思，我想确认一下，您要办理的是下面哪一项？",
        "en": "Sorry, just to be sure: which of these do you need?",
    },
    "clarify_none": {
        "zh": "都不是，找工作人员",
        "en": "None of these, talk to staff",
    },
    "clarify_open": {
        "zh": "不好意思，我没听明白。能再说说您要办理什么业务吗？",
        "en": "Sorry, I didn't quite get that. Could you tell me which service you need?",
    },
    "ask_person_name": {
        "zh": "请问您怎么称呼？",
        "en": "May I have your name?",
    },
    "ask_phone": {
        "zh": "请输入您的手机号，方便工作人员联系您。",
        "en": "Please enter your mobile number so that staff can reach you.",
    },
    "bad_phone": {
        "zh": "这个号码好像不对，请输入 11 位手机号，例如 13812345678。",
        "en": "That number doesn't look right. Please enter an 11-digit mobile number, e.g. 13812345678.",
    },
    "bad_name": {
        "zh": "不好意思，没听清您的称呼，请再说一下您的姓名。",
        "en": "Sorry, I didn't get your name. Could you say it again?",
    },
    "ask_slot": {
        "zh": "请选择一个方便的时间：",
        "en": "Please choose a time that suits you:",
    },
    "bad_slot": {
        "zh": "这个时间没有空位了，请从下面的时间里选一个。",
        "en": "That time isn't available. Please pick one of these.",
    },
    "no_slots": {
        "zh": "近几天的预约已满，我已请引导员过来为您安排，请稍等。",
        "en": "There are no free times in the next days. A guide is on the way to help you.",
    },
    "appointment": {
        "zh": "预约成功：{when}，预约码 {code}。工作人员会联系您的手机 {phone}。",
        "en": "Booked for {when}, code {code}. Staff will contact you at {phone}.",
    },
    "slot_taken": {
        "zh": "不好意思，这个时间刚刚被约满了，请换一个时间。",
        "en": "Sorry, that time was just taken. Please choose another.",
    },
    "form_cancelled": {
        "zh": "好的，已取消。还需要帮忙可以随时找引导员。",
        "en": "All right, cancelled. A guide is around if you need help.",
    },
    "system_trouble": {
        "zh": "系统暂时出了点问题，我已请引导员过来帮您，请稍等。",
        "en": "Something went wrong on our side. A guide is on the way to help you.",
    },
    "ask_code": {
        "zh": "请输入您的预约码（6 位字母和数字），或者预约时留的手机号。",
        "en": "Please enter your booking code (6 letters and digits), or the mobile number you booked with.",
    },
    "bad_code": {
        "zh": "这不像预约码或手机号。预约码是 6 位字母和数字，例如 K7QX2M；也可以输入 11 位手机号。",
        "en": "That isn't a booking code or a mobile number. A code has 6 letters and digits, e.g. K7QX2M; "
        "or enter your 11-digit mobile number.",
    },
    "weekday": {"zh": "一二三四五六日", "en": "Mon Tue Wed Thu Fri Sat Sun"},
}


def text(key: str, language: str | None, **values: Any) -> str:
    """The text for `key` in the customer's language (Chinese unless English was chosen)."""
    entry = TEXTS[key]
    template = entry["en"] if language == "en" else entry["zh"]
    return template.format(**values)
