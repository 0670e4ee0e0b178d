// The documents page: remove a source (owners, with a confirm) or replace its text with
// a corrected file (coders), then list the codings whose words changed.
"use strict";
(function () {
  const token = document.querySelector('meta[name="csrf-token"]')?.content || "";

  async function send(method, url, body) {
    const response = await fetch(url, { method, body, credentials: "same-origin",
      headers: { "X-CSRF-Token": token } });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) { toast(data.error ? data.error.message : response.statusText); throw data; }
    return data;
  }

  function cell(row, text) {
    const td = document.createElement("td"); td.textContent = text ?? ""; row.append(td);
  }

  function showReview(result) {
    const box = document.getElementById("replace-review");
    const body = box.querySelector("tbody");
    body.innerHTML = "";
    [...result.review, ...result.dropped].forEach((item) => {
      const row = document.createElement("tr");
      [item.kind, item.id, item.label, item.old_text, item.text, item.reason].forEach((v) => cell(row, v));
      body.append(row);
    });
    document.getElementById("replace-summary").textContent =
      `${result.source}: ${result.carried} carried, ${result.review.length} to review, ${result.dropped.length} dropped`;
    box.hidden = false;
  }

  document.querySelectorAll("form.replace-source").forEach((form) => form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await send("POST", `/api/sources/${form.dataset.source}/replace`, new FormData(form));
    showReview(result);
    toast(`Replaced ${result.source}`);
  }));

  document.querySelectorAll("form.remove-source").forEach((form) => form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const withCodings = form.elements.with_codings.checked;
    const what = withCodings ? " with its codings and memos" : "";
    if (!confirm(`Remove ${form.dataset.name}${what}? This cannot be undone.`)) return;
    await send("DELETE", `/api/sources/${form.dataset.source}?with_codings=${withCodings}`);
    location.reload();
  }));
})();
