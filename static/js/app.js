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

// After a refused submission, the error summary takes the focus (RGAA 11.10): screen
// readers read it and the page shows it, wherever it sits (the title already starts
// with « Erreur : », templates/base.html).
const errorSummary = document.querySelector("[data-error-summary]");
if (errorSummary) {
  errorSummary.focus();
}
