/* The back-office desk: say you are available; hand-overs arrive live with a sound; accept (you go to
   the customer, or they come to you), decline, or say the customer was not found; work the call-backs;
   today's and tomorrow's appointments, refreshed when one is booked, checked in, cancelled or missed. */
"use strict";
(() => {
  const {api, t, el, live, alarm, beep, localTime} = Staff;
  const me = document.getElementById("me");
  const list = document.getElementById("handovers");
  const none = document.getElementById("no-handovers");
  const cardTpl = document.getElementById("handover-card");
  const presence = document.getElementById("presence");

  function showPresence(available) {
    me.dataset.available = String(available);
    presence.setAttribute("aria-pressed", String(available));
    presence.textContent = t(available ? "staff.desk.available" : "staff.desk.away");
  }

  presence.addEventListener("click", async () => {
    const want = me.dataset.available !== "true";
    try {
      const {data} = await api("POST", "/api/desk/presence", {available: want});
      showPresence(data.available);
      document.getElementById("roster").textContent = t(data.on_roster ? "staff.desk.on_roster" : "staff.desk.off_roster");
    } catch (e) { alert(e.message); }
  });

  async function act(h, action, body) {
    try { await api("POST", `/api/handovers/${h.id}/${action}`, body); }
    catch (e) { alert(e.message); }
    refreshHandovers();
  }

  function card(h) {
    const node = cardTpl.content.firstElementChild.cloneNode(true);
    node.dataset.id = h.id;
    node.dataset.status = h.status;
    node.classList.toggle("urgent", h.urgent);
    node.querySelector(".type").textContent = Staff.lang === "zh" ? h.business_type_zh : h.business_type_en;
    node.querySelector(".badge.urgent").hidden = !h.urgent;
    node.querySelector(".time").textContent = " " + localTime(h.created_at);
    const said = node.querySelector(".said");
    said.textContent = h.text; said.hidden = !h.text;
    node.querySelector(".status").textContent = t("staff.handover." + h.status);
    node.querySelector(".offered").hidden = h.status !== "offered";
    node.querySelector(".accepted").hidden = h.status !== "accepted";
    node.querySelectorAll(".accept").forEach((b) => b.addEventListener("click", () => act(h, "accept", {meet: b.dataset.meet})));
    node.querySelector(".decline").addEventListener("click", () => act(h, "decline"));
    node.querySelector(".not-found").addEventListener("click", () => act(h, "not-found"));
    return node;
  }

  let seen = null;
  async function refreshHandovers() {
    const {data} = await api("GET", "/api/desk/handovers");
    list.replaceChildren(...data.handovers.map(card));
    none.hidden = data.handovers.length > 0;
    const offered = data.handovers.filter((h) => h.status === "offered");
    if (seen) {
      const fresh = offered.filter((h) => !seen.has(h.id));
      if (fresh.length) alarm(t("staff.desk.new_handover"), fresh.some((h) => h.urgent));
    }
    seen = new Set(offered.map((h) => h.id));
  }

  function callbackItem(c) {
    const li = el("li", "callback");
    li.dataset.id = c.id;
    li.dataset.status = c.status;
    li.appendChild(el("b", null, c.name + " "));
    const phone = el("span", "phone", c.phone_masked);
    li.appendChild(phone);
    li.appendChild(el("div", "muted", (Staff.lang === "zh" ? c.business_type_zh : c.business_type_en) + " · "
                                     + localTime(c.created_at) + " · " + t("staff.callback." + c.status)));
    const reveal = el("button", "small reveal", t("staff.desk.show_number"));
    reveal.addEventListener("click", async () => {
      try { phone.textContent = (await api("POST", `/api/callbacks/${c.id}/phone`)).data.phone; }
      catch (e) { alert(e.message); }
    });
    li.appendChild(reveal);
    for (const status of ["called", "no_answer", "done"]) {
      const b = el("button", "small status-" + status, t("staff.callback.set_" + status));
      b.addEventListener("click", async () => {
        try { await api("POST", `/api/callbacks/${c.id}/status`, {status}); } catch (e) { alert(e.message); }
        refreshCallbacks();
      });
      li.appendChild(b);
    }
    return li;
  }

  async function refreshCallbacks() {
    const {data} = await api("GET", "/api/desk/callbacks");
    document.getElementById("callbacks").replaceChildren(...data.callbacks.filter((c) => c.status !== "done").map(callbackItem));
  }

  function appointmentItem(a) {
    const li = el("li", "appointment");
    li.dataset.code = a.code;
    li.dataset.status = a.status;
    li.appendChild(el("b", null, a.time + " "));
    li.appendChild(el("span", null, a.name + " " + a.phone_masked + " · " + a.code));
    li.appendChild(el("div", "muted", (Staff.lang === "zh" ? a.business_type_zh : a.business_type_en) + " · "
                                     + t("staff.appt." + a.status)));
    return li;
  }

  async function refreshAppointments() {
    for (const card of document.querySelectorAll(".appointments")) {
      const {data} = await api("GET", `/api/appointments?date=${card.dataset.date}`);
      card.querySelector("ul").replaceChildren(...data.appointments.map(appointmentItem));
      card.querySelector(".none").hidden = data.appointments.length > 0;
    }
  }

  document.getElementById("sound-on").addEventListener("click", () => beep(false));

  Staff.loadMessages().then(() => {
    showPresence(me.dataset.available === "true");
    refreshHandovers(); refreshCallbacks(); refreshAppointments();
    live("desk:" + me.dataset.staff, {
      open: () => { refreshHandovers(); refreshCallbacks(); refreshAppointments(); },
      handover: refreshHandovers, handover_gone: refreshHandovers, callback: refreshCallbacks,
      appointment: refreshAppointments,
    }, document.getElementById("live"));
  });
})();
