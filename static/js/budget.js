// Budget pages: live totals of the amounts being typed (proposal, decision) and
// the beneficiary FINESS suggested from the chosen line (delegations).
// Progressive enhancement only: the server recomputes and enforces everything.

const formatter = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });

// "1 600 000,50 €" → 160000050 (cents, an integer: no float arithmetic on money);
// null when the text is not an amount.
export function parseCents(text) {
  const cleaned = String(text ?? "").replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
  if (cleaned === "") return 0;
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "0").padEnd(2, "0"));
}

export function formatCents(cents) {
  const sign = cents < 0 ? "-" : "";
  const absolute = Math.abs(cents);
  return sign + formatter.format(Math.trunc(absolute / 100) + (absolute % 100) / 100);
}

function updateTotals(form) {
  const totals = {};
  let invalid = false;
  for (const input of form.querySelectorAll("input[data-budget-nature]")) {
    const cents = parseCents(input.value);
    if (cents === null) {
      invalid = true;
      continue;
    }
    totals[input.dataset.budgetNature] = (totals[input.dataset.budgetNature] ?? 0) + cents;
  }
  for (const cell of document.querySelectorAll("[data-budget-total]")) {
    cell.textContent = formatCents(totals[cell.dataset.budgetTotal] ?? 0);
  }
  for (const cell of document.querySelectorAll("[data-budget-after]")) {
    const available = parseCents(cell.dataset.available.replace("-", "")) ?? 0;
    const signed = cell.dataset.available.startsWith("-") ? -available : available;
    const after = signed - (totals[cell.dataset.budgetAfter] ?? 0);
    const strong = document.createElement("strong");
    strong.textContent = formatCents(after);
    cell.replaceChildren(strong);
    cell.classList.toggle("app-overflow", after < 0);
  }
  // Each sheet's subtotal, per nature (issue 11, item 8).
  for (const sheet of form.querySelectorAll("[data-budget-sheet]")) {
    const sums = {};
    for (const input of sheet.querySelectorAll("input[data-budget-nature]")) {
      const cents = parseCents(input.value);
      if (cents !== null) {
        sums[input.dataset.budgetNature] = (sums[input.dataset.budgetNature] ?? 0) + cents;
      }
    }
    for (const cell of sheet.querySelectorAll("[data-budget-subtotal]")) {
      cell.textContent = formatCents(sums[cell.dataset.budgetSubtotal] ?? 0);
      cell.closest("tr").hidden = !(cell.dataset.budgetSubtotal in sums);
    }
    const footer = sheet.querySelector("[data-budget-subtotals]");
    if (footer) {
      footer.hidden = false;
    }
  }
  const live = document.querySelector("[data-budget-live]");
  if (live) {
    live.dataset.text ??= live.textContent;
    live.textContent = invalid
      ? "Un montant saisi n'est pas lisible : il n'est pas compté dans les totaux."
      : live.dataset.text;
  }
}

for (const form of document.querySelectorAll("form[data-budget-form]")) {
  form.addEventListener("input", () => updateTotals(form));
  updateTotals(form);
  // The envelopes' bar stays in sight while the sheets are typed.
  for (const bar of document.querySelectorAll("[data-budget-sticky]")) {
    bar.hidden = false;
  }
}

// Delegations: suggest the chosen line's beneficiary FINESS when the field is empty
// or still holds the previous suggestion.
const lineSelect = document.querySelector("select[data-budget-line]");
const finessInput = document.querySelector("input[data-budget-finess]");
if (lineSelect && finessInput) {
  let suggested = finessInput.value;
  const suggest = () => {
    const finess = lineSelect.selectedOptions[0]?.dataset.finess ?? "";
    if (finessInput.value === "" || finessInput.value === suggested) {
      finessInput.value = finess;
      suggested = finess;
    }
  };
  lineSelect.addEventListener("change", suggest);
  suggest();
}
