"""The printable dossier printed by a real browser: the summary alone on the first page,
no page forced empty, and the DSFR tables' frame overlays gone so that rows print."""

import pytest

from dossiers.domain.transitions import transition
from tests.browser.helpers import login
from tests.factories import complete_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_printed_dossier_keeps_its_tables_and_starts_with_the_summary(
    page, lead, filiere, tmp_path
):
    dossier = transition(complete_dossier(filiere=filiere), "submit", lead)
    login(page, lead)
    page.goto(f"/campagnes/dossiers/{dossier.pk}/impression/")
    page.emulate_media(media="print")
    # The DSFR draws a table's frame with ::after boxes over thead and tbody: printed
    # without background graphics they hide the rows.
    overlays = page.evaluate(
        """() => [...document.querySelectorAll('.fr-table thead, .fr-table tbody')]
            .map(el => getComputedStyle(el, '::after').content)"""
    )
    assert overlays and set(overlays) == {"none"}
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.app-print-summary')).breakAfter")
        == "page"
    )
    assert set(
        page.evaluate(
            "[...document.querySelectorAll('.app-print-section')]"
            ".map(s => getComputedStyle(s).breakBefore)"
        )
    ) == {"auto"}
    pdf = tmp_path / "dossier.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF")
