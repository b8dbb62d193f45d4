// The student page: log in, pick a course, chat with the tutor over /ws/tutor/.
// Model output is only ever set with textContent, never parsed as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { socket: null, course: null, conversation: null, retry: 0, items: new Map(), lastComplete: null, outbox: new Map() };

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function uuid4() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json", "X-CSRFToken": csrfToken() };
  const response = await fetch(path, { credentials: "same-origin", ...options, headers });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body.error && body.error.detail) || `HTTP ${response.status}`);
  return body;
}

function setStatus(text) { $("status").textContent = text; }
function showError(id, text) { $(id).textContent = text || ""; }

// --- messages ------------------------------------------------------------------

function renderMessage(message) {
  let li = state.items.get(message.message_id);
  if (!li) {
    li = document.createElement("li");
    li.append(document.createElement("span"));
    state.items.set(message.message_id, li);
    $("messages").append(li);
  }
  li.className = `${message.role} ${message.status}`;
  li.firstChild.textContent = message.text || (message.status === "failed" ? "The tutor could not answer this." : "");
  setConfidence(li, message.confidence);
  if (message.status === "complete") state.lastComplete = Math.max(state.lastComplete || 0, message.message_id);
  li.scrollIntoView({ block: "end" });
  return li;
}

function setConfidence(li, confidence) {
  let note = li.querySelector(".confidence");
  if (confidence === null || confidence === undefined) { if (note) note.remove(); return; }
  if (!note) { note = document.createElement("small"); note.className = "confidence"; li.append(note); }
  note.textContent = `confidence ${Math.round(confidence * 100)}%`;
}

function appendToken(messageId, text) {
  const li = state.items.get(messageId) || renderMessage({ message_id: messageId, role: "tutor", status: "pending", text: "" });
  li.firstChild.textContent += text;
  li.scrollIntoView({ block: "end" });
}

function clearMessages() {
  $("messages").replaceChildren();
  state.items.clear();
  state.lastComplete = null;
}

// --- socket --------------------------------------------------------------------

const handlers = {
  ack(frame) {
    const question = state.outbox.get(frame.client_msg_id) || "";
    state.outbox.delete(frame.client_msg_id);
    if (state.conversation !== frame.conversation) {
      state.conversation = frame.conversation;
      addConversationOption(frame.conversation, question || "New conversation", true);
    }
    renderMessage({ message_id: frame.question_id, role: "student", status: "complete", text: question });
    renderMessage({ message_id: frame.message_id, role: "tutor", status: "pending", text: "" });
  },
  token(frame) { appendToken(frame.message_id, frame.text); },
  answer(frame) { renderMessage({ ...frame, role: "tutor", status: "complete" }); },
  history(frame) {
    if (frame.conversation !== state.conversation) return;
    frame.messages.forEach(renderMessage);
  },
  error(frame) {
    showError("chat-error", frame.detail);
    const li = frame.message_id && state.items.get(frame.message_id);
    if (li) li.className = "tutor failed";
  },
};

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/tutor/`);
  state.socket = socket;
  setStatus("connecting…");
  socket.onopen = () => {
    state.retry = 0;
    setStatus("online");
    if (state.conversation) send({ type: "history", conversation: state.conversation, after: state.lastComplete });
  };
  socket.onmessage = (event) => {
    const frame = JSON.parse(event.data);
    (handlers[frame.type] || (() => {}))(frame);
  };
  socket.onclose = () => {
    setStatus("offline, reconnecting…");
    state.retry = Math.min(state.retry + 1, 6);
    setTimeout(connect, 250 * 2 ** state.retry);
  };
}

function send(frame) {
  if (!state.socket || state.socket.readyState !== WebSocket.OPEN) {
    showError("chat-error", "Not connected yet; please try again in a moment.");
    return false;
  }
  state.socket.send(JSON.stringify(frame));
  return true;
}

// --- course and conversation pickers ---------------------------------------------

function addConversationOption(id, title, select) {
  const option = document.createElement("option");
  option.value = id;
  option.textContent = title.slice(0, 60);
  $("conversation").append(option);
  if (select) $("conversation").value = String(id);
}

async function loadConversations() {
  const { conversations } = await api(`/api/courses/${state.course}/conversations`);
  $("conversation").replaceChildren(new Option("New conversation", ""));
  conversations.forEach((c) => addConversationOption(c.id, c.title || `Conversation ${c.id}`, false));
  selectConversation(null);
}

function selectConversation(id) {
  state.conversation = id;
  $("conversation").value = id ? String(id) : "";
  clearMessages();
  if (id) send({ type: "history", conversation: id, after: null });
}

async function start() {
  let me;
  try { me = await api("/api/me"); } catch { $("login").hidden = false; return; }
  $("login").hidden = true;
  $("chat").hidden = false;
  $("who").hidden = $("logout").hidden = false;
  $("who").textContent = me.username;
  $("course").replaceChildren(...me.courses.map((c) => new Option(c.title, c.id)));
  if (!me.courses.length) { showError("chat-error", "You are not enrolled in any course yet."); return; }
  state.course = Number($("course").value);
  connect();
  await loadConversations();
}

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    await api("/api/auth/login", { method: "POST", body: JSON.stringify({ username: form.get("username"), password: form.get("password") }) });
    showError("login-error", "");
    await start();
  } catch (error) { showError("login-error", error.message); }
});

$("logout").addEventListener("click", async () => { await api("/api/auth/logout", { method: "POST" }); location.reload(); });
$("course").addEventListener("change", async () => { state.course = Number($("course").value); await loadConversations(); });
$("conversation").addEventListener("change", () => selectConversation(Number($("conversation").value) || null));

$("ask").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("question").value.trim();
  if (!text) return;
  showError("chat-error", "");
  const frame = { type: "ask", course: state.course, conversation: state.conversation, text, client_msg_id: uuid4() };
  state.outbox.set(frame.client_msg_id, text);
  if (send(frame)) $("question").value = "";
});
$("question").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("send").click(); }
});

start();
