/* The guide's tablet: triages arrive live; confirm or correct; alerts beep; duty, flags, bookings. */
"use strict";
(() => {
  const {api, t, el, live, debounce, localTime} = Staff;
  const list = document.getElementById("triages");
  const none = document.getElementById("no-triages");
  const cardTpl = document.getElementById("triage-card");
  let audio = null;

  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.2;
      osc.connect(gain).connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + 0.35);
    } catch (e) { /* no audio on this device */ }
  }

  function alarm(text) {
    const box = document.getElementById("alarm");
    box.textContent = text; box.hidden = false;
    document.body.classList.add("alerting");
    setTimeout(() => { box.hidden = true; document.body.classList.remove("alerting"); }, 8000);
    beep();
  }

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

  async function refreshAlerts() {
    const {data} = await api("GET", "/api/guide-alerts");
    const ul = document.getElementById("alerts");
    ul.replaceChildren(...data.alerts.map((a) => {
      const li = el("li", "alert-item");
      li.appendChild(el("b", null, t("staff.reason." + a.reason)));
      li.appendChild(el("span", "time", " " + localTime(a.created_at)));
      if (a.text) li.appendChild(el("p", "said user", a.text));
      const done = el("button", "small", t("staff.guide.resolve"));
      done.addEventListener("click", async () => { await api("POST", `/api/guide-alerts/${a.id}/resolve`); refreshAlerts(); });
      li.appendChild(done);
      return li;
    }));
  }

  async function refreshHandovers() {
    const {data} = await api("GET", "/api/handovers");
    const ul = document.getElementById("handovers");
    ul.replaceChildren(...data.handovers.map((h) => {
      const li = el("li");
      li.appendChild(el("b", null, h.staff.name + " · " + h.staff.desk));
      li.appendChild(el("span", "muted", " " + h.business_type + " " + localTime(h.created_at)));
      const taken = el("button", "small", t("staff.guide.taken"));
      taken.addEventListener("click", async () => { await api("POST", `/api/handovers/${h.id}/taken`); refreshHandovers(); });
      li.appendChild(taken);
      return li;
    }));
  }

  async function refreshDuty() {
    const {data} = await api("GET", "/api/duty/staff");
    const body = document.getElementById("duty");
    body.replaceChildren(...data.staff.map((p) => {
      const tr = el("tr");
      const name = el("td"); name.appendChild(el("b", null, p.name)); name.appendChild(el("div", "muted", p.desk + " " + p.phone_masked));
      tr.appendChild(name);
      for (const field of ["on_duty", "available"]) {
        const td = el("td"), box = el("input");
        box.type = "checkbox"; box.checked = p[field]; box.dataset.staff = p.id; box.dataset.field = field;
        box.addEventListener("change", async () => {
          try { await api("PATCH", `/api/duty/staff/${p.id}`, {[field]: box.checked}); }
          catch (e) { box.checked = !box.checked; alert(e.message); }
        });
        td.appendChild(box); tr.appendChild(td);
      }
      return tr;
    }));
  }

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

  document.getElementById("sound-on").addEventListener("click", beep);

  const soon = debounce(refreshTriages, 60);
  Staff.loadMessages().then(() => {
    refreshTriages(); refreshAlerts(); refreshHandovers(); refreshDuty(); refreshFlags(); loadSlots();
    live("guide,hall,display", {
      open: () => { refreshTriages(); refreshAlerts(); },
      triage: onTriage, triage_decided: onDecided, queues: onQueues,
      alert: (a) => { refreshAlerts(); alarm(t("staff.reason." + a.reason)); },
      alert_resolved: refreshAlerts,
      handover: () => { refreshHandovers(); alarm(t("staff.guide.handover_new")); },
      flags: showFlags,
    }, document.getElementById("live"));
  });
})();
