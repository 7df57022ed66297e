// tracktwo's own script: small progressive enhancements. Every page works without it.

// Copy a secret (token, invitation link) with one tap.
for (const element of document.querySelectorAll("[data-copy]")) {
  if (!navigator.clipboard) break;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "small secondary";
  button.textContent = element.dataset.copyLabel || "Copy";
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(element.textContent.trim());
    button.textContent = element.dataset.copiedLabel || "Copied";
  });
  element.after(" ", button);
}

// Forms marked data-enhance (the vote card) are sent in the background and the page's main
// content is replaced by the answer, so voting does not reload the whole page. If anything
// goes wrong, the form is submitted the ordinary way.
async function swapMain(response) {
  const html = await response.text();
  const next = new DOMParser().parseFromString(html, "text/html");
  const main = next.querySelector("main");
  if (!main) return false;
  document.querySelector("main").replaceWith(main);
  document.title = next.title;
  history.replaceState(null, "", response.url);
  enhance(main);
  return true;
}

function enhance(root) {
  for (const form of root.querySelectorAll("form[data-enhance]")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = new FormData(form, event.submitter);
      for (const button of form.querySelectorAll("button")) button.disabled = true;
      try {
        const response = await fetch(form.action, { method: "POST", body });
        if (!(await swapMain(response))) form.submit();
      } catch {
        form.submit();
      }
    });
  }
  for (const area of root.querySelectorAll("textarea[data-count][maxlength]")) {
    const counter = document.createElement("p");
    counter.className = "hint";
    counter.setAttribute("aria-live", "polite");
    const update = () => { counter.textContent = `${area.value.length} / ${area.maxLength}`; };
    area.after(counter);
    area.addEventListener("input", update);
    update();
  }
}
enhance(document);

// Live results: when the server says a new analysis is ready, fetch the page again and swap
// in the results. One EventSource per page.
const live = document.querySelector("[data-live]");
if (live && window.EventSource) {
  const source = new EventSource(live.dataset.live);
  source.addEventListener("analysis", async () => {
    const response = await fetch(location.href, { headers: { "x-requested-with": "tracktwo" } });
    const next = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = next.querySelector("[data-live]");
    const current = document.querySelector("[data-live]");
    if (fresh && current) current.replaceWith(fresh);
  });
}
