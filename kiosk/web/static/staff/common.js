/* Shared by the staff pages: API calls with the CSRF token, the message bundle, live events, alarms.
   Every text that came from a customer or the database is put in with textContent: never markup. */
"use strict";
const Staff = (() => {
  const lang = document.body.dataset.lang || "zh";
  const timeZone = document.body.dataset.tz || undefined;  // the hall's, whatever the device says
  const locale = lang === "zh" ? "zh-CN" : "en-GB";
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  let messages = {};

  async function api(method, url, body) {
    const opts = {method, headers: {"Accept": "application/json"}, credentials: "same-origin"};
    if (method !== "GET") opts.headers["X-CSRFToken"] = csrf;
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const r = await fetch(url, opts);
    if (r.status === 401) { location.href = "/staff/login?next=" + encodeURIComponent(location.pathname); }
    const data = r.status === 204 ? null : await r.json().catch(() => null);
    if (!r.ok) {
      const err = new Error((data && data.error && data.error.message) || r.statusText);
      err.status = r.status; err.data = data;
      throw err;
    }
    return {status: r.status, data};
  }

  async function loadMessages() {
    try { messages = await (await fetch("/i18n/" + lang + ".json")).json(); } catch (e) { messages = {}; }
  }

  function t(key, values) {
    let text = messages[key] || key;
    for (const [k, v] of Object.entries(values || {})) text = text.split("{" + k + "}").join(String(v));
    return text;
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* EventSource with a live indicator; it reconnects itself (Last-Event-ID) */
  function live(channels, handlers, dot) {
    const es = new EventSource("/api/stream?channel=" + encodeURIComponent(channels));
    es.onopen = () => { if (dot) dot.dataset.live = "1"; if (handlers.open) handlers.open(); };
    es.onerror = () => { if (dot) dot.dataset.live = "0"; };
    for (const [type, fn] of Object.entries(handlers)) {
      if (type === "open") continue;
      es.addEventListener(type, (ev) => {
        let data = {};
        try { data = JSON.parse(ev.data); } catch (e) { /* keep-alive */ }
        fn(data, ev);
      });
    }
    return es;
  }

  /* A beep (WebAudio; browsers allow sound after a first touch of the page); urgent: three high ones */
  let audio = null;
  function beep(urgent) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tones = urgent ? [0, 0.25, 0.5] : [0];
      for (const at of tones) {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = urgent ? 1320 : 880; gain.gain.value = 0.2;
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + at); osc.stop(audio.currentTime + at + 0.2);
      }
    } catch (e) { /* no audio on this device */ }
  }

  /* The page's #alarm banner for a few seconds, with its sound */
  function alarm(text, urgent) {
    const box = document.getElementById("alarm");
    box.textContent = text; box.hidden = false;
    box.classList.toggle("urgent", !!urgent);
    document.body.classList.add("alerting");
    clearTimeout(alarm.timer);
    alarm.timer = setTimeout(() => { box.hidden = true; document.body.classList.remove("alerting"); }, urgent ? 20000 : 8000);
    beep(urgent);
  }

  function debounce(fn, ms) {
    let timer = null;
    return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function localTime(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleTimeString(locale, {hour12: false, timeZone});
  }

  function localDateTime(iso) {
    return new Date(iso).toLocaleString(locale, {month: "2-digit", day: "2-digit", hour: "2-digit",
                                                 minute: "2-digit", hour12: false, timeZone});
  }

  return {lang, timeZone, api, loadMessages, t, el, live, beep, alarm, debounce, localTime, localDateTime};
})();
