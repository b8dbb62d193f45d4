// The student page: log in, pick a course, chat with the tutor over /ws/tutor/, and practise items.
// Model output and course content are only ever set with textContent, never parsed as HTML.
"use strict";
// Every word a student reads goes through gettext(): the catalog (/jsi18n/, loaded before this script) holds them
// in the page's language. Words the server sends (error details) come already translated.

const $ = (id) => document.getElementById(id);
const state = {
  socket: null, course: null, conversation: null, retry: 0, outbox: new Map(), lastComplete: null,
  conversationPicks: 0, // how often the student picked a conversation themselves
  items: new Map(), // message id -> its <li>
  messages: new Map(), // message id -> what the server last said of it (frames and history merged)
};

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

function socketOpen() { return Boolean(state.socket) && state.socket.readyState === WebSocket.OPEN; }
function setStatus(text) { $("status").textContent = text; }
function showError(id, text) { $(id).textContent = text || ""; }

// --- messages ------------------------------------------------------------------

// ``update`` is a history message or a frame about one message; what it leaves out stays as it was.
function renderMessage(update) {
  const message = { ...(state.messages.get(update.message_id) || {}), ...update };
  state.messages.set(message.message_id, message);
  let li = state.items.get(message.message_id);
  if (!li) {
    li = document.createElement("li");
    li.append(document.createElement("span"));
    state.items.set(message.message_id, li);
    $("messages").append(li);
  }
  li.className = `${message.role} ${message.status}`;
  // A screen reader announces an answer once, when it is complete, not token by token while it streams.
  li.setAttribute("aria-busy", String(message.status === "pending"));
  const text = li.firstChild;
  text.textContent = message.text || (message.status === "failed" ? failedText(message) : "");
  li.replaceChildren(text, ...messageNotes(message));
  // A held draft is not final: a resync must ask for it again, in case it was decided while the page was away.
  if (message.status === "complete" && message.draft !== "held") {
    state.lastComplete = Math.max(state.lastComplete || 0, message.message_id);
  }
  li.scrollIntoView({ block: "end" });
  return li;
}

// Why an answer failed, in its place: the error frame's own words live, a known code's words from history.
const FAILED_TEXTS = {
  off_topic: gettext("The tutor only answers questions about this course, and this question did not seem to be about it."),
};

function failedText(message) {
  return message.error_detail || FAILED_TEXTS[message.error_code] || gettext("The tutor could not answer this.");
}

// What is shown under a message's text. A teacher's correction stands in for the answer: the answer's confidence,
// its sources and its "cut short" note were about the tutor's text, so only the correction's mark is left.
function messageNotes(message) {
  if (message.corrected) return [note("small", "corrected", gettext("corrected by your teacher"))];
  // A draft held for the teacher: its text is the server's notice. Sent after the wait: the server's label.
  if (message.draft === "held") return [];
  if (message.draft === "unchecked" && message.label) return [note("small", "unchecked", message.label)];
  if (message.draft) return [];
  const notes = answerSources(message).map((source) => note("p", "source", sourceLine(source)));
  if (message.truncated === true) notes.push(note("small", "truncated", gettext("This answer was cut short.")));
  if (message.abstained === true) {
    notes.push(note("small", "abstained", gettext("waiting for your teacher")));
  } else if (typeof message.confidence === "number") {
    notes.push(note("small", "confidence", interpolate(gettext("confidence %(percent)s%"), { percent: Math.round(message.confidence * 100) }, true)));
  }
  return notes;
}

function note(tag, className, text) {
  const element = document.createElement(tag);
  element.className = className;
  element.textContent = text;
  return element;
}

function answerSources(message) {
  if (!Array.isArray(message.sources)) return [];  // older servers send none
  return message.sources.filter((source) => source && typeof source.text === "string" && source.text.trim());
}

function sourceLine(source) {
  const title = typeof source.title === "string" && source.title.trim() ? `${source.title.trim()}: ` : "";
  return interpolate(gettext("From the course notes: %(title)s“%(text)s”"), { title, text: source.text.trim() }, true);
}

function appendToken(messageId, text) {
  const li = state.items.get(messageId);
  li.firstChild.textContent += text;
  li.scrollIntoView({ block: "end" });
}

function clearMessages() {
  $("messages").replaceChildren();
  state.items.clear();
  state.messages.clear();
  state.lastComplete = null;
}

// --- socket --------------------------------------------------------------------

const handlers = {
  ack(frame) {
    const question = state.outbox.get(frame.client_msg_id) || "";
    state.outbox.delete(frame.client_msg_id);
    if (state.conversation !== frame.conversation) {
      state.conversation = frame.conversation;
      addConversationOption(frame.conversation, question || gettext("New conversation"));
      refreshConversations();  // the server's title for it
    }
    renderMessage({ message_id: frame.question_id, role: "student", status: "complete", text: question });
    renderMessage({ message_id: frame.message_id, role: "tutor", status: "pending", text: "" });
  },
  // An answer's frames go on arriving after the student has switched to another conversation (this socket asked
  // for the old one's history while the answer was pending): only a message on screen is written to.
  token(frame) { if (state.messages.has(frame.message_id)) appendToken(frame.message_id, frame.text); },
  // Another inference worker took the answer over and writes it again from the start.
  restart(frame) {
    if (state.messages.has(frame.message_id)) renderMessage({ message_id: frame.message_id, role: "tutor", status: "pending", text: "" });
  },
  answer(frame) { if (state.messages.has(frame.message_id)) renderMessage({ ...frame, role: "tutor", status: "complete" }); },
  // The answer waits for the teacher (draft approval): the notice stands in its place until "released".
  held(frame) {
    if (!state.messages.has(frame.message_id)) return;
    renderMessage({ message_id: frame.message_id, role: "tutor", status: "complete", text: frame.text, draft: "held" });
  },
  released(frame) {
    if (!state.messages.has(frame.message_id)) return;
    renderMessage({ message_id: frame.message_id, text: frame.text, draft: frame.outcome, label: frame.label });
  },
  correction(frame) {
    // A teacher corrected an answer: shown in its place, whichever conversation is open (history has it too).
    if (!state.messages.has(frame.message_id)) return;
    renderMessage({ message_id: frame.message_id, text: frame.text, corrected: true });
  },
  history(frame) {
    if (frame.conversation !== state.conversation) return;
    frame.messages.forEach(renderMessage);
  },
  item(frame) { practiceShowItem(frame); },
  no_open_item(frame) { practiceShowNoOpenItem(frame); },
  graded(frame) { practiceShowGraded(frame); },
  error(frame) {
    if (isPracticeError(frame)) { practiceShowError(frame); return; }
    showError("chat-error", frame.detail);
    if (frame.message_id && state.items.has(frame.message_id)) {
      renderMessage({ message_id: frame.message_id, status: "failed", error_code: frame.code, error_detail: frame.detail });
    }
  },
};

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/tutor/`);
  state.socket = socket;
  setStatus(gettext("connecting…"));
  socket.onopen = () => {
    state.retry = 0;
    setStatus(gettext("online"));
    if (state.conversation) send({ type: "history", conversation: state.conversation, after: state.lastComplete });
    practiceAskOpenItem();
  };
  socket.onmessage = (event) => {
    const frame = JSON.parse(event.data);
    (handlers[frame.type] || (() => {}))(frame);
  };
  socket.onclose = (event) => {
    // 4401: the session ended (logged out elsewhere, password changed); reconnecting would be refused, so the
    // page starts again at the login form (docs/protocol.md).
    if (event.code === 4401) { location.reload(); return; }
    setStatus(gettext("offline, reconnecting…"));
    practiceConnectionLost();
    state.retry = Math.min(state.retry + 1, 6);
    setTimeout(connect, 250 * 2 ** state.retry);
  };
}

function send(frame, errorId = "chat-error") {
  if (!socketOpen()) {
    showError(errorId, gettext("Not connected yet; please try again in a moment."));
    return false;
  }
  state.socket.send(JSON.stringify(frame));
  return true;
}

// --- practice ------------------------------------------------------------------
// One item at a time for the selected course. The open item stays on screen across reconnects, and a page that
// (re)loads or selects a course asks for it (open_item): the server keeps it open, and the tutor hints on it.

const PRACTICE_CODES = new Set(["no_items", "no_other_item", "unknown_skill", "item_not_open", "item_already_answered", "response_too_long"]);
const practice = { item: null, open: false, mode: null, waiting: null, answered: null };
// ?skill=<key> (where an LMS practice activity lands) keeps "Practice" on that skill, in the course it came with.
const focus = { course: null, skill: new URLSearchParams(location.search).get("skill") };

function focusSkill() {
  return focus.skill && focus.course === state.course ? focus.skill : null;
}
const PRACTICE_WAITING_TEXT = { next_item: gettext("Finding an item…"), submit: gettext("Checking your answer…") };

function isPracticeError(frame) {
  if (frame.client_msg_id || frame.message_id) return false;
  if (PRACTICE_CODES.has(frame.code) || "item_id" in frame || "course" in frame) return true;
  // A next_item/submit frame the server could not parse (invalid_field, ...) carries no id; the server
  // answers frames in order, so an unlabelled error while a practice request waits is that request's.
  return practice.waiting !== null;
}

function practiceSetWaiting(kind) {
  practice.waiting = kind;
  const busy = kind !== null;
  $("practice-diagnose").disabled = busy;
  $("practice-practice").disabled = busy;
  $("practice-next").disabled = busy;
  $("practice-submit").disabled = busy || !practice.open;
  $("practice-form").setAttribute("aria-busy", String(busy && kind === "submit"));
  $("practice-status").textContent = PRACTICE_WAITING_TEXT[kind] || "";
}

function practiceSetOpen(open) {
  practice.open = open;
  $("practice-note").hidden = !open;
  $("practice-submit").disabled = !open || practice.waiting !== null;
  $("practice-response").disabled = !open;
  $("practice-choice-list").querySelectorAll("input").forEach((input) => { input.disabled = !open; });
}

function practiceClearResult() {
  $("practice-verdict").textContent = "";
  $("practice-verdict").className = "";
  $("practice-expected").textContent = "";
  $("practice-expected").hidden = true;
  $("practice-mastery").replaceChildren();
  $("practice-mastery").hidden = true;
  $("practice-misconception").textContent = "";
  $("practice-misconception").hidden = true;
  $("practice-ask").hidden = true;
  practice.answered = null;
  $("practice-next").hidden = true;
}

function practiceReset() {
  practice.item = null;
  practice.mode = null;
  practiceSetOpen(false);
  practiceSetWaiting(null);
  practiceClearResult();
  $("practice-item").hidden = true;
  showError("practice-error", "");
}

function practiceRequest(mode) {
  if (practice.waiting || !state.course) return;
  showError("practice-error", "");
  const frame = { type: "next_item", course: state.course, mode };
  if (mode === "practice" && focusSkill()) frame.skill = focusSkill();
  if (!send(frame, "practice-error")) return;
  practice.mode = mode;
  practiceSetWaiting("next_item");
}

function practiceAskOpenItem() {
  if (!state.course || practice.waiting || !socketOpen()) return;
  if (send({ type: "open_item", course: state.course }, "practice-error")) practiceSetWaiting("open_item");
}

function practiceShowItem(frame) {
  // A reply for the course the student left: the request it answers was dropped when they switched.
  if (frame.course !== state.course) return;
  const restoring = practice.waiting === "open_item";
  if (restoring && practice.open && practice.item && practice.item.item_id === frame.item_id) {
    practiceSetWaiting(null);  // a reconnect: the item on screen is still open, and what was typed stays
    return;
  }
  if (restoring || !practice.mode) practice.mode = frame.mode === "diagnose" ? "diagnose" : "practice";
  practice.item = frame;
  practiceClearResult();
  showError("practice-error", "");
  $("practice-skill").textContent = frame.skill_name || frame.skill || "";
  $("practice-mode").textContent = frame.mode === "review" ? gettext("(review)") : frame.mode === "diagnose" ? gettext("(diagnosis)") : "";
  $("practice-prompt").textContent = frame.prompt;
  const list = $("practice-choice-list");
  list.replaceChildren();
  const choices = Array.isArray(frame.choices) ? frame.choices : null;
  if (choices) {
    choices.forEach((choice, index) => {
      const label = document.createElement("label");
      label.className = "choice";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "practice-choice";
      input.value = choice.key;
      input.id = `practice-choice-${index}`;
      const text = document.createElement("span");
      text.textContent = choice.text;
      label.append(input, text);
      list.append(label);
    });
  }
  $("practice-choices").hidden = !choices;
  $("practice-text-label").hidden = Boolean(choices);
  $("practice-response").value = "";
  $("practice-item").hidden = false;
  practiceSetWaiting(null);
  practiceSetOpen(true);
  if (restoring) return;  // shown again on load: the student did not ask for it, so focus stays where it is
  const first = choices ? list.querySelector("input") : $("practice-response");
  if (first) first.focus();
}

function practiceShowNoOpenItem(frame) {
  if (frame.course !== state.course) return;
  practiceSetWaiting(null);
  if (!practice.open && !practice.item && focusSkill()) { practiceRequest("practice"); return; }  // landed on practice
  if (!practice.open) return;  // nothing open on screen either (or a graded item, whose result stays)
  practiceSetOpen(false);  // answered or replaced elsewhere (another tab) while this page was away
  showError("practice-error", gettext("This item is no longer open. Ask for a new item with “Diagnose me” or “Practice”."));
}

function practiceResponse() {
  if (practice.item && Array.isArray(practice.item.choices)) {
    const checked = $("practice-choice-list").querySelector("input:checked");
    return checked ? checked.value : "";
  }
  return $("practice-response").value.trim();
}

function practiceSubmit() {
  if (!practice.item || !practice.open || practice.waiting) return;
  const response = practiceResponse();
  if (!response) {
    showError("practice-error", practice.item.choices ? gettext("Choose an answer first.") : gettext("Type an answer first."));
    return;
  }
  showError("practice-error", "");
  practice.lastResponse = response;
  if (send({ type: "submit", item_id: practice.item.item_id, response }, "practice-error")) practiceSetWaiting("submit");
}

function masteryRow(skill, skillName, value) {
  const percent = Math.max(0, Math.min(100, Math.round(Number(value) * 100)));
  const li = document.createElement("li");
  const name = document.createElement("span");
  name.className = "mastery-skill";
  name.textContent = skillLabel(skill, skillName);
  const track = document.createElement("div");
  track.className = "mastery-track";
  track.setAttribute("aria-hidden", "true");
  const bar = document.createElement("div");
  bar.className = "mastery-bar";
  bar.style.width = `${percent}%`;
  track.append(bar);
  const number = document.createElement("span");
  number.className = "mastery-percent";
  number.textContent = `${percent}%`;
  li.append(name, track, number);
  return li;
}

// The skill's name when the server sent one (older servers send keys only).
function skillLabel(key, name) { return typeof name === "string" && name ? name : key; }

function practiceShowGraded(frame) {
  if (!practice.item || frame.item_id !== practice.item.item_id) { practiceSetWaiting(null); return; }
  practiceSetWaiting(null);
  practiceSetOpen(false);
  showError("practice-error", "");
  $("practice-verdict").textContent = frame.correct ? gettext("Correct!") : gettext("Not quite.");
  $("practice-verdict").className = frame.correct ? "correct" : "incorrect";
  if (!frame.correct && frame.expected !== undefined && frame.expected !== null) {
    const choice = (practice.item.choices || []).find((c) => c.key === frame.expected);
    const expected = choice ? `${choice.key}: ${choice.text}` : String(frame.expected);
    $("practice-expected").textContent = interpolate(gettext("The expected answer: %(expected)s"), { expected }, true);
    $("practice-expected").hidden = false;
  }
  practiceShowMisconception(frame);
  const names = frame.skill_names || {};
  const rows = Object.entries(frame.mastery || {}).map(([skill, value]) => masteryRow(skill, names[skill], value));
  $("practice-mastery").replaceChildren(...rows);
  $("practice-mastery").hidden = rows.length === 0;
  $("practice-next").hidden = false;
  $("practice-next").focus();
}

// A wrong answer: what it shows (one line), and a button that asks the tutor about it with the item, the answer
// and the misconception in the tutor's context (the ask frame's about_attempt).
function practiceShowMisconception(frame) {
  if (frame.correct || typeof frame.attempt_id !== "number") return;
  practice.answered = { attempt: frame.attempt_id, response: practice.lastResponse || "" };
  const misconception = frame.misconception;
  if (misconception && typeof misconception.text === "string") {
    $("practice-misconception").textContent = interpolate(gettext("Why: %(reason)s"), { reason: misconception.text }, true);
    $("practice-misconception").hidden = false;
  }
  $("practice-ask").hidden = false;
}

function practiceAskTutor() {
  if (!practice.answered || !state.course) return;
  const shown = practice.item && Array.isArray(practice.item.choices)
    ? (practice.item.choices.find((c) => c.key === practice.answered.response) || {}).text : practice.answered.response;
  const text = interpolate(gettext("Why is my answer “%(answer)s” wrong?"), { answer: shown || practice.answered.response }, true);
  const frame = { type: "ask", course: state.course, conversation: state.conversation, text, client_msg_id: uuid4(),
                  about_attempt: practice.answered.attempt };
  state.outbox.set(frame.client_msg_id, text);
  if (send(frame)) $("practice-ask").hidden = true;
}

function practiceShowError(frame) {
  practiceSetWaiting(null);
  let text = frame.detail || gettext("Something went wrong.");
  if (frame.code === "item_not_open" || frame.code === "item_already_answered") {
    if (!practice.item || frame.item_id === undefined || frame.item_id === practice.item.item_id) practiceSetOpen(false);
    text += " " + gettext("Ask for a new item with “Diagnose me” or “Practice”.");
  }
  showError("practice-error", text);
}

function practiceConnectionLost() {
  // Whatever was asked is lost with the socket; the item itself stays on screen (the server may still have it open).
  if (practice.waiting) {
    practiceSetWaiting(null);
    showError("practice-error", gettext("The connection dropped; please try again."));
  }
}

$("practice-diagnose").addEventListener("click", () => practiceRequest("diagnose"));
$("practice-practice").addEventListener("click", () => practiceRequest("practice"));
$("practice-next").addEventListener("click", () => practiceRequest(practice.mode || "practice"));
$("practice-ask").addEventListener("click", practiceAskTutor);
$("practice-form").addEventListener("submit", (event) => { event.preventDefault(); practiceSubmit(); });

// --- course and conversation pickers ---------------------------------------------

// A conversation just started, until the server's list (and its title for it) comes back.
function addConversationOption(id, title) {
  $("conversation").append(new Option(title, id));
  $("conversation").value = String(id);
}

// The course's conversations, the most recently active first, as the server titles them. ``reopen``: select
// the most recent one and show its history (a page that loads, or a course just selected).
async function loadConversations({ reopen }) {
  const course = state.course;
  const picks = state.conversationPicks;
  const { conversations } = await api(`/api/courses/${course}/conversations`);
  if (course !== state.course) return;  // the student switched course meanwhile
  const options = conversations.map((c) => new Option(c.title || interpolate(gettext("Conversation %(id)s"), { id: c.id }, true), c.id));
  $("conversation").replaceChildren(new Option(gettext("New conversation"), ""), ...options);
  // A conversation the student picked while the list was loading stands: reopening the last one would undo it.
  if (reopen && picks === state.conversationPicks) selectConversation(conversations.length ? conversations[0].id : null);
  else $("conversation").value = state.conversation ? String(state.conversation) : "";
}

function refreshConversations() {
  loadConversations({ reopen: false }).catch((error) => showError("chat-error", error.message));
}

function selectConversation(id) {
  state.conversation = id;
  $("conversation").value = id ? String(id) : "";
  clearMessages();
  // Not connected yet: the socket asks for the history when it opens.
  if (id && socketOpen()) send({ type: "history", conversation: id, after: null });
}

async function start() {
  let me;
  try { me = await api("/api/me"); } catch { $("login").hidden = false; return; }
  $("login").hidden = true;
  $("chat").hidden = false;
  $("who").hidden = $("logout").hidden = false;
  $("who").textContent = me.username;
  $("course").replaceChildren(...me.courses.map((c) => new Option(c.title, c.id)));
  practiceReset();
  $("practice").hidden = !me.courses.length;
  if (!me.courses.length) { showError("chat-error", gettext("You are not enrolled in any course yet.")); return; }
  // ?course=<id> (where an LMS launch lands) opens that course, when it is one of the student's.
  const asked = new URLSearchParams(location.search).get("course");
  if (me.courses.some((c) => String(c.id) === asked)) $("course").value = asked;
  state.course = Number($("course").value);
  if (String(state.course) === asked) focus.course = state.course;
  connect();  // once open, it asks for the course's open item
  await loadConversations({ reopen: true });
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
$("course").addEventListener("change", async () => {
  state.course = Number($("course").value);
  practiceReset();
  practiceAskOpenItem();
  try { await loadConversations({ reopen: true }); } catch (error) { showError("chat-error", error.message); }
});
$("conversation").addEventListener("change", () => {
  state.conversationPicks += 1;
  selectConversation(Number($("conversation").value) || null);
});

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
