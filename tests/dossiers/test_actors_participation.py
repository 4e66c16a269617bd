"""The actors the call names (LISP, USP, EMSP, HAD, ERRSPP, DAC, CPTS): their
participation read from the members' types, shown on the completeness page with the
missing ones, justified in the identity sheet instead of blocking the submission; the
justification in the form, the API's JSON, the dossier page, the snapshot diff."""

import pytest
from django.urls import reverse

from dossiers.domain.completeness import check_advice, check_dossier
from dossiers.domain.diff import diff_snapshots
from dossiers.domain.participation import NAMED_ACTORS, participation
from dossiers.domain.transitions import transition
from tests.dossiers.form_data import identity_data
from tests.factories import complete_dossier

pytestmark = pytest.mark.django_db

JUSTIFICATION = (
    "L'ERRSPP est régionale : elle intervient à la demande, une convention est en cours."
)


def members(*types):
    return [{"type": t, "name": f"{t} du territoire", "role": "requérant"} for t in types]


def test_participation_reads_the_members_types():
    actors = participation({"members": members("USP", "HAD", "EHPAD", "USP")})
    assert actors.present == ["USP", "HAD"]
    assert actors.missing == ["LISP", "EMSP", "ERRSPP", "DAC", "CPTS"]
    assert not actors.justified
    assert participation({"members": members(*NAMED_ACTORS)}).justified
    # Old or malformed identity sheets read as no member and no justification.
    for identity in ({}, None, {"members": "x"}, {"members": [None, 3]}):
        assert participation(identity).missing == [str(code) for code in NAMED_ACTORS]


def test_missing_actors_do_not_block_the_submission(filiere, lead):
    dossier = complete_dossier(filiere=filiere)
    assert participation(dossier.identity).missing  # the factory's members miss some
    assert check_dossier(dossier) == []
    advice = check_advice(dossier)
    assert [a.field for a in advice] == ["identity.actors_justification"]
    assert "indiquez pourquoi" in advice[0].message
    submitted = transition(dossier, "submit", lead)
    assert submitted.state == "submitted"


def test_the_completeness_page_lists_the_missing_actors(client, lead, filiere):
    dossier = complete_dossier(filiere=filiere)
    client.force_login(lead)
    url = reverse("dossiers:check", args=[dossier.pk])
    page = client.get(url).content.decode()
    assert "Le dossier est complet" in page  # still submittable
    assert "Participation des acteurs que l’appel demande d’associer" in page
    missing = participation(dossier.identity).missing
    assert f"Absents des structures membres : {', '.join(missing)}." in page
    section = reverse("dossiers:section", args=[dossier.pk, "identity"])
    assert f'href="{section}#actors"' in page and "Justifier leur absence" in page
    identity = {**dossier.identity, "actors_justification": JUSTIFICATION}
    type(dossier).objects.filter(pk=dossier.pk).update(identity=identity)
    page = client.get(url).content.decode()
    assert "Justification donnée" in page and "Justifier leur absence" not in page


def test_the_identity_form_saves_the_justification(client, lead, filiere):
    dossier = complete_dossier(filiere=filiere)
    client.force_login(lead)
    url = reverse("dossiers:section", args=[dossier.pk, "identity"])
    page = client.get(url).content.decode()
    assert 'id="actors"' in page and 'name="actors_justification"' in page
    data = identity_data(dossier, members("USP", "ERRSPP"), actors_justification=JUSTIFICATION)
    assert client.post(url, data).status_code == 302
    dossier.refresh_from_db()
    assert dossier.identity["actors_justification"] == JUSTIFICATION
    page = client.get(url).content.decode()
    assert "LISP" in page and "fr-badge--success" in page and "fr-badge--warning" in page
    # Too long: refused with a French message, what was typed is kept.
    data = identity_data(dossier, members("USP"), actors_justification="x" * 20001)
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "20000 caractères" in html and "x" * 20001 in html  # what was typed is kept


def test_the_api_takes_and_returns_the_justification(api, dossier):
    body = api.get(f"dossiers/{dossier.id}").json()
    identity = {**body["identity"], "actors_justification": JUSTIFICATION}
    response = api.patch(
        f"dossiers/{dossier.id}", {"version": body["version"], "identity": identity}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["identity"]["actors_justification"] == JUSTIFICATION
    bad = {**identity, "actors_justification": ["pas un texte"]}
    response = api.patch(
        f"dossiers/{dossier.id}", {"version": response.json()["version"], "identity": bad}
    )
    assert response.status_code == 400
    assert "identity.actors_justification" in response.json()["errors"]


def test_the_staff_see_it_and_reviewers_see_what_changed(client, lead, instructor, filiere):
    dossier = transition(complete_dossier(filiere=filiere), "submit", lead)
    first = dossier.snapshots.get().content
    client.force_login(instructor)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Acteurs que l’appel demande d’associer" in page
    assert "Justification de leur absence :</strong> non renseignée" in page
    second = {**first, "identity": {**first["identity"], "actors_justification": JUSTIFICATION}}
    identity = next(s for s in diff_snapshots(first, second).sections if s.key == "identity")
    change = next(c for c in identity.changes if c.path == "identity.actors_justification")
    assert change.label == "Acteurs de l'appel absents : justification"
    assert (change.old_display, change.new) == ("—", JUSTIFICATION)
