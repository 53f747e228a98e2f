/* What the hall decided, on the kiosk screen: an emergency (the line and the safety words), the
 * call-back form (name and phone; its phone input takes the on-screen digit pad), a hand-over
 * followed live until someone accepts it. The decision and its words are the hall's (the session
 * replies, POST /api/route); this only shows them. screen.js hands it what it needs in init().
 * Every text is put on screen with textContent, never as markup.
 */
window.KioskOutcome = (function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  let ctx = null;        // {api, tr, el, lang(), session(), setState(state), showAppointment(a), newKey()}
  let handover = null;   // the hand-over on screen, updated by the kiosk channel's `handover` events
  let callback = null;   // {business_type, desk}: the form on screen
  let contact = null;    // the name and phone given, for an appointment instead

  function init(context) {
    ctx = context;
    $('callback-form').addEventListener('submit', (ev) => { ev.preventDefault(); takeCallback(); });
    $('callback-book').addEventListener('click', offerSlots);
    $('callback-book-after').addEventListener('click', offerSlots);
  }

  function reset() {
    handover = null;
    callback = null;
    contact = null;
  }

  /* A reply's outcome, if it has a screen of its own: true when it was shown. */
  function show(r) {
    if (r.emergency) { showEmergency(r); return true; }
    if (r.handover) { showHandover(r.handover); return true; }
    if (r.callback && r.callback.id === null && document.body.dataset.mode === 'menu') {
      openCallback(r.callback, (r.messages || []).map((m) => m.text).join('\n'));
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- emergency
  function showEmergency(r) {
    const e = r.emergency;
    $('screen-emergency').dataset.kind = e.kind;
    $('emergency-title').textContent = ctx.tr('screen.emergency.' + e.kind);
    $('emergency-line').textContent = e.line;
    $('emergency-text').textContent = (r.messages || []).map((m) => m.text).join('\n');
    ctx.setState('emergency');
  }

  // ---------------------------------------------------------------- hand-over
  function showHandover(h) {
    handover = h;
    render();
    ctx.setState('handover');
  }

  function render() {
    if (!handover) return;
    $('handover-who').textContent = (handover.lines && handover.lines[ctx.lang()]) || '';
    $('screen-handover').dataset.status = handover.status;
    const token = /\/h\/([A-Za-z0-9_.\-]+)$/.exec(handover.status_url || '');
    const img = $('handover-qr');
    if (token) img.src = `/h/${token[1]}/qr.svg`;
    img.closest('figure').hidden = !token;
  }

  /* The kiosk channel: the hand-over on screen was accepted, passed on, or nobody took it. */
  function onHandover(data) {
    if (!handover || data.id !== handover.id) return;
    handover = Object.assign({}, handover, data);
    render();
    if (data.status === 'unanswered') {
      openCallback({business_type: data.business_type, desk: data.staff && data.staff.desk},
                   data.lines ? data.lines[ctx.lang()] : '');
    }
  }

  // ---------------------------------------------------------------- call-back
  function openCallback(form, line) {
    callback = form;
    $('callback-line').textContent = line || '';
    $('callback-form').hidden = false;
    $('callback-form').reset();
    $('callback-error').hidden = true;
    $('callback-done').hidden = true;
    $('callback-slots').replaceChildren();
    ctx.setState('callback');
  }

  function who() {
    const s = ctx.session() || {};
    return s.id ? {session_id: s.id} : (s.visitId ? {visit_id: s.visitId} : {});
  }

  function given() {
    const name = $('callback-name').value.trim();
    const phone = $('callback-phone').value.trim();
    if (!name || !phone) { fail('screen.callback.missing'); return null; }
    return {name, phone};
  }

  function fail(key) {
    const box = $('callback-error');
    box.textContent = ctx.tr(key);
    box.hidden = false;
  }

  async function takeCallback() {
    const details = given();
    if (!details || !callback) return;
    try {
      const r = await ctx.api('POST', '/api/callbacks', Object.assign(
        {business_type: callback.business_type, language: ctx.lang()}, details, who()),
        {'Idempotency-Key': ctx.newKey()});
      contact = details;
      $('callback-form').hidden = true;
      $('callback-taken').textContent = (r.messages || []).map((m) => m.text).join('\n');
      $('callback-done').hidden = false;
    } catch (e) {
      fail(e.code === 'invalid_phone' ? 'screen.callback.bad_phone' : 'screen.dialog.error');
    }
  }

  /* An appointment slot instead of waiting for the call (the existing booking). */
  async function offerSlots() {
    const details = contact || given();
    if (!details || !callback) return;
    let slots = [];
    try {
      const r = await ctx.api('GET', `/api/appointments/slots?business_type=${encodeURIComponent(callback.business_type)}&days=3`);
      slots = r.slots || [];
    } catch (e) { fail('screen.dialog.error'); return; }
    const box = $('callback-slots');
    box.replaceChildren(...slots.slice(0, 6).map((slot) => {
      const b = ctx.el('button', 'choice', ctx.formatSlot(slot));
      b.type = 'button';
      b.addEventListener('click', () => book(slot, details));
      return b;
    }));
    if (!slots.length) fail('screen.callback.no_slots');
  }

  async function book(slot, details) {
    try {
      const a = await ctx.api('POST', '/api/appointments', Object.assign(
        {slot_id: slot.id, business_type: callback.business_type}, details, who()),
        {'Idempotency-Key': ctx.newKey()});
      ctx.showAppointment(a);
    } catch (e) {
      fail(e.code === 'invalid_phone' ? 'screen.callback.bad_phone' : 'screen.dialog.error');
    }
  }

  return {init, reset, show, onHandover, relang: render};
})();
