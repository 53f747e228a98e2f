/* The rating pad: a small tablet facing the customer at a counter. Dark until the counter finishes
 * a ticket, then it asks for a rating of that service (rating.js) and thanks the customer.
 * It asks the hall every POLL_MS what its counter offers: a pad lights up a few times an hour, and
 * a live stream would hold a server thread for each pad all day. Its token: device.js. */
(function () {
  'use strict';
  const body = document.body;
  const counter = Number(body.dataset.counter);
  const IDLE_MS = Number(body.dataset.idleS || 90) * 1000;
  const POLL_MS = 2000;
  const THANKS_MS = 6000;
  const TOKEN_KEY = 'pad.deviceToken';
  let lang = body.dataset.lang === 'en' ? 'en' : 'zh';
  let token = null;
  let shown = null;          // the ticket asked about
  let closed = new Set();    // tickets rated or given up on here
  let idleAt = 0;

  const tr = window.Device.translator(() => lang);

  function applyI18n() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = tr(el.dataset.i18n); });
    document.querySelectorAll('[data-set-lang]').forEach((el) => {
      el.setAttribute('aria-pressed', String(el.dataset.setLang === lang));
    });
    if (shown) showTicket(shown);
  }

  const api = (method, path, data) => window.Device.api(token, method, path, data);

  function setState(next) {
    body.dataset.state = next;
    if (next === 'idle') shown = null;
  }

  function showTicket(tk) {
    document.getElementById('ticket').textContent =
      tr('rate.ticket', {counter: document.getElementById('counter-name').textContent, number: tk.number});
  }

  function ask(tk) {
    shown = tk;
    form.reset();
    if (window.Device.has(tk.language) && tk.language !== lang) { lang = tk.language; applyI18n(); }
    showTicket(tk);
    idleAt = Date.now() + IDLE_MS;
    setState('ask');
  }

  function thank(key) {
    document.getElementById('thanks').textContent = tr(key);
    setState('thanks');
    setTimeout(() => { if (body.dataset.state === 'thanks') setState('idle'); }, THANKS_MS);
  }

  const form = window.RatingForm(document.getElementById('rate'), async (rating, comment) => {
    const tk = shown;
    try {
      await api('POST', `/api/tickets/${tk.id}/rating`, {rating, comment});
      closed.add(tk.id);
      thank(rating <= 2 ? 'rate.thanks_low' : 'rate.thanks');
    } catch (e) {
      if (e.code === 'already_rated') { closed.add(tk.id); thank('rate.already'); return; }
      form.say(tr('rate.failed'));
    }
  }, tr);

  async function poll() {
    try {
      const r = await api('GET', `/api/counters/${counter}/to-rate`);
      document.getElementById('offline').hidden = true;
      document.getElementById('counter-name').textContent = r.counter.name;
      const tk = r.ticket;
      const state = body.dataset.state;
      if (tk && !closed.has(tk.id) && (state === 'idle' || (state === 'ask' && shown && shown.id !== tk.id))) {
        ask(tk);
      } else if (state === 'ask' && (!tk || tk.id !== shown.id)) {
        setState('idle');  // rated on the phone, or gone past the pad's window
      }
    } catch (e) {
      if (e.status === 401 || e.status === 403) { setState('setup'); return; }
      document.getElementById('offline').hidden = false;
    }
    if (body.dataset.state === 'ask' && Date.now() > idleAt) {
      closed.add(shown.id);
      setState('idle');
    }
    setTimeout(poll, POLL_MS);
  }

  async function start() {
    token = window.Device.takeToken(TOKEN_KEY);
    await window.Device.loadBundles();
    document.querySelectorAll('[data-set-lang]').forEach((b) => b.addEventListener('click', () => {
      lang = b.dataset.setLang; applyI18n();
    }));
    document.getElementById('rate').addEventListener('click', () => { idleAt = Date.now() + IDLE_MS; });
    if (!token || !counter) { setState('setup'); return; }
    setState('idle');
    poll();
  }

  start();
})();
