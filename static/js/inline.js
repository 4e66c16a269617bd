// Parts of a page sent without leaving it (issue 11): a funding line, an attachment.
// What is typed in the page's other forms stays where it is.
//
// Markup: a region <div id="R" data-inline-region> holds the part; inside it, a form with
// data-inline (sent to its action), or a submit button with data-inline-action="URL"
// (sent to that URL with the region's fields only, even when the button and the fields
// belong to the page's main form through form="…"). The server answers as for a normal
// submission (a redirect to the page, or the page with errors); the script takes the
// region out of that answer and puts it in place of the old one, with the answer's
// messages. Without JavaScript, the forms work as ordinary forms.

const live = document.createElement("div");
live.className = "fr-sr-only";
live.setAttribute("aria-live", "polite");
document.body.append(live);
const baseTitle = document.title;

function regionOf(element) {
  return element.closest("[data-inline-region]");
}

function fieldsOf(region, form) {
  const data = new FormData();
  const token = form.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) {
    data.append(token.name, token.value);
  }
  region.querySelectorAll("input[name], select[name], textarea[name]").forEach((field) => {
    if (field.name === "csrfmiddlewaretoken" || field.disabled) {
      return;
    }
    if (field.type === "file") {
      Array.from(field.files).forEach((file) => data.append(field.name, file));
    } else if (!["checkbox", "radio"].includes(field.type) || field.checked) {
      data.append(field.name, field.value);
    }
  });
  return data;
}

function show(region, answer) {
  const fresh = answer.getElementById(region.id);
  if (!fresh) {
    return false;
  }
  const messages = answer.querySelector("[data-messages]");
  if (messages) {
    messages.removeAttribute("class");
    messages.classList.add("fr-mb-2w");
    fresh.prepend(messages);
  }
  region.replaceWith(fresh);
  const summary = fresh.querySelector("[data-error-summary]");
  document.title = summary ? answer.title : baseTitle;
  const message = fresh.querySelector("[data-messages] .fr-alert");
  const target = summary || message;
  if (target) {
    target.setAttribute("tabindex", "-1");
    target.focus();
  }
  live.textContent = (target || fresh).textContent.trim().replace(/\s+/g, " ").slice(0, 300);
  return true;
}

document.addEventListener("submit", async (event) => {
  if (event.defaultPrevented) {
    return;
  }
  const form = event.target;
  const button = event.submitter;
  const viaButton = button?.dataset.inlineAction !== undefined;
  const region = viaButton ? regionOf(button) : form.matches("[data-inline]") && regionOf(form);
  if (!region) {
    return;
  }
  event.preventDefault();
  const action = viaButton ? button.dataset.inlineAction : form.action;
  const data = viaButton ? fieldsOf(region, form) : new FormData(form, button);
  region.setAttribute("aria-busy", "true");
  if (button) {
    button.disabled = true;
  }
  try {
    const response = await fetch(action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
    const answer = new DOMParser().parseFromString(await response.text(), "text/html");
    if (!show(region, answer)) {
      // Another page answered (refused action, expired session): go and read it.
      window.location.assign(response.url);
    }
  } catch {
    region.removeAttribute("aria-busy");
    if (button) {
      button.disabled = false;
    }
    live.textContent = "L'envoi a échoué : vérifiez votre connexion, puis réessayez.";
  }
});
