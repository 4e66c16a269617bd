// Project scripts: progressive enhancement only, every page works without them.
// Inline scripts are forbidden by the Content-Security-Policy: add code here.

// Confirm buttons carrying data-confirm (e.g. withdraw, delete).
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button?.dataset?.confirm || event.target.dataset?.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
