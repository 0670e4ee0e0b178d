// The study page: add, rename, remove and reorder vocabulary terms (owner only).
"use strict";
document.querySelectorAll(".vocabulary").forEach((card) => {
  const name = encodeURIComponent(card.dataset.name);
  const url = `/api/vocabularies/${name}`;
  const order = () => Array.from(card.querySelectorAll("tr[data-term]"), (row) => row.dataset.term);
  card.querySelectorAll("button[data-act]").forEach((button) => button.addEventListener("click", async () => {
    const term = button.closest("tr").dataset.term;
    const terms = order(), at = terms.indexOf(term);
    if (button.dataset.act === "up" || button.dataset.act === "down") {
      const to = button.dataset.act === "up" ? at - 1 : at + 1;
      [terms[at], terms[to]] = [terms[to], terms[at]];
      await api("POST", `${url}/order`, { terms });
    } else if (button.dataset.act === "rename") {
      const next = prompt(`Rename "${term}" (everywhere it is used) to:`, term);
      if (!next || next === term) return;
      await api("POST", `${url}/rename`, { old: term, new: next });
    } else if (button.dataset.act === "remove") {
      if (!confirm(`Remove "${term}"?`)) return;
      await api("POST", `${url}/remove`, { term });
    }
    location.reload();
  }));
  card.querySelector("form.add-term")?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    await api("POST", `${url}/terms`, { term: form.get("term"), label: form.get("label") || null });
    location.reload();
  });
});
