/* The business menu: every business type under its group (config/business_types.yml, served by
 * GET /api/business-types), so that each one is reachable by taps alone.
 *   flat:  each group's heading over its business types, all on one screen (one tap from "More");
 *   drill: the groups first, then one group's business types (the elderly mode: fewer choices per
 *          screen; two taps from "More").
 * The screen makes the business-type buttons (`button({title, payload})`), so a tap here is a tap
 * there; this file only arranges them. Text goes in with textContent only.
 */
(function () {
  'use strict';

  // Chinese: the full name (电费缴纳); English: the short one ("Pay a bill"), the full English
  // names being descriptions rather than button labels.
  function label(bt, lang) {
    return lang === 'zh' ? bt.zh : ((bt.short && bt.short.en) || bt.en);
  }

  function node(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function plainButton(cls, text, onClick) {
    const b = node('button', cls, text);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  }

  function typeButtons(group, o) {
    const grid = node('div', 'menu-grid');
    group.types.forEach((id) => {
      const bt = o.types[id];
      if (bt) grid.appendChild(o.button({title: label(bt, o.lang), payload: '/' + bt.id}));
    });
    return grid;
  }

  /* Fill `box` with the menu. o: {groups, types (by id), lang, drill, button(b) -> Element,
   * extra: [{title, payload}] shown after the groups, back: the label of "back to the groups",
   * focus: move the focus into what is shown (a keyboard user opened it)}. */
  function render(box, o) {
    const extras = () => (o.extra || []).map((b) => o.button(b));
    const show = (children, focusFirst) => {
      box.replaceChildren(...children);
      if (focusFirst) {
        const first = box.querySelector('button:not([disabled])');
        if (first) first.focus();
      }
    };
    function groups(focusFirst) {
      if (!o.drill) {
        const parts = [];
        o.groups.forEach((g) => {
          const section = node('section', 'menu-group');
          section.dataset.group = g.id;
          section.append(node('h3', 'menu-heading', g[o.lang] || g.zh), typeButtons(g, o));
          parts.push(section);
        });
        const more = extras();
        if (more.length) {
          const grid = node('div', 'menu-grid menu-extra');
          grid.append(...more);
          parts.push(grid);
        }
        show(parts, focusFirst);
        return;
      }
      const grid = node('div', 'menu-grid');
      o.groups.forEach((g) => {
        const b = plainButton('choice group', g[o.lang] || g.zh, () => oneGroup(g));
        b.dataset.group = g.id;
        grid.appendChild(b);
      });
      grid.append(...extras());
      show([grid], focusFirst);
    }
    function oneGroup(g) {
      const section = node('section', 'menu-group');
      section.dataset.group = g.id;
      section.append(node('h3', 'menu-heading', g[o.lang] || g.zh), typeButtons(g, o),
                     plainButton('choice back', o.back, () => groups(true)));
      show([section], true);
    }
    groups(!!o.focus);
  }

  window.KioskMenu = {render, label};
})();
