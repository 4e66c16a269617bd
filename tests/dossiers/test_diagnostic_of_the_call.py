"""The diagnostic's parts from the call: three more counts and the territorial analysis,
in the form, the dossier page and the printable dossier."""

import pytest
from django.urls import reverse

from dossiers.enums import DIAGNOSTIC_ANALYSES
from tests.dossiers.form_data import diagnostic_data
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


def test_counts_and_analysis_are_saved_and_shown(client, lead, filiere):
    dossier = DossierFactory(filiere=filiere, diagnostic={})
    client.force_login(lead)
    url = reverse("dossiers:section", args=[dossier.pk, "diagnostic"])
    page = client.get(url).content.decode()
    assert "Analyse du territoire" in page and "Patients suivis en hospitalisation" in page
    fields = {
        "had_patients": "1 200",
        "other_housing_count": "35",
        "specialised_team_establishments": "abc",
        "needs": "Soins à domicile <dans> le centre Bretagne.",
        "prospective": "Vieillissement de la population.",
    }
    response = client.post(url, diagnostic_data(dossier, **fields))
    assert response.status_code == 400  # "abc" is not a count: nothing is lost
    assert "Soins à domicile &lt;dans&gt; le centre Bretagne." in response.content.decode()
    fields["specialised_team_establishments"] = "60"
    assert client.post(url, diagnostic_data(dossier, **fields)).status_code == 302
    dossier.refresh_from_db()
    stored = dossier.diagnostic
    assert (stored["had_patients"], stored["other_housing_count"]) == (1200, 35)
    assert stored["specialised_team_establishments"] == 60
    assert stored["needs"] == "Soins à domicile <dans> le centre Bretagne."
    assert {key for key, _label in DIAGNOSTIC_ANALYSES} <= set(stored)
    detail = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Besoins identifiés sur le territoire" in detail
    assert "Analyse prospective" in detail
