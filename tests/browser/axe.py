"""axe-core in the browser (static/vendor/axe-core/axe.min.js, from the npm package
axe-core; docs/decisions/0053) and a crawler that visits every page type a person can
reach by following links.

`axe_violations(page)` runs every axe rule (WCAG 2.x A and AA, and best practices such
as landmark-unique and heading-order) on the page as it is and returns readable lines.
`crawl(page, start)` follows the links of <main>, the header and the footer, one page
per page type (the address with its numbers replaced), and yields each page loaded."""

import re
from urllib.parse import urldefrag, urlsplit

from playwright.sync_api import Error as PlaywrightError

AXE_URL = "/static/vendor/axe-core/axe.min.js"
# Never followed: downloads and generated files (not pages), Django's admin (not part of
# the DSFR interface: its own accessibility is Django's), the API and its docs. The pages
# of the exports and of the letters (/exports/, /courriers/) are followed.
SKIPPED = re.compile(
    r"^/(admin|api)/|/telecharger|/export\.|\.docx|\.xlsx|\.ods|\.csv|\.zip|\.pdf"
    r"|/pieces-jointes/\d+/$|/courriers/zip/|/fichier|/modele|/healthz|/comptes/proconnect"
)


def axe_violations(page):
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    results = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ["violations"]});
          return r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " — " +
                                                 (n.failureSummary || "").split("\\n")[1])
          }));
        }"""
    )
    return [f"{v['id']} ({v['impact']}) : {v['help']} — " + " | ".join(v["nodes"]) for v in results]


def page_type(path):
    """/dossiers/12/projets/3/ and /dossiers/7/projets/9/ are one page type."""
    return re.sub(r"/\d+(?=/|$)", "/N", re.sub(r"/[0-9a-f-]{32,}", "/K", path))


def links(page):
    return page.evaluate(
        """() => [...document.querySelectorAll("main a[href], header a[href], footer a[href]")]
                 .filter(a => !a.hasAttribute("download") && !a.target)
                 .map(a => a.href)"""
    )


def crawl(page, start, *, limit=80, origin=None, also_skipped=None):
    """Yield (path, response status) of each new page type reached from `start`, but
    those `also_skipped` (a compiled pattern) matches."""
    origin = origin or urlsplit(page.context.pages[0].url or start).netloc
    queue, seen = [start], set()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if (parts.netloc and parts.netloc != origin) or SKIPPED.search(parts.path):
            continue
        if also_skipped is not None and also_skipped.search(parts.path):
            continue
        kind = page_type(parts.path) + ("?" if parts.query else "")
        if kind in seen:
            continue
        seen.add(kind)
        try:
            response = page.goto(path)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                continue  # a file, not a page
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        yield path, response.status
        for href in links(page):
            href, _fragment = urldefrag(href)
            if href.startswith(("http://", "https://")) and urlsplit(href).netloc == origin:
                queue.append(href)
