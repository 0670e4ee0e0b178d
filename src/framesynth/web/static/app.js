// framesynth workbench: small, dependency-free helpers for the server-rendered pages.
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]')?.content;

async function api(method, url, body) {
  const response = await fetch(url, {
    method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf || "" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) { toast(data.error ? data.error.message : response.statusText); throw data; }
  return data;
}

// no inline handlers (the Content-Security-Policy forbids them): a select marked
// data-autosubmit submits its form when it changes
document.querySelectorAll("select[data-autosubmit]").forEach((select) =>
  select.addEventListener("change", () => select.form.submit()));

function toast(message) {
  const box = document.getElementById("toast");
  box.textContent = message; box.classList.add("show");
  setTimeout(() => box.classList.remove("show"), 3500);
}

// ---------------------------------------------------------------- reader and coding
const codePoints = (text) => Array.from(text).length;

function offsetOf(node, offset) {
  // The code-point offset in the source of a DOM position inside the reader's text.
  // (pieces are spans; a turn's own data-start is its time in the recording)
  const span = (node.nodeType === Node.TEXT_NODE ? node.parentElement : node).closest("span[data-start]");
  if (!span) return null;
  const inSpan = node.nodeType === Node.TEXT_NODE ? node.textContent.slice(0, offset) : "";
  return Number(span.dataset.start) + codePoints(inSpan);
}

const recent = () => JSON.parse(localStorage.getItem("fs-recent") || "[]");
function remember(code) {
  const list = [code, ...recent().filter((c) => c.id !== code.id)].slice(0, 5);
  localStorage.setItem("fs-recent", JSON.stringify(list));
}

function setupReader() {
  const reader = document.querySelector(".reader");
  if (!reader || !csrf) return;
  const sourceId = Number(reader.dataset.source);
  const picker = document.getElementById("picker");
  const filter = document.getElementById("picker-filter");
  const list = document.getElementById("picker-list");
  const recentList = document.getElementById("picker-recent");
  const undo = document.getElementById("undo");
  let codes = [], span = null, focusedTurn = null;
  const lastId = () => Number(sessionStorage.getItem(`fs-last-${sourceId}`) || 0);
  if (undo && lastId()) undo.disabled = false;

  // the codes may arrive after the picker opened and the researcher typed: list them then
  api("GET", "/api/codes").then((all) => {
    codes = all.filter((c) => c.codable);
    if (!picker.hidden) fill();
  });

  function fill() {
    const words = filter.value.toLowerCase();
    list.innerHTML = ""; recentList.innerHTML = "";
    recent().forEach((code, i) => recentList.append(item(code, `${i + 1}. `)));
    codes.filter((c) => c.path.toLowerCase().includes(words)).slice(0, 40)
      .forEach((code, i) => { const li = item(code, ""); if (i === 0 && words) li.classList.add("active"); list.append(li); });
  }
  function item(code, prefix) {
    const li = document.createElement("li");
    li.textContent = prefix + code.path; li.title = code.definition || "";
    li.addEventListener("mousedown", (event) => { event.preventDefault(); apply(code); });
    return li;
  }
  async function apply(code) {
    if (!span) return;
    const coding = span.media  // a time range of the recording, or a span of the text
      ? await api("POST", "/api/codings/time", { source_id: sourceId, ...span.media, code_id: code.id })
      : await api("POST", "/api/codings", { source_id: sourceId, ...span, code_id: code.id });
    remember(code); sessionStorage.setItem(`fs-last-${sourceId}`, coding.id);
    location.reload();
  }
  reader.addEventListener("mouseup", () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    const start = offsetOf(range.startContainer, range.startOffset);
    const end = offsetOf(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) return;
    span = { start, end };
    const box = range.getBoundingClientRect();
    picker.style.left = `${window.scrollX + box.left}px`;
    picker.style.top = `${window.scrollY + box.bottom + 6}px`;
    picker.hidden = false; filter.value = ""; fill(); filter.focus();
  });
  filter.addEventListener("input", fill);
  filter.addEventListener("keydown", (event) => {
    if (event.key === "Escape") picker.hidden = true;
    if (event.key === "Enter") { const first = list.querySelector("li"); if (first) first.dispatchEvent(new MouseEvent("mousedown")); }
    if (/^[1-5]$/.test(event.key) && !filter.value) { event.preventDefault(); const code = recent()[Number(event.key) - 1]; if (code) apply(code); }
  });
  document.addEventListener("fs-code-range", (event) => {  // from the player's range tools
    span = { media: event.detail };
    const box = event.target.getBoundingClientRect();
    picker.style.left = `${window.scrollX + box.left}px`;
    picker.style.top = `${window.scrollY + box.bottom + 6}px`;
    picker.hidden = false; filter.value = ""; fill(); filter.focus();
  });
  document.getElementById("picker-memo").addEventListener("mousedown", async (event) => {
    event.preventDefault();
    if (span?.media) return toast("A memo goes on words: select them in the transcript");
    const body = prompt("Memo on this span:");
    if (body) { await api("POST", "/api/memos", { source_id: sourceId, ...span, body }); location.reload(); }
  });
  document.addEventListener("mousedown", (event) => { if (!picker.contains(event.target)) picker.hidden = true; });
  reader.querySelectorAll(".turn").forEach((turn) => turn.addEventListener("focus", () => { focusedTurn = turn; }));
  document.addEventListener("keydown", async (event) => {
    if (!picker.hidden || event.target.isContentEditable || ["INPUT", "TEXTAREA"].includes(event.target.tagName)) return;
    if (event.key === "t" && focusedTurn && recent()[0]) {
      const coding = await api("POST", "/api/codings/turn", { turn_id: Number(focusedTurn.dataset.turn), code_id: recent()[0].id });
      sessionStorage.setItem(`fs-last-${sourceId}`, coding.id); location.reload();
    }
    if ((event.key === "u" || (event.key === "z" && (event.ctrlKey || event.metaKey))) && lastId()) undoLast();
  });
  async function undoLast() {
    await api("DELETE", `/api/codings/${lastId()}`);
    sessionStorage.removeItem(`fs-last-${sourceId}`); location.reload();
  }
  if (undo) undo.addEventListener("click", undoLast);
  reader.querySelectorAll("[data-team-label]").forEach((box) => box.addEventListener("change", async () => {
    try { await api("POST", `/api/sources/${sourceId}/team`, { label: box.dataset.teamLabel, team: box.checked }); location.reload(); }
    catch (error) { box.checked = !box.checked; }
  }));
  if (location.hash.startsWith("#o")) showOffset(Number(location.hash.slice(2)));
}

function showOffset(offset) {
  // Scroll to the piece of text that holds a search hit's offset and mark it briefly.
  const pieces = [...document.querySelectorAll(".turn .text [data-start]")];
  const piece = pieces.filter((p) => Number(p.dataset.start) <= offset).pop();
  if (!piece) return;
  piece.scrollIntoView({ block: "center" });
  piece.style.outline = "2px solid #d69e2e";
  setTimeout(() => { piece.style.outline = ""; }, 2500);
}

// ---------------------------------------------------------------- transcription mode
// The recording plays above the transcript: a click on a turn (not a selection of its
// words, which codes them) plays from the turn's start; the playing turn is marked. The
// keys are function keys so that they work while the cursor is in a turn being corrected
// (as f4transkript's F4 does): F4 play/pause, F3 back 3 s, F2 slower, F6 faster.
const RATES = [0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2];
const PLAYER_KEYS = { F4: "toggle", F3: "back", F2: "slower", F6: "faster" };
const typing = (target) => target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);

function setupPlayer() {
  const player = document.getElementById("player"), reader = document.querySelector(".reader");
  if (!player || !reader) return;
  const turns = [...reader.querySelectorAll(".turn[data-start]")];
  const rate = document.getElementById("rate");
  let playing = null;
  const play = () => player.play().catch(() => toast("Press F4 or the player's button to play"));
  reader.addEventListener("click", (event) => {
    const turn = event.target.closest(".turn[data-start]");
    if (!turn || (event.target.closest("button, textarea, input, a") && !event.target.closest("button.play"))) return;
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return;  // words selected to code them
    player.currentTime = Number(turn.dataset.start); play();
  });
  player.addEventListener("timeupdate", () => {
    const now = player.currentTime;
    const current = turns.filter((turn) => Number(turn.dataset.start) <= now + 0.05).pop() || null;
    if (current === playing) return;
    playing?.classList.remove("playing"); playing = current;
    if (current) { current.classList.add("playing"); if (!reader.querySelector(".turn-editor")) current.scrollIntoView({ block: "nearest" }); }
  });
  const setRate = (step) => {
    const at = RATES.reduce((best, r, i) => (Math.abs(r - player.playbackRate) < Math.abs(RATES[best] - player.playbackRate) ? i : best), 0);
    player.playbackRate = RATES[Math.min(RATES.length - 1, Math.max(0, at + step))];
  };
  player.addEventListener("ratechange", () => { rate.textContent = `${player.playbackRate}×`; });
  const actions = {
    toggle: () => (player.paused ? play() : player.pause()),
    back: () => { player.currentTime = Math.max(0, player.currentTime - 3); },
    slower: () => setRate(-1), faster: () => setRate(1),
  };
  document.addEventListener("keydown", (event) => {
    const action = PLAYER_KEYS[event.key];
    if (!action || event.ctrlKey || event.altKey || event.metaKey) return;
    event.preventDefault(); actions[action]();
  });
  setupRangeTools(player);
}

// A time range of the recording is coded like a selection of words: F7 marks its start and
// F8 its end at the playing moment, then "Code this range…" opens the code picker.
const clock = (seconds) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;

function setupRangeTools(player) {
  const markIn = document.getElementById("mark-in"), markOut = document.getElementById("mark-out");
  const codeRange = document.getElementById("code-range"), marked = document.getElementById("marked");
  if (!markIn) return;
  const range = { start: null, end: null };
  const show = () => {
    const ready = range.start !== null && range.end !== null && range.end > range.start;
    marked.textContent = `${range.start === null ? "–" : clock(range.start)} to ${range.end === null ? "–" : clock(range.end)}`;
    codeRange.disabled = !ready;
  };
  const mark = (end) => { range[end ? "end" : "start"] = Math.round(player.currentTime * 1000) / 1000; show(); };
  markIn.addEventListener("click", () => mark(false));
  markOut.addEventListener("click", () => mark(true));
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || !["F7", "F8"].includes(event.key)) return;
    event.preventDefault(); mark(event.key === "F8");
  });
  codeRange.addEventListener("click", () => codeRange.dispatchEvent(new CustomEvent("fs-code-range", {
    bubbles: true, detail: { start: range.start, end: range.end } })));
}

// Before a reload (a correction, a new speaker) the player's moment and the turn are kept,
// so the researcher carries on where they were.
function rememberReader(turn) {
  const reader = document.querySelector(".reader"), player = document.getElementById("player");
  sessionStorage.setItem(`fs-reader-${reader.dataset.source}`, JSON.stringify({
    time: player ? player.currentTime : 0, rate: player ? player.playbackRate : 1, turn: turn?.dataset.position }));
}

function restoreReader() {
  const reader = document.querySelector(".reader");
  if (!reader) return;
  const key = `fs-reader-${reader.dataset.source}`, saved = JSON.parse(sessionStorage.getItem(key) || "null");
  if (!saved) return;
  sessionStorage.removeItem(key);
  const player = document.getElementById("player");
  if (player) { player.currentTime = saved.time; player.playbackRate = saved.rate; }
  if (saved.turn !== undefined) reader.querySelector(`.turn[data-position="${saved.turn}"]`)?.focus({ preventScroll: false });
  if (saved.message) toast(saved.message);
}

function setupTurnEdits() {
  const reader = document.querySelector(".reader");
  if (!reader || !csrf) return;
  const sourceId = reader.dataset.source;
  const reload = (turn, message) => {
    rememberReader(turn);
    if (message) { const key = `fs-reader-${sourceId}`; sessionStorage.setItem(key, JSON.stringify({ ...JSON.parse(sessionStorage.getItem(key)), message })); }
    location.reload();
  };
  reader.querySelectorAll("button.edit-turn").forEach((button) => button.addEventListener("click", () => {
    const turn = button.closest(".turn"), text = turn.querySelector(".text");
    if (turn.querySelector(".turn-editor")) return;
    const editor = document.createElement("div"), box = document.createElement("textarea");
    const save = document.createElement("button"), cancel = document.createElement("button");
    editor.className = "turn-editor"; box.value = text.textContent; box.rows = Math.max(2, Math.ceil(box.value.length / 70));
    save.type = cancel.type = "button"; save.className = "save-turn"; save.textContent = "Save"; cancel.textContent = "Cancel";
    editor.append(box, save, cancel); text.hidden = true; text.after(editor); box.focus();
    const close = () => { editor.remove(); text.hidden = false; turn.focus(); };
    const send = async () => {
      const result = await api("POST", `/api/sources/${sourceId}/turns/${turn.dataset.position}`, { text: box.value });
      reload(turn, result.review.length ? `Saved; ${result.review.length} coding(s) to review (their words changed)` : "Saved");
    };
    save.addEventListener("click", send); cancel.addEventListener("click", close);
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); send(); }
      if (event.key === "Escape") close();
    });
  }));
  const legend = document.getElementById("speaker-keys");
  if (!legend) return;
  const labels = [...legend.querySelectorAll("[data-speaker-key]")].map((key) => key.dataset.label);
  let lastTurn = null;
  reader.querySelectorAll(".turn").forEach((turn) => turn.addEventListener("focus", () => { lastTurn = turn; }));
  const assign = async (turn, label) => {
    await api("POST", `/api/sources/${sourceId}/turns/${turn.dataset.position}/speaker`, { label });
    reload(turn);
  };
  document.addEventListener("keydown", (event) => {
    if (!/^[1-9]$/.test(event.key) || event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    const turn = event.target.closest?.(".turn");
    if (!turn || !document.getElementById("picker").hidden) return;
    event.preventDefault();
    const label = labels[Number(event.key) - 1];
    if (label) assign(turn, label); else toast(`No speaker ${event.key}: add one with "New speaker…"`);
  });
  document.getElementById("new-speaker").addEventListener("click", () => {
    if (!lastTurn) return toast("Focus a turn first (click it or Tab to it)");
    const label = prompt("The new speaker's label:");
    if (label && label.trim()) assign(lastTurn, label.trim());
  });
}

// ---------------------------------------------------------------- review queue and jobs
function setupReview() {
  document.getElementById("select-all")?.addEventListener("change", (event) => {
    document.querySelectorAll("tr:not([hidden]) input.pick").forEach((box) => { box.checked = event.target.checked; });
  });
  document.querySelectorAll("[data-review]").forEach((button) => button.addEventListener("click", async () => {
    const ids = [...document.querySelectorAll("input.pick:checked")].map((box) => Number(box.value));
    if (!ids.length) return toast("Select suggestions first");
    const result = await api("POST", `/api/suggestions/${button.dataset.review}`, { ids });
    toast(JSON.stringify(result)); location.reload();
  }));
  setupScoreSlider();
  document.getElementById("autocode")?.addEventListener("click", async () => {
    const job = await api("POST", "/api/jobs/autocode", { method: document.getElementById("autocode-method").value });
    follow(job.id, () => location.reload());
  });
}

function setupScoreSlider() {
  const slider = document.getElementById("min-score");
  if (!slider) return;
  const counts = JSON.parse(slider.dataset.counts);
  const show = () => {
    const cut = Number(slider.value);
    const [suggestions, units] = counts[cut.toFixed(2)] || [0, 0];
    document.getElementById("score-count").textContent =
      `${suggestions} suggestions on ${units} units at \u2265 ${cut.toFixed(2)}`;
    document.querySelectorAll("table.review tr[data-score]").forEach((row) => {
      row.hidden = Number(row.dataset.score) < cut;
      if (row.hidden) row.querySelector("input.pick").checked = false;
    });
  };
  slider.addEventListener("input", show);
}

function setupJobs() {
  const upload = document.getElementById("import-form");
  upload?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch("/api/jobs/import", { method: "POST", body: new FormData(upload),
      headers: { "X-CSRF-Token": csrf || "" }, credentials: "same-origin" });
    const job = await response.json();
    if (!response.ok) return toast(job.error ? job.error.message : response.statusText);
    follow(job.id, () => location.reload());
  });
  document.getElementById("import-preview")?.addEventListener("click", () => previewImport(upload));
  document.getElementById("build-report")?.addEventListener("click", async () => {
    const job = await api("POST", "/api/jobs/report", {});
    follow(job.id, (done) => {
      const links = document.getElementById("built");
      links.innerHTML = Object.entries(done.result.files).map(([name, url]) => `<a class="button" href="${url}" download>${name}</a>`).join(" ");
    });
  });
}

const escapeHtml = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function previewImport(upload) {
  const response = await fetch("/api/import/preview", { method: "POST", body: new FormData(upload),
    headers: { "X-CSRF-Token": csrf || "" }, credentials: "same-origin" });
  const data = await response.json();
  if (!response.ok) return toast(data.error ? data.error.message : response.statusText);
  const box = document.getElementById("preview");
  box.innerHTML = data.files.map((file) => `<h3>${escapeHtml(file.name)} <small>${escapeHtml(file.layout)} · ${file.turns} turns · ${file.unattributed} without a speaker</small></h3>
    <p>${file.speakers.map((s) => `${escapeHtml(s.label)} ${s.turns}${s.team ? " <span class=\"pill\">research team</span>" : ""}`).join(", ") || "no speakers"}</p>
    ${file.preamble ? `<p class="muted">preamble: ${escapeHtml(file.preamble)}</p>` : ""}
    <ol>${file.first_turns.map((t) => `<li><b>${escapeHtml(t.speaker || "(no speaker)")}</b>: ${escapeHtml(t.words)}</li>`).join("")}</ol>`).join("");
  box.hidden = false;
}

function follow(jobId, whenDone) {
  const bar = document.getElementById("job-progress"), message = document.getElementById("job-message");
  bar.hidden = false;
  const timer = setInterval(async () => {
    const job = await api("GET", `/api/jobs/${jobId}`);
    bar.max = job.total || 1; bar.value = job.done; message.textContent = `${job.title}: ${job.message}`;
    if (job.status === "done" || job.status === "failed") { clearInterval(timer); if (job.status === "done") whenDone(job); else toast(job.message); }
  }, 500);
}

// ---------------------------------------------------------------- matrix
function setupMatrix() {
  // Each summary carries the version of the cell it shows; a save over a cell someone else
  // changed meanwhile is refused (HTTP 409): the person's own text stays in the editor and
  // the other person's is shown beside it, to take or to save over.
  async function save(cell) {
    const mine = cell.textContent, td = cell.closest("td");
    try {
      const saved = await api("POST", "/api/matrix/cell", { case: cell.dataset.case, code_id: Number(cell.dataset.code),
        summary: mine, version: Number(cell.dataset.version) });
      cell.dataset.version = saved.version; cell.dataset.saved = mine;
      td.className = `cell status-${saved.status}`; toast("Saved");
      td.querySelector(".conflict")?.remove();
      if (saved.status === "edited") td.querySelector(".from")?.remove();  // a person's own words
    } catch (error) {
      if (error.error && error.error.code === "FS410") showConflict(cell, error.error);
    }
  }
  function showConflict(cell, error) {
    const td = cell.closest("td"), current = error.current || {};
    td.querySelector(".conflict")?.remove();
    const box = document.createElement("div");
    box.className = "conflict"; box.setAttribute("role", "alert");
    const message = document.createElement("p"); message.textContent = error.message;
    const label = document.createElement("p"); label.className = "muted";
    label.textContent = `Their text (${current.updated_by || "removed"}):`;
    const theirs = document.createElement("blockquote"); theirs.className = "theirs";
    theirs.textContent = current.summary || "";
    const keep = document.createElement("button"); keep.className = "keep-mine"; keep.textContent = "save mine instead";
    const take = document.createElement("button"); take.className = "take-theirs"; take.textContent = "use theirs";
    keep.addEventListener("click", () => { cell.dataset.version = current.version; save(cell); });
    take.addEventListener("click", () => {
      cell.textContent = current.summary || ""; cell.dataset.version = current.version;
      cell.dataset.saved = cell.textContent; td.className = `cell status-${current.status || "empty"}`; box.remove();
    });
    box.append(message, label, theirs, keep, take);
    cell.after(box);
  }
  document.querySelectorAll(".summary[contenteditable]").forEach((cell) => {
    cell.dataset.saved = cell.textContent;
    cell.addEventListener("blur", () => { if (cell.textContent !== cell.dataset.saved) save(cell); });
  });
  document.querySelectorAll(".accept-cell").forEach((button) => button.addEventListener("click", async () => {
    await api("POST", "/api/matrix/accept", { case: button.dataset.case, code_id: Number(button.dataset.code),
      version: Number(button.dataset.version) });
    location.reload();
  }));
}

// ---------------------------------------------------------------- framework editor
function setupFramework() {
  let dragged = null;
  document.querySelectorAll(".tree li[draggable]").forEach((li) => {
    li.addEventListener("dragstart", () => { dragged = li.dataset.id; });
  });
  document.querySelectorAll("[data-drop]").forEach((target) => {
    target.addEventListener("dragover", (event) => { event.preventDefault(); target.classList.add("over"); });
    target.addEventListener("dragleave", () => target.classList.remove("over"));
    target.addEventListener("drop", async (event) => {
      event.preventDefault(); target.classList.remove("over");
      const parent = target.dataset.drop ? Number(target.dataset.drop) : null;
      if (dragged && String(parent) !== dragged) { await api("POST", `/api/codes/${dragged}/move`, { parent_id: parent }); location.reload(); }
    });
  });
  document.querySelectorAll(".tree [data-act]").forEach((button) => button.addEventListener("click", async () => {
    const id = button.closest("li").dataset.id, act = button.dataset.act;
    if (act === "rename") { const name = prompt("New name:"); if (name) await api("POST", `/api/codes/${id}/rename`, { name }); }
    if (act === "merge") { const into = prompt("Merge into the code with id:"); if (into) await api("POST", `/api/codes/${id}/merge`, { into_id: Number(into) }); }
    if (act === "split") {
      const spec = prompt("New codes and their keyword rules, e.g. Buses=bus*; Taxis=taxi*");
      if (spec) { const parts = {}; spec.split(";").forEach((p) => { const [n, r] = p.split("="); if (n && r) parts[n.trim()] = r.split(",").map((x) => x.trim()); }); await api("POST", `/api/codes/${id}/split`, { parts }); }
    }
    if (act === "retire") await api("POST", `/api/codes/${id}/retire${button.textContent === "restore" ? "?restore=true" : ""}`);
    if (act === "define") {
      const list = (text) => (text || "").split(";").map((x) => x.trim()).filter(Boolean);
      const definition = prompt("Definition:");
      if (definition === null) return;
      const inclusion = list(prompt("Inclusion rules (separate with ;):"));
      const exclusion = list(prompt("Exclusion rules (separate with ;):"));
      const keywords = list(prompt("Keyword rules, e.g. referr*; /\\bforms?\\b/ (separate with ;):"));
      await api("POST", `/api/codes/${id}/edit`, { definition, inclusion, exclusion, keywords });
    }
    location.reload();
  }));
}

// ---------------------------------------------------------------- network filters
function setupNetwork() {
  const filters = document.getElementById("network-filters");
  if (!filters) return;
  filters.addEventListener("change", () => {
    const on = (kind) => [...filters.querySelectorAll(`[data-${kind}]`)].filter((b) => b.checked).map((b) => b.dataset[kind]);
    const sectors = on("sector"), depths = on("depth"), levels = on("level");
    document.querySelectorAll("#network .node").forEach((node) => node.classList.toggle("hidden", !sectors.includes(node.dataset.sector)));
    document.querySelectorAll("#network line").forEach((line) => {
      const shown = depths.includes(line.dataset.depth) && JSON.parse(line.dataset.levels).some((l) => levels.includes(l));
      line.classList.toggle("hidden", !shown);
    });
  });
}

setupReader(); setupPlayer(); setupTurnEdits(); restoreReader(); setupReview(); setupMatrix(); setupFramework(); setupNetwork(); setupJobs();
