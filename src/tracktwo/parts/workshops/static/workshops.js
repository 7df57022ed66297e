// tracktwo's script for workshop pages: live updates, drag-and-drop clustering and the limit of
// preference votes. Every page works without it: the board has a plain select per idea, and
// pages can be reloaded by hand.

// A part of the page the person has started to change is never replaced under them.
function isDirty(root) {
  const active = document.activeElement;
  if (active && root.contains(active) && active.matches("input, textarea, select")) return true;
  for (const field of root.querySelectorAll("input, textarea")) {
    if (field.type === "hidden" || field.type === "submit") continue;
    if (field.type === "checkbox" || field.type === "radio") {
      if (field.checked !== field.defaultChecked) return true;
    } else if (field.value !== field.defaultValue) return true;
  }
  for (const select of root.querySelectorAll("select")) {
    for (const option of select.options) if (option.selected !== option.defaultSelected) return true;
  }
  return false;
}

// Live pages: on a "change" event, fetch the page again; swap in its live part, or reload when
// its key (the step, the question) differs. Changes made while the person types wait for them.
let waiting = false;
async function refresh() {
  const current = document.querySelector("[data-workshop-live]");
  if (!current) return;
  if (isDirty(current)) { waiting = true; return; }
  const response = await fetch(location.href, { headers: { "x-requested-with": "tracktwo" } });
  if (!response.ok) return;
  const next = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = next.querySelector("[data-workshop-live]");
  const now = document.querySelector("[data-workshop-live]");
  if (!fresh || !now) return;
  if (isDirty(now)) { waiting = true; return; }
  waiting = false;
  if (fresh.dataset.key !== now.dataset.key) { location.reload(); return; }
  now.replaceWith(fresh);
  setUp(fresh);
}
const live = document.querySelector("[data-workshop-live]");
if (live && window.EventSource) {
  const source = new EventSource(live.dataset.workshopLive);
  source.addEventListener("change", refresh);
  document.addEventListener("focusout", () => { if (waiting) setTimeout(refresh, 400); });
}

// Clustering: drag an idea onto a cluster; its select follows and the board saves itself.
function setUpBoard(board) {
  const status = board.querySelector("[data-board-status]");
  let dragged = null;
  for (const card of board.querySelectorAll("[data-idea]")) {
    card.addEventListener("dragstart", (event) => {
      dragged = card;
      event.dataTransfer.setData("text/plain", card.dataset.idea);
      card.classList.add("dragging");
    });
    card.addEventListener("dragend", () => card.classList.remove("dragging"));
  }
  for (const zone of board.querySelectorAll("[data-cluster]")) {
    zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("drop"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("drop"));
    zone.addEventListener("drop", async (event) => {
      event.preventDefault();
      zone.classList.remove("drop");
      const id = event.dataTransfer.getData("text/plain");
      const card = dragged || board.querySelector(`[data-idea="${CSS.escape(id)}"]`);
      dragged = null;
      if (!card) return;
      zone.querySelector("ul").append(card);
      card.querySelector("select").value = zone.dataset.cluster;
      if (status) status.textContent = "Saving…";
      try {
        const response = await fetch(board.action, { method: "POST", body: new FormData(board) });
        if (!response.ok) throw new Error(String(response.status));
        for (const select of board.querySelectorAll("select")) {
          for (const option of select.options) option.defaultSelected = option.selected;
        }
        if (status) status.textContent = "Saved.";
      } catch {
        if (status) status.textContent = "Not saved; use the Save button.";
      }
    });
  }
}

// Preference votes: once the limit is reached, the other boxes wait.
function setUpLimit(form) {
  const limit = Number(form.dataset.pickLimit);
  const boxes = [...form.querySelectorAll("input[type=checkbox]")];
  const update = () => {
    const full = boxes.filter((box) => box.checked).length >= limit;
    for (const box of boxes) box.disabled = full && !box.checked;
  };
  for (const box of boxes) box.addEventListener("change", update);
  update();
}

function setUp(root) {
  for (const board of root.querySelectorAll("[data-cluster-board]")) setUpBoard(board);
  for (const form of root.querySelectorAll("[data-pick-limit]")) setUpLimit(form);
}
setUp(document);
