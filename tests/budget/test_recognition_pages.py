"""The decision page asks for the recognition; the dossier page says it."""

import pytest

from tests.budget.conftest import lines_of

pytestmark = pytest.mark.django_db


def _post(client, dossier, outcome, recognised, amounts):
    data = {"outcome": outcome, "comment": "Motivation.", "recognised": recognised}
    for line, amount in zip(lines_of(dossier), amounts, strict=True):
        data[f"granted_{line.pk}"] = amount
        data[f"start_month_{line.pk}"] = "2025-09"
    return client.post(f"/campagnes/dossiers/{dossier.pk}/decision/", data)


def test_the_decider_recognises_with_no_new_funds(client, analysed, decider, lead, territories):
    client.force_login(decider)
    page = client.get(f"/campagnes/dossiers/{analysed.pk}/decision/").content.decode()
    assert "Reconnaissance de la filière" in page and "Selon l&#x27;issue" in page
    response = _post(client, analysed, "partially_accepted", "yes", ["0", "10000"])
    assert response.status_code == 302, response.content.decode()[:2000]
    analysed.refresh_from_db()
    assert analysed.recognised is True
    client.force_login(lead)
    page = client.get(f"/dossiers/{analysed.pk}/").content.decode()
    assert "La filière est reconnue" in page and "à compter du" in page


def test_a_rejection_that_recognises_is_refused_on_the_form(client, analysed, decider):
    client.force_login(decider)
    response = _post(client, analysed, "rejected", "yes", ["0", "0"])
    assert response.status_code == 400
    assert "Un dossier rejeté ne peut pas reconnaître la filière." in response.content.decode()
    analysed.refresh_from_db()
    assert analysed.state == "ars_analysis"
    response = _post(client, analysed, "rejected", "", ["0", "0"])
    assert response.status_code == 302
    analysed.refresh_from_db()
    assert analysed.recognised is False


def test_the_lead_home_says_the_filiere_is_recognised(client, analysed, decider, lead):
    client.force_login(decider)
    assert _post(client, analysed, "accepted", "", ["52000.00", "10000.00"]).status_code == 302
    client.force_login(lead)
    assert "Filière reconnue depuis le" in client.get("/").content.decode()
