"""Issue 11: a lead writes, adds a funding line and submits with the keyboard only; the
focus always shows and follows the page's order."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect();
  // The ring is on the element, or on the block of a DSFR enlarged link (:focus-within).
  let visible = false;
  const ring = (s) =>
    (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== "none";
  for (let node = e, depth = 0; node && depth < 5; node = node.parentElement, depth++) {
    if (ring(getComputedStyle(node)) || ring(getComputedStyle(node, "::before"))
        || ring(getComputedStyle(node, "::after"))) {
      visible = true;
      break;
    }
  }
  return {
    name: e.id || e.name || (e.textContent || "").trim().slice(0, 40),
    tag: e.tagName,
    visible,
    top: r.top + window.scrollY,
    hash: location.hash,
  };
}"""


def tab_to(page, predicate, limit=120):
    """Press Tab until predicate(focus) holds; every focus on the way must be visible."""
    seen = []
    for _n in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        assert focus is not None, f"focus lost after {seen[-3:]}"
        assert focus["visible"], f"focus not visible on {focus}"
        seen.append(focus)
        if predicate(focus):
            return seen
    raise AssertionError(f"not reached in {limit} tabs: {seen[-5:]}")


def named(name):
    return lambda focus: focus["name"] == name


def in_page_order(focuses):
    tops = [focus["top"] for focus in focuses]
    return all(later >= earlier - 1 for earlier, later in zip(tops, tops[1:], strict=False))


def test_lead_writes_adds_a_line_and_submits_with_the_keyboard(page, lead, complete):
    login(page, lead)
    sheet = complete.projects.get()
    page.goto(f"/dossiers/{complete.pk}/projets/{sheet.pk}/")
    # The skip link first, then into the content.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Contenu")
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()  # the skip link works

    # Write in the sheet.
    tab_to(page, named("id_actions"))
    page.keyboard.press("End")
    page.keyboard.type(" Et une astreinte de nuit.")

    # Add a funding line: its fields come in the order they are shown.
    seen = tab_to(page, lambda f: f["name"].startswith("id_label"))
    page.keyboard.type("Astreinte de nuit")
    form_focuses = tab_to(page, lambda f: f["tag"] == "INPUT" and "nature" in f["name"])
    page.keyboard.press("ArrowDown")  # the other nature: one-off
    form_focuses += tab_to(page, lambda f: "amount" in f["name"])
    page.keyboard.type("3 000")
    form_focuses += tab_to(page, lambda f: f["name"] == "Ajouter la ligne")
    assert in_page_order(seen[-1:] + form_focuses), form_focuses
    page.keyboard.press("Enter")
    region = page.locator("#lignes-region")
    expect(region.get_by_role("status")).to_contain_text("Ligne de financement ajoutée.")
    expect(region.locator("table")).to_contain_text("Astreinte de nuit")
    # What was typed in the sheet is still there; save it with the keyboard.
    expect(page.get_by_label("Actions prévues")).to_have_value(re.compile("astreinte de nuit.$"))
    page.get_by_label("Actions prévues").focus()
    tab_to(page, named("Enregistrer la fiche"))
    page.keyboard.press("Enter")
    expect(page.locator("main").get_by_role("status").first).to_contain_text(
        "Fiche projet enregistrée."
    )

    # Submit: from the dossier's check page to the receipt.
    page.goto(f"/dossiers/{complete.pk}/verification/")
    tab_to(page, named("Déposer le dossier"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Déposer le dossier")
    tab_to(page, named("Confirmer : Déposer le dossier"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Récépissé de dépôt")
