"""The delegations page's parts built without the slower general path (decision 0066):
the page of granted lines read per dossier (budget.queries.delegable_lines_page) gives
the rows of the sorted lines, and the delegation form is the string crispy rendered."""

from decimal import Decimal

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

from budget import queries
from budget.domain.decisions import decide
from budget.domain.delegations import record_delegation
from budget.forms import DelegationForm
from common.identifiers import finess_with_key
from common.templatetags.dsfr_fields import dsfr_form
from tests.budget.conftest import ONE_OFF, REC, grant_all, lines_of, make_dossier
from tests.factories import FiliereFactory

FINESS = finess_with_key("29000001")


@pytest.fixture
def decided(campaign, instructor, decider):
    """Decided dossiers of several sizes; two filières share a name (their lines then
    mix in the page order), a line is refused (0 €), one dossier grants nothing."""
    dossiers = []
    specs = [
        ("Brest", [[(REC, "100.00"), (ONE_OFF, "20.00")], [(REC, "30.00")]]),
        ("Alpha <b>\"&'", [(REC, "10.00")] * 4),
        ("Brest", [[(ONE_OFF, "5.00")], [(REC, "7.00"), (REC, "8.00")]]),
        ("Zeta", [(REC, "1.00")] * 2),
        ("Rien", [(REC, "3.00")]),
    ]
    for name, lines in specs:
        filiere = FiliereFactory(campaign=campaign, name=name)
        dossier = make_dossier(campaign, instructor, lines, filiere=filiere)
        amounts, outcome = None, "accepted"
        if name == "Rien":
            amounts, outcome = ["0"], "rejected"
        elif name == "Zeta":
            amounts, outcome = ["0", "1.00"], "partially_accepted"
        decide(dossier, decider, outcome, grant_all(dossier, amounts), "Accord.")
        dossiers.append(dossier)
    record_delegation(
        decider, lines_of(dossiers[0])[0].pk, "40", "2025-07-15", "convention", FINESS
    )
    return dossiers


def row(line):
    return (
        line.pk,
        line.label,
        line.nature,
        line.beneficiary_finess,
        line.granted,
        line.delegated,
        line.left,
        line.priority,
        line.project_title,
        line.filiere_name,
    )


def expected_rows(campaign):
    return [
        (
            line.pk,
            line.label,
            line.nature,
            line.beneficiary_finess,
            line.granted,
            line.delegated,
            line.granted - line.delegated,
            line.project.priority,
            line.project.title,
            line.project.dossier.filiere.name,
        )
        for line in queries.delegable_lines(campaign)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 2, 3, 5, 50])
def test_line_pages_are_slices_of_the_sorted_lines(campaign, decided, size):
    everything = expected_rows(campaign)
    assert len(everything) == 11
    assert Decimal("40.00") in [line[5] for line in everything]
    pages = -(-len(everything) // size)
    for number in range(1, pages + 1):
        page = queries.delegable_lines_page(campaign, str(number), size)
        assert page.number == number and page.paginator.count == len(everything)
        assert [row(line) for line in page.object_list] == everything[
            (number - 1) * size : number * size
        ]
    # As Paginator.get_page: not a number -> the first page, out of range -> the last.
    for asked, number in [(None, 1), ("x", 1), ("0", pages), ("-2", pages), ("999", pages)]:
        page = queries.delegable_lines_page(campaign, asked, size)
        assert page.number == number
        assert [row(line) for line in page.object_list] == everything[
            (number - 1) * size : number * size
        ]


@pytest.mark.django_db
def test_no_granted_line_is_an_empty_first_page(campaign):
    page = queries.delegable_lines_page(campaign, "3", 50)
    assert page.number == 1 and page.paginator.count == 0 and page.object_list == []


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["empty", "chosen", "chosen_elsewhere", "invalid"])
def test_delegation_form_same_string_as_crispy(campaign, decided, state):
    lines = queries.delegable_lines(campaign)
    page = queries.delegable_lines_page(campaign, "1", 3).object_list
    data = None
    if state == "invalid":
        data = {"line": str(page[0].pk), "amount": "x <b>", "date": "", "instrument": "?"}
    form = DelegationForm(data, lines=lines)
    if state == "chosen":
        form.initial["line"] = page[1].pk
    elif state == "chosen_elsewhere":
        form.initial["line"] = lines_of(decided[3])[1].pk
    form.limit_choices(page)
    if form.is_bound:
        assert not form.is_valid()
    html = str(dsfr_form(form))
    assert html == str(as_crispy_form(form))
    assert "<b>" not in html
