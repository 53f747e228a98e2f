/* The elderly mode (老年模式), switched on the screen: larger text, slower speech, every reply read
 * aloud, fewer choices per screen. This file keeps the switch and the page's look (html.elderly);
 * the screen asks `KioskElderly.on` where it decides what to read, how fast, and how many choices
 * to show. `?elderly=1` in the kiosk's address makes it the kiosk's starting point.
 */
(function () {
  'use strict';

  const button = document.getElementById('elderly');
  const initial = document.body.dataset.elderly === '1';
  const listeners = [];
  let on = false;

  function set(next) {
    on = !!next;
    document.documentElement.classList.toggle('elderly', on);  // rem-sized: the root's type grows
    button.setAttribute('aria-pressed', String(on));
    listeners.forEach((f) => f(on));
  }

  button.addEventListener('click', () => set(!on));
  set(initial);

  window.KioskElderly = {
    get on() { return on; },
    MAX_CHOICES: 3,          // the assistant's buttons shown at once ("更多业务" has the rest)
    reset() { if (on !== initial) set(initial); },  // the next customer starts as the kiosk is set up
    onChange(f) { listeners.push(f); },
  };
})();
