"""The dossier page leads to the printable version, the letter and the staff tools (the
instruction panels are on the page itself: decision 0054)."""

from django.urls import reverse

from dossiers.domain.transitions import transition
from tests.factories import complete_dossier


def test_links_follow_the_state_and_the_role(client, filiere, lead, instructor, decider, caresp):
    dossier = transition(complete_dossier(filiere=filiere), "submit", lead)
    dossier = transition(dossier, "start_ars_analysis", instructor)
    url = reverse("dossiers:detail", args=[dossier.pk])
    print_url = reverse("outputs:dossier_print", args=[dossier.pk])
    proposal_url = reverse("budget:proposal", args=[dossier.pk])
    decision_url = reverse("budget:decision", args=[dossier.pk])
    instruction = 'id="instruction"'
    letter_url = reverse("outputs:dossier_letter", args=[dossier.pk])

    client.force_login(lead)
    page = client.get(url).content.decode()
    assert print_url in page
    assert proposal_url not in page and instruction not in page and letter_url not in page

    client.force_login(instructor)
    page = client.get(url).content.decode()
    assert proposal_url in page and instruction in page and decision_url not in page

    client.force_login(decider)
    page = client.get(url).content.decode()
    assert decision_url in page and proposal_url not in page

    client.force_login(caresp)
    page = client.get(url).content.decode()
    assert instruction in page and proposal_url not in page and decision_url not in page
