"""Accessibility checks in the pages under test: axe-core, and what axe leaves to a person (targets, focus order).

axe-core comes from the npm registry, pinned with its integrity hash in
package.json / package-lock.json and installed by `make test` (`npm ci`);
it is put into the page under test from node_modules, never from a CDN.
Every run's violations, by impact, are kept under var/reports/axe/ and
printed (seen with pytest -s).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
REPORTS = ROOT / "var" / "reports" / "axe"
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = ("critical", "serious")
# WCAG 2.1 A and AA (AA contrast among them), and axe's best practices
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@lru_cache
def _source() -> str:
    if not AXE.exists():
        raise RuntimeError(f"{AXE.relative_to(ROOT)} is missing: run `npm ci` (make test does)")
    return AXE.read_text(encoding="utf-8")


def audit(page, name: str) -> dict:
    """Run axe on the page as it is now; returns {"violations": [...], "counts": {impact: n}}.

    The script is evaluated through the browser's debugging protocol, which the
    page's Content-Security-Policy (script-src 'self') does not govern.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    result = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
             .then((r) => r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary}))})))""",
        TAGS,
    )
    counts = {impact: sum(len(v["nodes"]) for v in result if v["impact"] == impact) for impact in IMPACTS}
    REPORTS.mkdir(parents=True, exist_ok=True)
    found = {"page": name, "url": page.url, "counts": counts, "violations": result}
    (REPORTS / f"{name}.json").write_text(json.dumps(found, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\n[axe {name}] {json.dumps(counts)}")
    return found


def blocking(found: dict) -> list[str]:
    """The serious and critical violations, one line each (empty: none)."""
    return [f"{v['impact']} {v['id']}: {v['help']} at {n['target']}"
            for v in found["violations"] if v["impact"] in BLOCKING for n in v["nodes"]]


def small_targets(page, minimum: float = 48.0) -> list[str]:
    """Visible buttons, links and fields smaller than minimum × minimum CSS pixels."""
    return page.evaluate(
        """(min) => Array.from(document.querySelectorAll('button, a[href], input, select, textarea, [role=button]'))
             .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
             .map((el) => ({el, r: el.getBoundingClientRect()}))
             .filter(({r}) => r.width < min - 0.5 || r.height < min - 0.5)
             .map(({el, r}) => `${el.tagName.toLowerCase()}#${el.id}.${el.className} "${(el.textContent || '').trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`)""",
        minimum,
    )


def focus_order(page, limit: int = 80) -> list[dict]:
    """Tab from the top of the page: the focused elements in order, with where each is laid out.

    `top`/`left` are layout positions, whatever has scrolled; an element inside a
    scrolling list also has `box` (the list's layout top) and `inner` (its place in the list).
    """
    page.evaluate("""() => { const start = document.createElement('span');
        start.id = '__focus_start'; start.tabIndex = -1; document.body.prepend(start); start.focus(); }""")
    seen: list[dict] = []
    try:
        for _ in range(limit):
            page.keyboard.press("Tab")
            info = page.evaluate(
                """() => { const el = document.activeElement;
                     if (!el || el === document.body || el.id === '__focus_start') return null;
                     const at = (node) => { let top = 0, left = 0;
                       for (let n = node; n; n = n.offsetParent) { top += n.offsetTop; left += n.offsetLeft; }
                       return {top, left}; };
                     let box = null, inner = 0;
                     for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) {
                       const o = getComputedStyle(n).overflowY;
                       if ((o === 'auto' || o === 'scroll') && n.scrollHeight > n.clientHeight) {
                         box = at(n).top;
                         inner = el.getBoundingClientRect().top - n.getBoundingClientRect().top + n.scrollTop;
                         break;
                       }
                     }
                     const {top, left} = at(el);
                     return {tag: el.tagName.toLowerCase(), id: el.id,
                             text: (el.textContent || el.value || '').trim().slice(0, 24),
                             top: box === null ? top : box, inner, left, height: el.offsetHeight,
                             width: el.offsetWidth,
                             key: el.id || el.outerHTML.slice(0, 80)}; }""")
            if info is None or (seen and info["key"] == seen[0]["key"]):
                break
            seen.append(info)
    finally:
        page.evaluate("() => document.getElementById('__focus_start')?.remove()")
    return seen


def out_of_order(order: list[dict]) -> list[str]:
    """Steps of the focus order that jump back up the page (reading order: rows top to bottom,
    left to right within a row; inside a scrolling list, the list's own order; a column ends
    before the one to its right starts)."""
    wrong = []
    for a, b in zip(order, order[1:]):
        a_top, b_top = a["top"] + a["inner"], b["top"] + b["inner"]
        if a["top"] != b["top"] and (a["inner"] or b["inner"]):  # into or out of a scrolling list
            a_top, b_top = a["top"], b["top"]
        same_row = abs(b_top - a_top) < max(a["height"], b["height"]) / 2
        next_column = b["left"] >= a["left"] + a["width"] - 1
        if (same_row and b["left"] < a["left"] - 1) or (not same_row and b_top < a_top and not next_column):
            wrong.append(f"{a['tag']}#{a['id']} '{a['text']}' -> {b['tag']}#{b['id']} '{b['text']}'")
    return wrong


def positive_tabindex(page) -> int:
    return page.evaluate("() => Array.from(document.querySelectorAll('[tabindex]')).filter((e) => e.tabIndex > 0).length")
