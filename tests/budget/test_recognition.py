"""The decision recognises the filière (api.md `recognised`): by default unless
rejected; rejected and recognised is refused; recognised with no new funds is possible."""

import pytest

from budget.domain.decisions import decide
from common.errors import InvalidInput
from tests.budget.conftest import grant_all, lines_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("outcome", "amounts", "recognised", "expected"),
    [
        ("accepted", None, None, True),
        ("partially_accepted", ["26000.00", "0"], None, True),
        ("rejected", ["0", "0"], None, False),
        ("partially_accepted", ["26000.00", "0"], False, False),
    ],
)
def test_recognised_by_default_unless_rejected(
    analysed, decider, outcome, amounts, recognised, expected
):
    decide(
        analysed,
        decider,
        outcome,
        grant_all(analysed, amounts),
        "Motivation.",
        recognised=recognised,
    )
    analysed.refresh_from_db()
    assert (analysed.state, analysed.recognised) == ("decided", expected)


def test_a_rejected_dossier_cannot_recognise_the_filiere(analysed, decider):
    with pytest.raises(InvalidInput) as exc:
        decide(
            analysed, decider, "rejected", grant_all(analysed, ["0", "0"]), "Non.", recognised=True
        )
    assert exc.value.errors == {
        "recognised": ["Un dossier rejeté ne peut pas reconnaître la filière."]
    }
    analysed.refresh_from_db()
    assert (analysed.state, analysed.recognised) == ("ars_analysis", None)


def test_the_api_records_and_shows_the_recognition(client, analysed, decider, lead):
    client.force_login(decider)
    body = {
        "outcome": "rejected",
        "recognised": True,
        "comment": "Non.",
        "lines": grant_all(analysed, ["0", "0"]),
    }
    url = f"/api/v1/dossiers/{analysed.pk}/decision"
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "recognised": ["Un dossier rejeté ne peut pas reconnaître la filière."]
    }
    body.update(outcome="accepted", lines=grant_all(analysed))
    del body["recognised"]
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["recognised"] is True
    # The lead reads it on its decided dossier.
    client.force_login(lead)
    assert client.get(f"/api/v1/dossiers/{analysed.pk}").json()["recognised"] is True
    assert all(line.granted is not None for line in lines_of(analysed))
