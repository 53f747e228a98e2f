/* The guide's tablet: triages arrive live; confirm or correct; alerts beep (urgent ones first, louder);
   hand-overs and the back-office roster to see; flags, bookings, priority tickets. */
"use strict";
(() => {
  const {api, t, el, live, alarm, beep, debounce, localTime} = Staff;
  const list = document.getElementById("triages");
  const none = document.getElementById("no-triages");
  const cardTpl = document.getElementById("triage-card");
  function flagBadges(tr) {
    const out = [];
    if (tr.flags.low_confidence) out.push(["low", t("staff.flag.low_confidence")]);
    if (tr.flags.asked_for_human) out.push(["human", t("staff.flag.asked_for_human")]);
    if (tr.flags.priority) out.push(["prio", t("staff.flag.priority")]);
    return out;
  }

  function fill(node, tr) {
    node.querySelector(".number").textContent = tr.ticket ? tr.ticket.number : "—";
    node.querySelector(".type").textContent = Staff.lang === "zh" ? tr.business_type_zh : tr.business_type_en;
    node.querySelector(".conf").textContent = Math.round(tr.confidence * 100) + "%";
    const flags = node.querySelector(".flags");
    flags.replaceChildren(...flagBadges(tr).map(([cls, text]) => el("span", "badge " + cls, text)),
                          el("span", "time", localTime(tr.created_at)));
    node.querySelector(".dialog").replaceChildren(...tr.dialog.map((line) => el("li", "said " + line.speaker, line.text)));
    node.classList.toggle("attention", tr.flags.low_confidence || tr.flags.asked_for_human);
  }

  /* a card is made once and then updated in place, so a guide's half-made choice survives refreshes */
  function card(tr) {
    const node = cardTpl.content.firstElementChild.cloneNode(true);
    node.dataset.id = tr.id;
    const select = node.querySelector(".correct-to");
    select.value = tr.business_type;
    node.querySelector(".confirm").addEventListener("click", () => decide(tr.id, "confirm"));
    node.querySelector(".correct").addEventListener("click", () =>
      decide(tr.id, "correct", {business_type: select.value}));
    return node;
  }

  async function decide(id, action, body) {
    try {
      await api("POST", `/api/triages/${id}/${action}`, body);
      refreshTriages();
    } catch (e) { alert(e.message); }
  }

  let seen = null, queue = Promise.resolve();
  /* one refresh at a time: two overlapping ones would both add the same new card */
  function refreshTriages() {
    queue = queue.then(loadTriages, loadTriages);
    return queue;
  }

  async function loadTriages() {
    const {data} = await api("GET", "/api/triages?status=pending");
    const have = new Map([...list.children].map((n) => [n.dataset.id, n]));
    let before = list.firstElementChild;
    for (const tr of data.triages) {
      let node = have.get(String(tr.id));
      have.delete(String(tr.id));
      if (!node) node = card(tr);
      fill(node, tr);
      if (node !== before) list.insertBefore(node, before); else before = before.nextElementSibling;
    }
    for (const gone of have.values()) gone.remove();
    settle(data.triages);
  }

  /* one new triage: fetch just it (twenty tablets re-reading the whole list on every event is load) */
  async function addTriage(id) {
    const {data: tr} = await api("GET", `/api/triages/${id}`);
    let node = list.querySelector(`li[data-id="${tr.id}"]`);
    if (tr.status !== "pending") { if (node) node.remove(); return; }
    if (!node) { node = card(tr); list.insertBefore(node, list.firstElementChild); }
    fill(node, tr);
    settle([tr], true);
  }

  function settle(triages, added) {
    none.hidden = list.children.length > 0;
    if (seen) {
      const fresh = triages.filter((x) => !seen.has(x.id));
      if (fresh.some((x) => x.flags.low_confidence || x.flags.asked_for_human)) alarm(t("staff.guide.attention"));
    }
    seen = added && seen ? new Set([...seen, ...triages.map((x) => x.id)]) : new Set(triages.map((x) => x.id));
  }

  function onTriage(ev) {
    if (!ev.id) { soon(); return; }
    queue = queue.then(() => addTriage(ev.id), () => addTriage(ev.id));
  }

  function onDecided(ev) {
    const node = list.querySelector(`li[data-id="${Number(ev.id)}"]`);
    if (node) node.remove();
    none.hidden = list.children.length > 0;
  }

  /* a ticket was issued or moved somewhere in the hall: only cards still waiting for their number care */
  function onQueues() {
    if ([...list.querySelectorAll(".number")].some((n) => n.textContent === "—")) soon();
  }

  /* urgent calls (danger, an outage at home, an angry customer) come first, marked and with their own sound */
  async function refreshAlerts() {
    const {data} = await api("GET", "/api/guide-alerts");
    const ul = document.getElementById("alerts");
    ul.replaceChildren(...data.alerts.map((a) => {
      const li = el("li", "alert-item" + (a.urgent ? " urgent" : ""));
      li.dataset.id = a.id;
      if (a.urgent) li.appendChild(el("span", "badge urgent", t("staff.guide.urgent")));
      li.appendChild(el("b", null, t("staff.reason." + a.reason)));
      li.appendChild(el("span", "time", " " + localTime(a.created_at)));
      if (a.text) li.appendChild(el("p", "said user", a.text));
      const done = el("button", "small", t("staff.guide.resolve"));
      done.addEventListener("click", async () => { await api("POST", `/api/guide-alerts/${a.id}/resolve`); refreshAlerts(); });
      li.appendChild(done);
      return li;
    }));
  }

  /* who the back office is taking, read only: the desks accept or decline on their own page */
  async function refreshHandovers() {
    const {data} = await api("GET", "/api/handovers");
    const ul = document.getElementById("handovers");
    ul.replaceChildren(...data.handovers.map((h) => {
      const li = el("li", h.urgent ? "urgent" : null);
      li.appendChild(el("b", null, h.staff.name + " · " + h.staff.desk));
      li.appendChild(el("span", "badge", t("staff.handover." + h.status)));
      li.appendChild(el("span", "muted", " " + (Staff.lang === "zh" ? h.business_type_zh : h.business_type_en) + " " + localTime(h.created_at)));
      return li;
    }));
  }

  /* the back-office roster: on duty now and present on their desk page (not a guide's toggle) */
  async function refreshDuty() {
    const {data} = await api("GET", "/api/duty/staff");
    const body = document.getElementById("duty");
    body.replaceChildren(...data.staff.map((p) => {
      const tr = el("tr", p.reachable ? "reachable" : null);
      tr.dataset.staff = p.id;
      const name = el("td"); name.appendChild(el("b", null, p.name)); name.appendChild(el("div", "muted", p.desk + " " + p.phone_masked));
      tr.appendChild(name);
      for (const field of ["on_roster", "available"]) tr.appendChild(el("td", field, p[field] ? "✓" : "—"));
      return tr;
    }));
  }

  /* 绿色通道: a priority ticket for an elderly, disabled or pregnant customer (audited) */
  const prioForm = document.getElementById("priority");
  prioForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(prioForm), out = document.getElementById("priority-result");
    try {
      const {data} = await api("POST", "/api/tickets", {business_type: f.get("business_type"), priority: true,
                                                        priority_reason: f.get("reason")});
      out.textContent = t("staff.guide.priority_issued", {number: data.number});
      out.className = "result ok";
    } catch (e) { out.textContent = e.message; out.className = "result error"; }
  });

  function showFlags(flags) {
    for (const k of ["rain", "wet_floor"]) document.getElementById("flag-" + k).checked = !!flags[k];
  }

  async function refreshFlags() { showFlags((await api("GET", "/api/hall/flags")).data); }

  for (const k of ["rain", "wet_floor"]) {
    const box = document.getElementById("flag-" + k);
    box.addEventListener("change", async () => {
      try { showFlags((await api("PUT", "/api/hall/flags", {[k]: box.checked})).data); }
      catch (e) { box.checked = !box.checked; alert(e.message); }
    });
  }

  const bookForm = document.getElementById("book");
  const bookType = document.getElementById("book-type");
  const bookSlot = document.getElementById("book-slot");
  async function loadSlots() {
    if (!bookType.value) return;
    const {data} = await api("GET", `/api/appointments/slots?business_type=${encodeURIComponent(bookType.value)}&days=7`);
    bookSlot.replaceChildren(...data.slots.map((s) => {
      const o = el("option", null, Staff.localDateTime(s.start) + ` (${s.free})`);
      o.value = s.id; return o;
    }));
  }
  bookType.addEventListener("change", loadSlots);
  bookForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(bookForm), out = document.getElementById("book-result");
    try {
      const {data} = await api("POST", "/api/appointments", {slot_id: Number(f.get("slot_id")),
        business_type: f.get("business_type"), name: f.get("name"), phone: f.get("phone")});
      out.textContent = t("staff.guide.booked", {code: data.code, phone: data.phone_masked});
      out.className = "result ok";
      bookForm.reset(); loadSlots();
    } catch (e) { out.textContent = e.message; out.className = "result error"; }
  });

  document.getElementById("sound-on").addEventListener("click", () => beep(false));

  const soon = debounce(refreshTriages, 60);
  Staff.loadMessages().then(() => {
    refreshTriages(); refreshAlerts(); refreshHandovers(); refreshDuty(); refreshFlags(); loadSlots();
    live("guide,hall,display", {
      open: () => { refreshTriages(); refreshAlerts(); },
      triage: onTriage, triage_decided: onDecided, queues: onQueues,
      alert: (a) => { refreshAlerts(); alarm(t("staff.reason." + a.reason), a.urgent); },
      alert_resolved: refreshAlerts,
      handover: refreshHandovers,
      duty: refreshDuty,
      flags: showFlags,
    }, document.getElementById("live"));
  });
})();
