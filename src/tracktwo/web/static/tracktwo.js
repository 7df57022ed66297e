// tracktwo's own script: small progressive enhancements. Every page works without it.

// Copy a secret (token, invitation link) with one tap.
for (const element of document.querySelectorAll("[data-copy]")) {
  if (!navigator.clipboard) break;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "small secondary";
  button.textContent = "Copy";
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(element.textContent.trim());
    button.textContent = "Copied";
  });
  element.after(" ", button);
}
