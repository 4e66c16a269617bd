"""What a narrow screen must not hide (issue 11, item 8): `layout_problems(page)` returns
readable lines for a page that scrolls sideways, and for amounts, table cells and buttons
of <main> that stick out of the screen or out of a box that clips or scrolls them
(a table scrolling sideways hides its last columns: the amounts and the buttons)."""

LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const width = window.innerWidth;
  const scrollWidth = document.scrollingElement.scrollWidth;
  if (scrollWidth > width + 1) {
    problems.push(`la page défile de côté (${scrollWidth} px pour ${width} px)`);
  }
  const hidden = (element) => element.closest(".fr-sr-only, [hidden]")
    || element.closest("[data-cards] thead");
  const name = (element) => {
    const text = element.textContent.replace(/\\s+/g, " ").trim().slice(0, 40);
    return `${element.tagName.toLowerCase()}${element.className ? "." +
      String(element.className).trim().replace(/\\s+/g, ".") : ""} « ${text} »`;
  };
  const selector = "main .app-money, main td, main th, main .fr-btn, main [data-budget-sticky]";
  document.querySelectorAll(selector).forEach((element) => {
    if (hidden(element)) return;
    const box = element.getBoundingClientRect();
    if (!box.width || !box.height) return;
    if (box.left < -1 || box.right > width + 1) {
      problems.push(`${name(element)} dépasse de l'écran (${Math.round(box.left)} à ` +
                    `${Math.round(box.right)} px)`);
      return;
    }
    if (element.matches(".app-money") && element.scrollWidth > element.clientWidth + 1
        && getComputedStyle(element).overflowX !== "visible") {
      problems.push(`${name(element)} est coupé`);
      return;
    }
    for (let parent = element.parentElement; parent && parent !== document.body;
         parent = parent.parentElement) {
      if (getComputedStyle(parent).overflowX === "visible") continue;
      const frame = parent.getBoundingClientRect();
      if (box.left < frame.left - 1 || box.right > frame.right + 1) {
        problems.push(`${name(element)} est caché dans ${name(parent).split(" «")[0]} ` +
                      "qui défile de côté");
        return;
      }
    }
  });
  return problems;
}"""


def layout_problems(page):
    return page.evaluate(LAYOUT_PROBLEMS)
