/* The counter page: sign in at a counter (it opens under your name) and out, its queues, its
   current ticket, and the actions on it. */
"use strict";
(() => {
  const {api, t, el, live, debounce} = Staff;
  const pick = document.getElementById("counter");
  const openBox = document.getElementById("open");
  const queueBoxes = [...document.querySelectorAll("#queues input")];
  const message = document.getElementById("message");
  const me = document.getElementById("sign").dataset.me;
  let counters = [], current = null;

  const counterId = () => Number(pick.value);
  const say = (text, cls) => { message.textContent = text || ""; message.className = "result " + (cls || ""); };

  async function loadCounters() {
    counters = (await api("GET", "/api/counters")).data.counters;
    pick.replaceChildren(...counters.map((c) => { const o = el("option", null, c.name); o.value = c.id; return o; }));
    const mine = counters.find((c) => c.signed_in && c.signed_in.name === me);
    const saved = localStorage.getItem("staff.counter");
    if (mine) pick.value = mine.id;
    else if (saved && counters.some((c) => String(c.id) === saved)) pick.value = saved;
    showCounter();
  }

  function showCounter() {
    const c = counters.find((x) => x.id === counterId());
    if (!c) return;
    const who = c.signed_in && c.signed_in.name;
    document.getElementById("signed-in").textContent =
      who ? t("staff.counter.signed_in", {name: who}) : t("staff.counter.nobody_signed_in");
    document.getElementById("sign-in").hidden = who === me;
    document.getElementById("sign-out").hidden = !who;
    openBox.checked = c.is_open;
    for (const box of queueBoxes) box.checked = c.queues.includes(box.value);
    loadCurrent();
  }

  async function patch(body) {
    try {
      const {data} = await api("PATCH", `/api/counters/${counterId()}`, body);
      counters = counters.map((c) => (c.id === data.id ? data : c));
      showCounter();
    } catch (e) { say(e.message, "error"); showCounter(); }
  }

  pick.addEventListener("change", () => { localStorage.setItem("staff.counter", pick.value); showCounter(); });

  async function sign(action) {
    try {
      await api("POST", `/api/counters/${counterId()}/${action}`);
      const name = pick.options[pick.selectedIndex].textContent;
      say(t(action === "sign-in" ? "staff.counter.did_sign_in" : "staff.counter.did_sign_out", {counter: name}), "ok");
      localStorage.setItem("staff.counter", pick.value);
      await loadCounters();
    } catch (e) { say(e.message, "error"); }
  }
  document.getElementById("sign-in").addEventListener("click", () => sign("sign-in"));
  document.getElementById("sign-out").addEventListener("click", () => sign("sign-out"));
  openBox.addEventListener("change", () => patch({is_open: openBox.checked}));
  for (const box of queueBoxes) box.addEventListener("change", () => {
    const queues = queueBoxes.filter((b) => b.checked).map((b) => b.value);
    if (!queues.length) { box.checked = true; return; }
    patch({queues});
  });

  async function loadCurrent() {
    const {data} = await api("GET", `/api/counters/${counterId()}/current`);
    show(data.ticket);
  }

  async function show(ticket) {
    current = ticket;
    const box = document.getElementById("ticket");
    box.hidden = !ticket;
    if (!ticket) return;
    document.getElementById("t-number").textContent = ticket.number;
    document.getElementById("t-type").textContent = ticket.business_type;
    document.getElementById("t-status").textContent = t("staff.ticket." + ticket.status);
    document.getElementById("t-priority").hidden = !ticket.priority;
    const mats = document.getElementById("materials");
    mats.replaceChildren(...ticket.materials.map((m) => {
      const li = el("li"), label = el("label"), cb = el("input");
      cb.type = "checkbox"; label.appendChild(cb); label.appendChild(document.createTextNode(" " + m));
      li.appendChild(label); return li;
    }));
    const tri = document.getElementById("triage");
    tri.replaceChildren();
    const {data} = await api("GET", `/api/tickets/${ticket.id}/triage`);
    if (data.triage) {
      const x = data.triage;
      tri.appendChild(el("p", null, `${Staff.lang === "zh" ? x.business_type_zh : x.business_type_en} · ${Math.round(x.confidence * 100)}% · ${t("staff.status." + x.status)}`));
      for (const line of x.dialog) tri.appendChild(el("p", "said " + line.speaker, line.text));
      document.getElementById("t-type").textContent = Staff.lang === "zh" ? x.business_type_zh : x.business_type_en;
    } else {
      tri.appendChild(el("p", "muted", t("staff.counter.no_triage")));
    }
  }

  document.getElementById("call-next").addEventListener("click", async () => {
    try {
      const r = await api("POST", `/api/counters/${counterId()}/call-next`);
      if (r.status === 204) { say(t("staff.counter.nobody"), ""); show(null); return; }
      say(t("staff.counter.called", {number: r.data.number}), "ok");
      show(r.data);
    } catch (e) { say(e.message, "error"); }
  });

  for (const button of document.querySelectorAll("[data-act]")) {
    button.addEventListener("click", async () => {
      if (!current) return;
      const act = button.dataset.act;
      try {
        const body = act === "transfer" ? {queue: document.getElementById("transfer-to").value} : undefined;
        const {data} = await api("POST", `/api/tickets/${current.id}/${act}?counter_id=${counterId()}`, body);
        say(t("staff.counter.did_" + act.replace("-", "_"), {number: data.number}), "ok");
        show(["waiting", "done", "no_show", "cancelled"].includes(data.status) ? null : data);
      } catch (e) { say(e.message, "error"); }
    });
  }

  async function refreshWaiting() {
    const {data} = await api("GET", "/api/queues");
    document.getElementById("waiting").replaceChildren(...data.queues.map((q) =>
      el("li", null, `${q.queue} · ${Staff.lang === "zh" ? q.zh : q.en}: ${q.waiting}`)));
  }

  Staff.loadMessages().then(() => {
    loadCounters(); refreshWaiting();
    live("display", {queues: debounce(refreshWaiting, 100), call: debounce(refreshWaiting, 100)});
  });
})();
