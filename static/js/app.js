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

// Before leaving a page whose form holds unsaved changes, the browser asks (issue 11).
// Sending that form is not leaving it; forms with data-no-unsaved-warning are ignored.
const dirtyForms = new Set();
function watchedForm(element) {
  const form = element.form || element.closest("form");
  if (!form || form.method.toLowerCase() !== "post" || "noUnsavedWarning" in form.dataset) {
    return null;
  }
  return form;
}
document.addEventListener("input", (event) => {
  const form = event.target instanceof Element ? watchedForm(event.target) : null;
  if (form) {
    dirtyForms.add(form);
  }
});
document.addEventListener("change", (event) => {
  const form = event.target instanceof Element ? watchedForm(event.target) : null;
  if (form) {
    dirtyForms.add(form);
  }
});
document.addEventListener("submit", (event) => {
  // A part sent in place (static/js/inline.js) leaves the page's form as it was.
  if (!event.defaultPrevented && event.submitter?.dataset.inlineAction === undefined) {
    dirtyForms.delete(event.target);
  }
});
window.addEventListener("beforeunload", (event) => {
  const unsaved = [...dirtyForms].some((form) => form.isConnected);
  if (unsaved) {
    event.preventDefault();
    event.returnValue = "";
  }
});
