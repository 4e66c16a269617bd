"""The DSFR rule of button rows (issue 11, item 9): within one `fr-btns-group`, every
button has the same size and at most one is primary (`fr-btn` without
`fr-btn--secondary` or `fr-btn--tertiary`). `button_group_problems(html)` lists what
breaks it on a rendered page."""

from html.parser import HTMLParser

SIZES = ("fr-btn--sm", "fr-btn--lg")
GROUP_SIZES = {"fr-btns-group--sm": "fr-btn--sm", "fr-btns-group--lg": "fr-btn--lg"}
NOT_PRIMARY = {"fr-btn--secondary", "fr-btn--tertiary", "fr-btn--tertiary-no-outline"}


class _Groups(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = []  # open tags: (tag, group or None)
        self.groups = []  # [{"size": group size, "buttons": [(classes, label)]}]
        self.current_button = None

    def handle_starttag(self, tag, attrs):
        classes = set((dict(attrs).get("class") or "").split())
        group = None
        if "fr-btns-group" in classes:
            size = next((GROUP_SIZES[c] for c in classes if c in GROUP_SIZES), "")
            group = {"size": size, "buttons": []}
            self.groups.append(group)
        if tag in ("a", "button") and "fr-btn" in classes:
            owner = next((g for _t, g in reversed(self.stack) if g is not None), None)
            if owner is not None:
                self.current_button = [classes, ""]
                owner["buttons"].append(self.current_button)
        if tag not in ("input", "br", "img", "hr", "meta", "link"):
            self.stack.append((tag, group))

    def handle_endtag(self, tag):
        if tag in ("a", "button"):
            self.current_button = None
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if self.current_button is not None:
            self.current_button[1] += data.strip()


def button_groups(html):
    parser = _Groups()
    parser.feed(html)
    return parser.groups


def button_group_problems(html):
    """Readable lines, one per row of buttons that breaks the rule (empty: all good)."""
    problems = []
    for group in button_groups(html):
        buttons = group["buttons"]
        sizes = {
            next((s for s in SIZES if s in classes), group["size"] or "md")
            for classes, _label in buttons
        }
        primaries = [label for classes, label in buttons if not classes & NOT_PRIMARY]
        labels = [label for _classes, label in buttons]
        if len(sizes) > 1:
            problems.append(f"tailles mélangées {sorted(sizes)} : {labels}")
        if len(primaries) > 1:
            problems.append(f"{len(primaries)} boutons principaux : {primaries}")
    return problems
