// "Ajouter une structure" without a page reload: clones the formset's empty form.
// Markup (templates/dossiers/section_identity.html):
//   <div data-formset="PREFIX"> management form, <div data-formset-list>rows</div>,
//   <template data-formset-empty>row with __prefix__ / __number__</template>,
//   <button type="submit" name="add_member" data-formset-add>
// Without JavaScript the button submits the form, and the server answers with one more row.

function setUp(container) {
  const prefix = container.dataset.formset;
  const list = container.querySelector("[data-formset-list]");
  const template = container.querySelector("template[data-formset-empty]");
  const total = container.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const maximum = container.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`);
  const button = container.querySelector("[data-formset-add]");
  if (!list || !template || !total || !button) {
    return;
  }
  button.addEventListener("click", (event) => {
    const index = Number.parseInt(total.value, 10);
    if (Number.isNaN(index) || (maximum && index >= Number.parseInt(maximum.value, 10))) {
      return; // let the server handle it
    }
    event.preventDefault();
    const html = template.innerHTML
      .replaceAll("__prefix__", String(index))
      .replaceAll("__number__", String(index + 1));
    list.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const row = list.lastElementChild;
    const first = row?.querySelector("select, input:not([type=hidden]), textarea");
    if (first) {
      first.focus();
    }
  });
}

document.querySelectorAll("[data-formset]").forEach(setUp);
