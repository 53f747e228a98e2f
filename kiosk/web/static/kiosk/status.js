/* The mobile ticket status page: asks for its ticket every few seconds while it is on screen, and
 * once the service is done asks the customer to rate it (rating.js), once.
 * Phones poll rather than hold a live stream: every stream holds one server thread, and a
 * full waiting area of phones must never starve the kiosk's and the guides' live pages. */
(function () {
  'use strict';
  const body = document.body;
  const token = body.dataset.token;
  const lang = body.dataset.lang === 'en' ? 'en' : 'zh';
  let msgs = {};
  let timer = null;
  const POLL_MS = Number(body.dataset.pollS || 5) * 1000;

  function tr(key, values) {
    let text = Object.prototype.hasOwnProperty.call(msgs, key) ? msgs[key] : key;
    if (values) text = text.replace(/\{(\w+)\}/g, (all, k) => (k in values ? String(values[k]) : all));
    return text;
  }

  function lines(tk) {
    if (tk.status === 'waiting') {
      const ahead = Math.max(0, (Number(tk.position) || 1) - 1);  // position 1 is called next
      if (!ahead) return [tr('screen.ticket.no_wait'), ''];
      const minutes = Math.max(1, Math.round(Number(tk.estimated_wait_min) || 0));
      return [tr('screen.ticket.ahead', {n: ahead}), tr('queue.wait', {minutes})];
    }
    if (tk.status === 'called') return [tr('status.called', {counter: (tk.counter && tk.counter.name) || ''}), ''];
    const key = 'status.' + tk.status;
    return [key in msgs ? tr(key) : tk.status, ''];
  }

  async function refresh() {
    try {
      const res = await fetch(`/api/tickets/status/${encodeURIComponent(token)}`, {cache: 'no-store'});
      if (!res.ok) return;
      const tk = await res.json();
      const [headline, detail] = lines(tk);
      const was = body.dataset.status;
      document.getElementById('headline').textContent = headline;
      document.getElementById('detail').textContent = detail;
      body.dataset.status = tk.status;
      const now = new Date().toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB',
                                                {hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false});
      document.getElementById('updated').textContent = tr('status.updated', {time: now});
      if (tk.status === 'called' && was !== 'called' && navigator.vibrate) navigator.vibrate([300, 150, 300]);
      document.getElementById('rate').hidden = !(tk.status === 'done' && !tk.rated) || rated;
    } catch (e) { /* the next event or poll tries again */ }
  }

  let rated = false;
  const form = window.RatingForm(document.getElementById('rate'), async (rating, comment) => {
    const res = await fetch(`/api/tickets/status/${encodeURIComponent(token)}/rating`, {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({rating, comment}),
    }).catch(() => null);
    const code = res && !res.ok ? ((await res.json().catch(() => null)) || {error: {}}).error.code : null;
    if (!res || (!res.ok && code !== 'already_rated')) { form.say(tr('rate.failed')); return; }
    rated = true;
    document.getElementById('rate').hidden = true;
    document.getElementById('rated').textContent =
      tr(code === 'already_rated' ? 'rate.already' : rating <= 2 ? 'rate.thanks_low' : 'rate.thanks');
  }, tr);

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  }

  async function start() {
    try {
      const res = await fetch(`/i18n/${lang}.json`);
      if (res.ok) msgs = await res.json();
    } catch (e) { /* the server-rendered text stays */ }
    refresh();
    setInterval(() => { if (!document.hidden) refresh(); }, POLL_MS);
    document.addEventListener('visibilitychange', () => { if (!document.hidden) soon(); });
  }

  start();
})();
