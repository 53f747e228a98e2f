/* The hall display: the latest call large, the last calls, the waiting counts. It speaks nothing:
   the announcer process beside it does (python -m kiosk announcer). */
"use strict";
(() => {
  const {api, el, live, debounce, t} = Staff;
  const last = document.getElementById("last");
  let calls = [];

  function showCalls() {
    const [now, ...rest] = calls;
    document.getElementById("now-number").textContent = now ? now.number : "—";
    document.getElementById("now-counter").textContent = now ? now.counter : "";
    last.replaceChildren(...rest.slice(0, 6).map((c) => {
      const li = el("li"); li.appendChild(el("b", null, c.number)); li.appendChild(el("span", null, c.counter)); return li;
    }));
  }

  function onCall(c) {
    calls = [c, ...calls.filter((x) => x.number !== c.number)].slice(0, 8);
    showCalls();
    const now = document.querySelector(".now");
    now.classList.remove("flash"); void now.offsetWidth; now.classList.add("flash");
  }

  async function refreshWaiting() {
    const {data} = await api("GET", "/api/queues");
    document.getElementById("waiting").replaceChildren(...data.queues.map((q) => {
      const li = el("li"); li.appendChild(el("span", "q", q.queue + " " + (Staff.lang === "zh" ? q.zh : q.en)));
      li.appendChild(el("b", null, t("staff.display.people", {n: q.waiting}))); return li;
    }));
  }

  async function loadRecent() {
    calls = (await api("GET", "/api/calls/recent")).data.calls;
    showCalls();
  }

  function tick() { document.getElementById("clock").textContent = new Date().toLocaleTimeString("zh-CN", {hour12: false, timeZone: Staff.timeZone}); }
  setInterval(tick, 1000); tick();

  Staff.loadMessages().then(() => {
    loadRecent(); refreshWaiting();
    live("display", {call: onCall, queues: debounce(refreshWaiting, 100), open: refreshWaiting},
         document.getElementById("live"));
  });
})();
