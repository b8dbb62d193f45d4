// The drafts page: listens on the teachers' socket and, when a draft is held or decided in one of the teacher's
// courses, fetches the list again and merges it in: new drafts are added, decided ones removed, and a draft the
// teacher is editing is left exactly as it is. The status line (aria-live) says that the list changed.
"use strict";

(function () {
  const status = document.getElementById("draft-live-status");
  const list = document.getElementById("draft-list");
  if (!status || !list) return;
  let retry = 0;

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${status.dataset.socketPath}`);
    socket.onopen = () => { retry = 0; };
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "drafts_changed") refresh();
    };
    socket.onclose = (event) => {
      if (event.code === 4403) { status.textContent = status.dataset.textOffline; return; }
      retry = Math.min(retry + 1, 6);
      setTimeout(() => { connect(); refresh(); }, 250 * 2 ** retry);
    };
  }

  async function refresh() {
    const response = await fetch(status.dataset.listUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    if (merge(fresh)) status.textContent = status.dataset.textNew;
  }

  // Rows are keyed by their answer id; the server's HTML is our own, rendered with Django's escaping.
  function merge(fresh) {
    const incoming = new Map([...fresh.querySelectorAll("li.draft")].map((li) => [li.dataset.answer, li]));
    const shown = new Map([...list.querySelectorAll("li.draft")].map((li) => [li.dataset.answer, li]));
    let changed = false;
    shown.forEach((li, key) => { if (!incoming.has(key)) { li.remove(); changed = true; } });
    if (!list.querySelector("ul.draft-list") && incoming.size) {
      list.replaceChildren(document.importNode(fresh.querySelector("ul.draft-list"), true));
      return true;
    }
    const ul = list.querySelector("ul.draft-list");
    incoming.forEach((li, key) => {
      if (!shown.has(key)) { ul.append(document.importNode(li, true)); changed = true; }
    });
    if (ul && !ul.children.length) {
      const empty = fresh.querySelector(".draft-empty");
      list.replaceChildren(empty ? document.importNode(empty, true) : "");
    }
    return changed;
  }

  connect();
})();
