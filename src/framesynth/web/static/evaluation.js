// The review page's evaluation panel: loaded into its place, recomputed as a background job.
// Uses api() and toast() from app.js (loaded before this deferred script runs).
"use strict";

async function loadEvaluation(box) {
  const response = await fetch(box.dataset.panel, { credentials: "same-origin" });
  if (!response.ok) return;
  box.innerHTML = await response.text();
  document.getElementById("evaluate")?.addEventListener("click", () => recompute(box));
}

async function recompute(box) {
  const coder = document.getElementById("evaluation-coder").value;
  const job = await api("POST", "/api/jobs/evaluation", { coder });
  const bar = document.getElementById("evaluation-progress"), message = document.getElementById("evaluation-message");
  bar.hidden = false;
  const timer = setInterval(async () => {
    const state = await api("GET", `/api/jobs/${job.id}`);
    bar.max = state.total || 1; bar.value = state.done; message.textContent = state.message;
    if (state.status === "done" || state.status === "failed") {
      clearInterval(timer);
      if (state.status === "done") loadEvaluation(box); else toast(state.message);
    }
  }, 500);
}

const evaluationBox = document.getElementById("evaluation");
if (evaluationBox) loadEvaluation(evaluationBox);
