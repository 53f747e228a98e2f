/* The kiosk screen: idle → greeting → dialog (assistant or touch menu) → ticket / appointment /
 * hand-over / guide → rating → idle. Plain script, no build step, nothing loaded from elsewhere.
 * Every text a customer or the assistant wrote is put on screen with textContent, never as markup.
 * Beside it: keypad.js (the digit pad), menu.js (every business type by group), speech.js (reading
 * aloud through the kiosk's agent), elderly.js (老年模式).
 */
(function () {
  'use strict';

  const body = document.body;
  const cfg = {
    device: body.dataset.device || 'kiosk-1',
    idleMs: Number(body.dataset.idleS || 60) * 1000,
    greetMs: Number(body.dataset.greetS || 1.6) * 1000,
    resultMs: Number(body.dataset.resultS || 45) * 1000,
    thanksMs: 4000,
    leftMs: 8000,           // the agent saw the customer go: give up sooner unless touched
    apiTimeoutMs: 15000,
    lang: body.dataset.lang === 'en' ? 'en' : 'zh',  // each new customer starts in it
  };
  const ACTIVE = ['greeting', 'dialog', 'ticket', 'appointment', 'handover', 'callback', 'emergency', 'guide',
                  'rating', 'thanks'];
  const RESULTS = ['ticket', 'appointment', 'handover', 'callback', 'emergency', 'guide', 'rating', 'thanks'];
  const TOKEN_KEY = 'kiosk.deviceToken';
  const $ = (id) => document.getElementById(id);

  let token = null;
  let lang = cfg.lang;
  const bundles = {zh: null, en: null};
  let taxonomy = null;            // {list, types: {id: {...}}, queues: {A: {zh, en}}, groups: [...]}
  let state = 'boot';
  let session = null;             // {id, visitId, mode, local, spoke, langDirty}
  let visitGen = 0;               // bumps on wake and on idle: late answers of a past visit are dropped
  let sessionGen = 0;
  let greetDone = false, sessionReady = false;
  let deadline = Infinity;
  let resultShownAt = 0;
  let busy = false;
  let current = {ticket: null, appointment: null};
  let wakeVisit = null;           // the visit the screen woke for (the session may still be opening)
  let lastChoices = null;         // the assistant's latest buttons, redrawn when the mode changes
  let readAloud = false;          // every reply read aloud (always in the elderly mode)
  const printed = new Set();
  const speech = window.KioskSpeech((method, path, data) => api(method, path, data));
  const elderly = window.KioskElderly;

  // ---------------------------------------------------------------- translation
  function tr(key, values) {
    const b = bundles[lang] || {};
    let text = Object.prototype.hasOwnProperty.call(b, key) ? b[key] : key;
    if (values) text = text.replace(/\{(\w+)\}/g, (all, k) => (k in values ? String(values[k]) : all));
    return text;
  }

  function applyI18n() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    body.dataset.lang = lang;
    if (!bundles[lang]) return;
    document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = tr(el.dataset.i18n); });
    document.querySelectorAll('[data-i18n-placeholder]').forEach((el) => {
      el.placeholder = tr(el.dataset.i18nPlaceholder);
    });
    document.querySelectorAll('[data-i18n-label]').forEach((el) => {
      el.setAttribute('aria-label', tr(el.dataset.i18nLabel));
    });
    document.querySelectorAll('.say').forEach((el) => { el.setAttribute('aria-label', tr('screen.read_this')); });
    document.querySelectorAll('[data-set-lang]').forEach((el) => {
      el.setAttribute('aria-pressed', String(el.dataset.setLang === lang));
    });
    updateClock();
  }

  async function loadBundles() {
    await Promise.all(['zh', 'en'].map(async (l) => {
      for (let attempt = 0; attempt < 5 && !bundles[l]; attempt++) {
        try {
          const res = await fetch(`/i18n/${l}.json`, {cache: 'no-store'});
          if (res.ok) bundles[l] = await res.json();
        } catch (e) { await sleep(500 * (attempt + 1)); }
      }
    }));
  }

  async function loadTaxonomy() {
    for (let attempt = 0; !taxonomy; attempt++) {
      try {
        const r = await api('GET', '/api/business-types');
        const types = {};
        r.business_types.forEach((bt) => { types[bt.id] = bt; });
        taxonomy = {list: r.business_types, types, queues: r.queues || {}, groups: r.groups || []};
      } catch (e) { await sleep(Math.min(1000 * (attempt + 1), 10000)); }
    }
  }

  // ---------------------------------------------------------------- helpers
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return 'k' + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  const api = (method, path, data, headers) =>
    window.Device.api(token, method, path, data, {headers, timeoutMs: cfg.apiTimeoutMs});

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function btName(id) {
    const bt = taxonomy && taxonomy.types[id];
    return bt ? bt[lang] : (id || '');
  }

  function queueName(q) {
    const names = taxonomy && taxonomy.queues[q];
    return names ? names[lang] : '';
  }

  // ---------------------------------------------------------------- states
  function setState(next) {
    state = next;
    body.dataset.state = next;
    if (RESULTS.includes(next)) resultShownAt = Date.now();
    if (next === 'dialog') requestAnimationFrame(scrollChat);  // it could not scroll while hidden
    activity();
  }

  function setMode(mode) {
    if (mode) body.dataset.mode = mode; else delete body.dataset.mode;
    if (session) session.mode = mode;
  }

  function setBusy(on) {
    busy = on;
    body.classList.toggle('busy', on);
  }

  function timeoutFor(s) {
    if (s === 'thanks') return cfg.thanksMs;
    if (RESULTS.includes(s)) return Math.max(cfg.resultMs, cfg.idleMs);
    return cfg.idleMs;
  }

  function activity() {
    deadline = ACTIVE.includes(state) ? Date.now() + timeoutFor(state) : Infinity;
    $('still-here').hidden = true;
  }

  function tick() {
    if (!ACTIVE.includes(state)) return;
    const left = deadline - Date.now();
    if (left <= 0) { goIdle(); return; }
    const warn = Math.min(10000, cfg.idleMs / 3);
    const box = $('still-here');
    if (left <= warn && state !== 'thanks') {
      box.hidden = false;
      $('countdown').textContent = String(Math.ceil(left / 1000));
    } else {
      box.hidden = true;
    }
  }

  function wake(visitId) {
    if (state !== 'idle') return;
    visitGen++;
    greetDone = false;
    sessionReady = false;
    current = {ticket: null, appointment: null};
    KioskOutcome.reset();
    wakeVisit = visitId || null;
    body.dataset.visitId = visitId ? String(visitId) : '';
    setState('greeting');
    // the moment the greeting is on screen (bench/screen_wake.py reads it)
    requestAnimationFrame(() => { body.dataset.awakeAt = String(performance.timeOrigin + performance.now()); });
    restartBow('#screen-greeting .avatar');
    const gen = visitGen;
    setTimeout(() => { if (gen === visitGen) { greetDone = true; maybeEnterDialog(); } }, cfg.greetMs);
    startSession(visitId || null);
  }

  function restartBow(selector) {
    const node = document.querySelector(selector);
    if (!node) return;
    node.classList.remove('bowing');
    void node.offsetWidth; // restart the animation
    node.classList.add('bowing');
  }

  function maybeEnterDialog() {
    if (state === 'greeting' && greetDone && sessionReady) setState('dialog');
  }

  function goIdle() {
    visitGen++;
    sessionGen++;
    if (session && session.id) {
      api('POST', `/api/kiosk/sessions/${encodeURIComponent(session.id)}/end`, {}).catch(() => {});
    }
    speech.hush();
    session = null;
    wakeVisit = null;
    current = {ticket: null, appointment: null};
    KioskOutcome.reset();
    clearDialog();
    setMode(null);
    setBusy(false);
    delete body.dataset.sessionId;
    body.dataset.visitId = '';
    $('text').value = '';
    $('text').blur();
    $('checkin-code').value = '';
    // the next customer starts as the kiosk is set up: its language (Chinese first), no elderly mode
    readAloud = false;
    elderly.reset();
    if (lang !== cfg.lang) { lang = cfg.lang; applyI18n(); }
    updateReadToggle();
    setState('idle');
  }

  // ---------------------------------------------------------------- dialog
  function clearDialog() {
    $('chat').replaceChildren();
    $('menu').replaceChildren();
    lastChoices = null;
    closePanel();
    applyForm(null);
  }

  function scrollChat() {
    const chat = $('chat');
    chat.scrollTop = chat.scrollHeight;
  }

  function addBubble(who, text, extra) {
    const bubble = el('div', `bubble ${who}${extra ? ' ' + extra : ''}`, text);
    $('chat').appendChild(bubble);
    scrollChat();
    return bubble;
  }

  // An assistant's message: a bubble with a button to hear it, read at once when reading aloud.
  function addBotMessage(text) {
    const line = el('div', 'bot-line');
    const bubble = el('div', 'bubble bot', text);
    const say = el('button', 'say');
    say.type = 'button';
    say.appendChild($('say-icon').content.cloneNode(true));
    say.setAttribute('aria-label', tr('screen.read_this'));
    const spoken = lang;
    say.addEventListener('click', () => { if (session) speech.read(session.id, text, spoken, pace()); });
    line.append(bubble, say);
    $('chat').appendChild(line);
    scrollChat();
    if (readAloud || elderly.on) {
      if (session) speech.read(session.id, text, lang, pace());
    }
    return bubble;
  }

  function pace() {
    return elderly.on ? 'slow' : 'normal';
  }

  function choiceButton(b) {
    const button = el('button', 'choice', b.title);
    button.type = 'button';
    button.dataset.payload = b.payload || '';
    button.addEventListener('click', () => {
      if (busy) return;
      button.classList.add('chosen');
      send({payload: b.payload}, b.title);
    });
    return button;
  }

  // The elderly mode shows fewer at once: the first few, and always the way to a person;
  // "更多业务" below the dialog has every business type.
  function fewer(buttons) {
    if (!elderly.on || buttons.length <= elderly.MAX_CHOICES + 1) return buttons;
    const human = buttons.filter((b) => b.payload === '/request_human');
    return buttons.filter((b) => b.payload !== '/request_human').slice(0, elderly.MAX_CHOICES).concat(human);
  }

  function renderChoices(buttons) {
    // older choices stay readable but can no longer be pressed
    $('chat').querySelectorAll('.choices .choice').forEach((b) => { b.disabled = true; });
    lastChoices = null;
    if (!buttons || !buttons.length) return;
    const group = el('div', 'choices');
    fewer(buttons).forEach((b) => group.appendChild(choiceButton(b)));
    lastChoices = {buttons, group};
    $('chat').appendChild(group);
    scrollChat();
  }

  function redrawChoices() {
    if (!lastChoices || !lastChoices.group.isConnected) return;
    lastChoices.group.replaceChildren(...fewer(lastChoices.buttons).map(choiceButton));
  }

  // The touch menu (the assistant is down): every business type by group, and the way to a person.
  function renderMenu(buttons) {
    const extra = (buttons || []).filter((b) => !(taxonomy && taxonomy.types[(b.payload || '').slice(1)]));
    if (!extra.length) extra.push({title: tr('screen.dialog.human'), payload: '/request_human'});
    window.KioskMenu.render($('menu'), {groups: taxonomy ? taxonomy.groups : [],
                                         types: taxonomy ? taxonomy.types : {}, lang,
                                         drill: elderly.on, button: choiceButton, extra,
                                         back: tr('screen.more.back')});
  }

  // "更多业务 / More": every business type, grouped, over the dialog; choosing one sends it.
  function openMore(focus) {
    if (!taxonomy) return;
    openPanel('more');
    window.KioskMenu.render($('more-list'), {
      groups: taxonomy.groups, types: taxonomy.types, lang, drill: elderly.on, focus,
      back: tr('screen.more.back'),
      button: (b) => {
        const button = choiceButton(b);
        button.addEventListener('click', closePanel);
        return button;
      },
    });
  }

  function openPanel(name) {
    body.dataset.panel = name;
    $('more').hidden = name !== 'more';
    $('checkin').hidden = name !== 'checkin';
  }

  function closePanel() {
    const was = body.dataset.panel;
    if (!was) return;
    delete body.dataset.panel;
    $('more').hidden = true;
    $('checkin').hidden = true;
    const opener = $(was === 'more' ? 'more-open' : 'checkin-open');
    if (document.activeElement && document.activeElement !== document.body) opener.focus();
  }

  async function startSession(visitId) {
    const my = ++sessionGen;
    const gen = visitGen;
    clearDialog();
    let r = null;
    try {
      r = await api('POST', '/api/kiosk/sessions',
                    {visit_id: visitId || undefined, device_id: cfg.device, language: lang});
    } catch (e) {
      r = null;
    }
    if (my !== sessionGen || gen !== visitGen) {
      // the customer left (or switched language) while it was opening: close it
      if (r && r.id) api('POST', `/api/kiosk/sessions/${encodeURIComponent(r.id)}/end`, {}).catch(() => {});
      return;
    }
    if (r) {
      session = {id: r.id, visitId: r.visit_id || visitId, mode: r.mode, local: false, spoke: false};
      wakeVisit = session.visitId || wakeVisit;  // a session opened again stays with this visit
      body.dataset.sessionId = r.id;
      body.dataset.visitId = session.visitId ? String(session.visitId) : '';
      await applyReply(r);
    } else {
      // the session service itself cannot be reached: the touch menu still issues tickets
      session = {id: null, visitId, mode: 'menu', local: true, spoke: false};
      setMode('menu');
      addBotMessage(tr('screen.menu.title'));
      if (!taxonomy) await loadTaxonomy();
      renderMenu(null);
    }
    sessionReady = true;
    maybeEnterDialog();
  }

  function restartSession() {
    const old = session;
    if (old && old.id) {
      api('POST', `/api/kiosk/sessions/${encodeURIComponent(old.id)}/end`, {}).catch(() => {});
    }
    session = null;
    startSession(old ? old.visitId : null);
  }

  async function applyReply(r) {
    if (r.mode) setMode(r.mode);
    let buttons = null;
    (r.messages || []).forEach((m) => {
      if (m.text) addBotMessage(m.text);
      if (m.buttons && m.buttons.length) buttons = m.buttons;
    });
    if (body.dataset.mode === 'menu') {
      if (!taxonomy) await loadTaxonomy();
      renderMenu(buttons);
    } else {
      renderChoices(buttons);
    }
    applyForm(r.form);
    if (r.ticket) showTicket(r.ticket);
    else if (r.appointment) showAppointment(r.appointment);
    // an emergency, a hand-over or the call-back form has its own screen; else a guide is coming
    else if (!KioskOutcome.show(r) && r.guide_alert) showGuide();
  }

  // The assistant asks for a number: the digit pad (keypad.js) comes up under the text box.
  const KEYPAD_FOR = {phone: 'phone', account_number: 'digits', appointment_code: 'code'};

  function applyForm(form) {
    const input = $('text');
    const kind = KEYPAD_FOR[form && form.requested_slot];
    if (kind) {
      input.dataset.keypad = kind;
      input.inputMode = kind === 'phone' ? 'tel' : 'numeric';
    } else {
      delete input.dataset.keypad;
      input.inputMode = 'text';
    }
  }

  async function send(msg, echo) {
    if (busy || !session) return;
    activity();
    if (session.local) { await localChoose(msg); return; }
    const sess = session;
    sess.spoke = true;
    if (echo) addBubble('me', echo);
    setBusy(true);
    const pending = addBubble('bot', tr('screen.dialog.thinking'), 'pending');
    const data = Object.assign({}, msg);
    if (sess.langDirty) { data.language = lang; sess.langDirty = false; }
    try {
      const r = await api('POST', `/api/kiosk/sessions/${encodeURIComponent(sess.id)}/messages`, data,
                          {'Idempotency-Key': newKey()});
      if (sess !== session) return;
      pending.remove();
      await applyReply(r);
    } catch (e) {
      if (sess !== session) return;
      pending.remove();
      addBotMessage(tr('screen.dialog.error'));
      if (e.status === 404) {  // the server no longer knows the session: start a fresh one
        setBusy(false);
        restartSession();
        return;
      }
    } finally {
      if (sess === session || !session) setBusy(false);
      activity();
    }
  }

  // Without the session service: the hall's routing decision for the chosen button (POST /api/route).
  async function localChoose(msg) {
    const sess = session;
    const payload = msg.payload || '';
    if (!payload || payload === '/menu') { renderMenu(null); return; }
    const asked = {language: lang, visit_id: sess.visitId || undefined};
    if (payload === '/request_human') asked.wants = 'person';
    else if (payload.startsWith('/ticket:')) Object.assign(asked, {wants: 'ticket', business_type: payload.slice(8)});
    else asked.business_type = payload.slice(1);
    setBusy(true);
    try {
      const r = await api('POST', '/api/route', asked, {'Idempotency-Key': newKey()});
      if (sess !== session) return;
      const messages = (r.messages || []).map((m) => ({text: m.text, buttons: []}));
      if (messages.length) messages[messages.length - 1].buttons = (r.offers || []).map((o) => ({title: o.title, payload: o.payload}));
      applyReply(Object.assign({}, r, {messages, mode: 'menu'}));
    } catch (e) {
      if (sess === session) addBotMessage(tr('screen.dialog.error'));
    } finally {
      setBusy(false);
    }
  }

  async function callGuide(reason, text) {
    const sess = session;
    const data = {reason};
    if (sess && sess.id) data.session_id = sess.id;
    if (sess && sess.visitId) data.visit_id = sess.visitId;
    if (text) data.text = text;
    await api('POST', '/api/guide-alerts', data, {'Idempotency-Key': newKey()});
    if (sess === session) showGuide();
  }

  // "我有预约": the booking code (digit and letter pad) becomes a ticket, ahead of walk-ins.
  async function checkIn(code) {
    if (busy) return;
    const error = $('checkin-error');
    error.textContent = '';
    setBusy(true);
    try {
      const ticket = await api('POST', '/api/appointments/check-in',
                               {code, language: lang, session_id: (session && session.id) || undefined},
                               {'Idempotency-Key': newKey()});
      closePanel();
      $('checkin-code').value = '';
      showTicket(ticket);
    } catch (e) {
      // not found, already checked in, cancelled, another day, too early: the hall words why
      error.textContent = (e.status === 404 || e.status === 409) && e.message ? e.message : tr('screen.dialog.error');
    } finally {
      setBusy(false);
    }
  }

  // ---------------------------------------------------------------- results
  function statusToken(url) {
    const m = /\/t\/([A-Za-z0-9_.\-]+)$/.exec(url || '');
    return m ? m[1] : null;
  }

  function showTicket(ticket) {
    if (current.ticket && current.ticket.id === ticket.id && state === 'ticket') return;
    current.ticket = ticket;
    renderTicket();
    setState('ticket');
    printTicket(ticket);
  }

  function renderTicket() {
    const tk = current.ticket;
    if (!tk) return;
    const screen = $('screen-ticket');
    screen.dataset.ticketId = String(tk.id);
    $('ticket-number').textContent = tk.number;
    $('ticket-business').textContent = btName(tk.business_type);
    const qn = queueName(tk.queue);
    $('ticket-queue').textContent = qn ? tr('screen.ticket.queue', {queue: tk.queue, name: qn}) : tk.queue;
    const waiting = tk.status === undefined || tk.status === 'waiting';
    const ahead = Math.max(0, (Number(tk.position) || 1) - 1);  // position 1 is called next
    $('ticket-position').textContent = !waiting ? tr('status.' + tk.status, {counter: (tk.counter && tk.counter.name) || ''})
      : (ahead > 0 ? tr('screen.ticket.ahead', {n: ahead}) : tr('screen.ticket.no_wait'));
    $('ticket-wait').textContent = waiting && ahead > 0
      ? tr('queue.wait', {minutes: Math.max(1, Math.round(Number(tk.estimated_wait_min) || 0))}) : '';
    const bt = taxonomy && taxonomy.types[tk.business_type];
    const materials = bt ? bt.materials[lang] : (tk.materials || []);
    const list = $('ticket-materials');
    list.replaceChildren(...materials.map((m) => el('li', null, m)));
    const token = statusToken(tk.status_url);
    const img = $('ticket-qr');
    if (token) {
      const src = `/t/${token}/qr.svg`;
      if (img.getAttribute('src') !== src) img.src = src;
      img.closest('figure').hidden = false;
    } else {
      img.closest('figure').hidden = true;
    }
    const note = printed.has(tk.id) ? 'screen.ticket.printed' : 'screen.ticket.not_printed';
    $('ticket-print').textContent = tr(note);
    $('ticket-print').dataset.key = note;
  }

  async function printTicket(ticket) {
    if (printed.has(ticket.id)) return;
    try {
      await api('POST', `/api/kiosk/tickets/${ticket.id}/print?lang=${lang}`, {});
      printed.add(ticket.id);
    } catch (e) {
      if (e.code === 'already_printed') printed.add(ticket.id);
    }
    if (current.ticket && current.ticket.id === ticket.id) renderTicket();
  }

  let refreshTimer = null;
  function refreshTicketSoon() {
    if (state !== 'ticket' || !current.ticket) return;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      const tk = current.ticket;
      const token = tk && statusToken(tk.status_url);
      if (!token) return;
      try {
        const res = await fetch(`/api/tickets/status/${token}`, {cache: 'no-store'});
        if (!res.ok) return;
        const fresh = await res.json();
        if (current.ticket !== tk) return;
        Object.assign(tk, {status: fresh.status, position: fresh.position,
                           estimated_wait_min: fresh.estimated_wait_min, counter: fresh.counter});
        renderTicket();
      } catch (e) { /* the next event tries again */ }
    }, 250);
  }

  function formatSlot(slot) {
    if (!slot || !slot.start) return '';
    const locale = lang === 'zh' ? 'zh-CN' : 'en-GB';
    const start = new Date(slot.start);
    const day = start.toLocaleDateString(locale, {month: 'long', day: 'numeric', weekday: 'short'});
    const time = (d) => d.toLocaleTimeString(locale, {hour: '2-digit', minute: '2-digit', hour12: false});
    return slot.end ? `${day} ${time(start)}–${time(new Date(slot.end))}` : `${day} ${time(start)}`;
  }

  function showAppointment(appt) {
    current.appointment = appt;
    renderAppointment();
    setState('appointment');
  }

  function renderAppointment() {
    const a = current.appointment;
    if (!a) return;
    $('appt-code').textContent = a.code || '';
    $('appt-time').textContent = formatSlot(a.slot);
    $('appt-phone').textContent = a.phone_masked || '';
    $('appt-business').textContent = btName(a.business_type);
    const bt = taxonomy && taxonomy.types[a.business_type];
    const materials = bt ? bt.materials[lang] : [];
    $('appt-materials').replaceChildren(...materials.map((m) => el('li', null, m)));
    $('appt-materials-box').hidden = !materials.length;
    $('appt-place').textContent = a.place || '';
    // the booking's own page (see it, cancel it), and its slip printed once
    const m = /\/a\/([A-Za-z0-9_.\-]+)$/.exec(a.status_url || '');
    const qr = $('appt-qr');
    if (m && qr.getAttribute('src') !== `/a/${m[1]}/qr.svg`) qr.src = `/a/${m[1]}/qr.svg`;
    qr.closest('figure').hidden = !m;
    if (a.id && !printed.has('appointment:' + a.id)) {
      printed.add('appointment:' + a.id);
      api('POST', `/api/kiosk/appointments/${a.id}/print`, {}).catch(() => {});
    }
  }

  function showGuide() {
    setState('guide');
  }

  function finish() {
    // a ticket's service is rated after it, at the counter's rating pad or on the phone
    if (session && session.visitId && state !== 'ticket') setState('rating');
    else thanks();
  }

  function thanks() {
    setState('thanks');
    restartBow('#screen-thanks .avatar');
  }

  async function rate(n, button) {
    if (busy) return;
    const sess = session;
    button.classList.add('chosen');
    setBusy(true);
    try {
      await api('POST', `/api/visits/${sess.visitId}/rating`, {rating: n});
    } catch (e) { /* a lost rating must not hold the customer up */ }
    setBusy(false);
    if (sess === session) thanks();
  }

  // ---------------------------------------------------------------- language
  // The language the customer picks is the dialog's, whenever they pick it: before touching the
  // screen (the tap on 中文/English wakes it in that language), while the greeting plays or the
  // session is still opening (it opens again in the new language), or mid-dialog.
  function setLang(next) {
    if (next === lang || !bundles[next]) return;
    lang = next;
    applyI18n();
    renderTicket();
    renderAppointment();
    KioskOutcome.relang();
    if (body.dataset.panel === 'more') openMore(false);
    if (!session) {
      if (state === 'greeting' || state === 'dialog') startSession(wakeVisit);  // drops the one opening
      return;
    }
    if (session.local) {
      renderMenu(null);
    } else if ((state === 'greeting' || state === 'dialog') && !session.spoke) {
      restartSession();  // nothing said yet: the assistant starts over in the new language
    } else {
      session.langDirty = true;
      if (state === 'dialog') addBotMessage(tr('screen.dialog.language_note'));
    }
  }

  // ---------------------------------------------------------------- reading aloud and the elderly mode
  function updateReadToggle() {
    const button = $('read-aloud');
    button.setAttribute('aria-pressed', String(readAloud || elderly.on));
    button.disabled = elderly.on;  // the elderly mode always reads aloud
  }

  function onElderly() {
    updateReadToggle();
    redrawChoices();
    if (body.dataset.mode === 'menu' && session) renderMenu(null);
    if (body.dataset.panel === 'more') openMore(false);
  }

  // ---------------------------------------------------------------- live events
  // fetch() rather than EventSource: the stream needs the device token in a header.
  async function listen() {
    let backoff = 500;
    let lastId = null;
    const url = '/api/stream?channel=' + encodeURIComponent(`kiosk:${cfg.device},display`);
    for (;;) {
      try {
        const headers = {Authorization: 'Bearer ' + token, Accept: 'text/event-stream'};
        if (lastId) headers['Last-Event-ID'] = lastId;
        const res = await fetch(url, {headers, cache: 'no-store'});
        if (res.status === 401 || res.status === 403) { forgetToken(); return; }
        if (!res.ok || !res.body) throw new Error('stream ' + res.status);
        setLive(true);
        backoff = 500;
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const {value, done} = await reader.read();
          if (done) break;
          buf += decoder.decode(value, {stream: true}).replace(/\r\n?/g, '\n');
          let cut;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const msg = parseBlock(block);
            if (msg.id) lastId = msg.id;
            if (msg.event) dispatch(msg.event, msg.data);
          }
        }
      } catch (e) { /* reconnect below */ }
      setLive(false);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 8000);
    }
  }

  function parseBlock(block) {
    const msg = {event: null, data: '', id: null};
    block.split('\n').forEach((line) => {
      if (!line || line[0] === ':') return;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') msg.event = value;
      else if (field === 'data') msg.data += (msg.data ? '\n' : '') + value;
      else if (field === 'id') msg.id = value;
    });
    return msg;
  }

  function setLive(on) {
    $('live').dataset.live = on ? '1' : '0';
    $('offline').hidden = on;
  }

  function forgetToken() {
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* ignore */ }
    token = null;
    setState('setup');
  }

  function dispatch(type, raw) {
    let data = {};
    try { data = JSON.parse(raw || '{}'); } catch (e) { return; }
    if (type === 'approach') {
      // a replay after a reconnect is not a customer standing here now
      if (data.at && Date.now() - Date.parse(data.at) > 20000) return;
      if (state === 'idle') {
        wake(data.visit_id);
      } else if (RESULTS.includes(state) && Date.now() - resultShownAt > 8000 &&
                 session && data.visit_id && data.visit_id !== session.visitId) {
        goIdle();          // the last customer has their result; greet the next one
        wake(data.visit_id);
      }
    } else if (type === 'left') {
      if (session && data.visit_id && data.visit_id === session.visitId && ACTIVE.includes(state)) {
        deadline = Math.min(deadline, Date.now() + Math.min(cfg.leftMs, cfg.idleMs));
      }
    } else if (type === 'ticket_issued') {
      const tk = data.ticket || data;
      if (tk && tk.number && session && (state === 'dialog' || state === 'greeting') &&
          ((tk.session_id && tk.session_id === session.id) ||
           (tk.visit_id && tk.visit_id === session.visitId))) {
        showTicket(tk);
      }
    } else if (type === 'handover') {
      KioskOutcome.onHandover(data);  // accepted, passed on, or nobody took it
    } else if (type === 'queues' || type === 'call') {
      refreshTicketSoon();
    }
  }

  // ---------------------------------------------------------------- clock and input
  function updateClock() {
    const locale = lang === 'zh' ? 'zh-CN' : 'en-GB';
    const now = new Date();
    $('clock').textContent = now.toLocaleDateString(locale, {month: 'long', day: 'numeric', weekday: 'long'}) +
      '  ' + now.toLocaleTimeString(locale, {hour: '2-digit', minute: '2-digit', hour12: false});
  }

  function bind() {
    document.addEventListener('pointerdown', (ev) => {
      speech.hush();  // a tap stops the reading: the customer is doing something
      if (state === 'idle') {
        // no camera, or not seen: a touch starts too; a tap on a language starts in that language
        const pick = ev.target.closest && ev.target.closest('[data-set-lang]');
        if (pick) setLang(pick.dataset.setLang);
        wake(null);
      } else {
        activity();
      }
    }, true);
    document.addEventListener('keydown', () => activity(), true);
    $('text').addEventListener('input', () => activity());
    document.querySelectorAll('[data-set-lang]').forEach((b) => {
      b.addEventListener('click', () => setLang(b.dataset.setLang));
    });
    $('ask').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = $('text');
      const text = input.value.trim();
      if (!text || busy) return;
      input.value = '';
      send({text}, text);
    });
    $('more-open').addEventListener('click', (ev) => openMore(ev.detail === 0));  // 0: a keyboard's click
    $('checkin-open').addEventListener('click', () => {
      openPanel('checkin');
      $('checkin-error').textContent = '';
      $('checkin-code').focus();
    });
    document.querySelectorAll('[data-close-panel]').forEach((b) => b.addEventListener('click', closePanel));
    $('checkin-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const code = $('checkin-code').value.trim().toUpperCase();
      if (code.length >= 4) checkIn(code);
    });
    $('read-aloud').addEventListener('click', () => {
      readAloud = !readAloud;
      if (!readAloud) speech.hush();
      updateReadToggle();
    });
    elderly.onChange(onElderly);
    $('human').addEventListener('click', async () => {
      if (busy) return;
      setBusy(true);
      try { await callGuide('asked_for_human'); } catch (e) { addBotMessage(tr('screen.dialog.error')); }
      setBusy(false);
    });
    document.querySelectorAll('[data-action="done"]').forEach((b) => b.addEventListener('click', finish));
    document.querySelectorAll('[data-action="more"]').forEach((b) => b.addEventListener('click', () => {
      setState('dialog');
    }));
    document.querySelectorAll('[data-action="skip"]').forEach((b) => b.addEventListener('click', thanks));
    document.querySelectorAll('[data-rating]').forEach((b) => {
      b.addEventListener('click', () => rate(Number(b.dataset.rating), b));
    });
    // the chat keeps its last message in view when it shrinks (the digit pad comes up below it)
    new ResizeObserver(scrollChat).observe($('chat'));
    $('ticket-qr').addEventListener('error', () => { $('ticket-qr').closest('figure').hidden = true; });
    $('ticket-qr').addEventListener('load', () => { $('ticket-qr').closest('figure').hidden = false; });
    setInterval(tick, 250);
    setInterval(updateClock, 10000);
  }

  async function boot() {
    token = window.Device.takeToken(TOKEN_KEY);
    // staff typing #token=… into an open page: a fragment alone does not reload it
    window.addEventListener('hashchange', () => { if (/token=/.test(location.hash)) location.reload(); });
    bind();
    KioskOutcome.init({api, tr, el, newKey, formatSlot, showAppointment, lang: () => lang, session: () => session,
                       setState});
    updateReadToggle();
    applyI18n();
    await loadBundles();
    applyI18n();
    if (!token) { setState('setup'); return; }
    setState('idle');
    loadTaxonomy();
    listen();
  }

  boot();
})();
