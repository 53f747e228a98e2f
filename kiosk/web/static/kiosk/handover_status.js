/* The customer's phone after a hand-over: who is coming or where to go, asked for every few seconds.
 * The hall words the line in the page's language (GET /api/handovers/status/<token>?lang=). */
(function () {
  'use strict';
  const body = document.body;
  const token = body.dataset.token;
  const lang = body.dataset.lang === 'en' ? 'en' : 'zh';
  const POLL_MS = Number(body.dataset.pollS || 5) * 1000;

  async function refresh() {
    try {
      const res = await fetch(`/api/handovers/status/${encodeURIComponent(token)}?lang=${lang}`, {cache: 'no-store'});
      if (!res.ok) return;
      const h = await res.json();
      const was = body.dataset.status;
      document.getElementById('headline').textContent = h.line;
      body.dataset.status = h.status;
      document.getElementById('updated').textContent = new Date().toLocaleTimeString(
        lang === 'zh' ? 'zh-CN' : 'en-GB', {hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false});
      if (h.status === 'accepted' && was !== 'accepted' && navigator.vibrate) navigator.vibrate([300, 150, 300]);
    } catch (e) { /* the next poll tries again */ }
  }

  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, POLL_MS);
})();
