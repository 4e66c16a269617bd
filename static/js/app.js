// Project scripts: progressive enhancement only, every page works without them.
// Inline scripts are forbidden by the Content-Security-Policy: add code here.

// Buttons carrying data-confirm (withdraw, delete, submit a review) ask in the DSFR
// modal of templates/base.html, not with the browser's confirm(). data-confirm-title
// and data-confirm-label name the modal and its button; data-confirm-field="NAME" adds
// NAME=on to what is sent once confirmed (the server asks again without JavaScript).
const confirmModal = document.getElementById("app-confirm-modal");
let pending = null;
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const message = button?.dataset?.confirm || form.dataset?.confirm;
  if (!message) {
    return;
  }
  if (!confirmModal || !window.dsfr) {
    // The DSFR script did not load: the browser's own question rather than none.
    if (!window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
    return;
  }
  if (pending && pending.confirmed && pending.form === form) {
    pending = null;
    return;
  }
  event.preventDefault();
  event.stopImmediatePropagation();
  pending = { form, button, confirmed: false };
  const data = { ...form.dataset, ...button?.dataset };
  confirmModal.querySelector("[data-confirm-text]").textContent = message;
  confirmModal.querySelector(".fr-modal__title").textContent =
    data.confirmTitle || button?.textContent.trim() || "Confirmer";
  confirmModal.querySelector("[data-confirm-yes]").textContent =
    data.confirmLabel || button?.textContent.trim() || "Confirmer";
  window.dsfr(confirmModal).modal.disclose();
}, true);
confirmModal?.querySelector("[data-confirm-yes]").addEventListener("click", () => {
  if (!pending) {
    return;
  }
  const { form, button } = pending;
  const field = button?.dataset.confirmField;
  if (field && !form.querySelector(`input[type=hidden][name="${field}"]`)) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = field;
    input.value = "on";
    form.append(input);
  }
  pending.confirmed = true;
  window.dsfr(confirmModal).modal.conceal();
  form.requestSubmit(button || undefined);
});

// The skip link « Contenu » moves the keyboard's focus into <main> (RGAA 12.7): the
// target must be focusable, or the next Tab starts again from the header.
document.getElementById("content")?.setAttribute("tabindex", "-1");

// After a refused submission, the error summary takes the focus (RGAA 11.10): screen
// readers read it and the page shows it, wherever it sits (the title already starts
// with « Erreur : », templates/base.html).
const errorSummary = document.querySelector("[data-error-summary]");
if (errorSummary) {
  errorSummary.focus();
  // Scrolling to the address's #fragment, done at load, takes the focus away: again.
  window.addEventListener("load", () => {
    if (document.activeElement === document.body) {
      errorSummary.focus();
    }
  });
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

// A table wider than the screen scrolls sideways: the keyboard must reach it too (RGAA
// 7.3, axe scrollable-region-focusable). Checked at load, on resize and after a part of
// the page is replaced (static/js/inline.js).
function focusableScrollers() {
  const candidates = ".fr-table, .fr-table > *, .fr-table > * > *, .fr-table table";
  document.querySelectorAll(candidates).forEach((element) => {
    const style = getComputedStyle(element);
    const scrolls =
      ["auto", "scroll"].includes(style.overflowX) && element.scrollWidth > element.clientWidth + 1;
    if (scrolls && !element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "0");
      element.dataset.scrollFocus = "";
    } else if (!scrolls && "scrollFocus" in element.dataset) {
      element.removeAttribute("tabindex");
      delete element.dataset.scrollFocus;
    }
  });
}
let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(focusableScrollers, 100);
});
window.addEventListener("load", focusableScrollers);
new MutationObserver(() => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(focusableScrollers, 100);
}).observe(document.querySelector("main") || document.body, { childList: true, subtree: true });

// Below 576 px, the data tables marked .app-table--cards show each row as a card, each
// cell under its column's name (static/css/app.css, issue 11): the names are copied
// from the table's header into data-label (a cell's own data-label is kept; header
// rows with colspan/rowspan give "Group — Column"). The card layout waits for the
// labels (data-cards): without this script, the table scrolls sideways as before.
function headerLabels(table) {
  const grid = [];
  [...(table.tHead?.rows || [])].forEach((row, r) => {
    grid[r] = grid[r] || [];
    let column = 0;
    [...row.cells].forEach((cell) => {
      while (grid[r][column] !== undefined) column += 1;
      const text = cell.textContent.replace(/\s+/g, " ").trim();
      for (let dr = 0; dr < (cell.rowSpan || 1); dr += 1) {
        grid[r + dr] = grid[r + dr] || [];
        for (let dc = 0; dc < (cell.colSpan || 1); dc += 1) grid[r + dr][column + dc] = text;
      }
      column += cell.colSpan || 1;
    });
  });
  const width = Math.max(0, ...grid.map((row) => row.length));
  return Array.from({ length: width }, (_, column) => {
    const parts = [];
    grid.forEach((row) => {
      const text = row[column];
      if (text && !parts.includes(text)) parts.push(text);
    });
    return parts.join(" — ");
  });
}
function labelCells(root = document) {
  root.querySelectorAll(".app-table--cards table").forEach((table) => {
    const labels = headerLabels(table);
    if (!labels.length) return;
    [...table.tBodies, ...(table.tFoot ? [table.tFoot] : [])].forEach((section) => {
      [...section.rows].forEach((row) => {
        let column = 0;
        [...row.cells].forEach((cell) => {
          const span = cell.colSpan || 1;
          if (!cell.hasAttribute("data-label")) {
            cell.dataset.label = span === 1 ? labels[column] || "" : "";
          }
          column += span;
        });
      });
    });
    table.closest(".app-table--cards").dataset.cards = "";
  });
}
labelCells();
new MutationObserver(() => labelCells()).observe(document.querySelector("main") || document.body, {
  childList: true,
  subtree: true,
});
