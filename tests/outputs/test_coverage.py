"""Coverage report: gaps, overlaps, rejected dossiers flagged, drafts and withdrawn left out."""

from accounts.models import ApiToken
from dossiers.domain.transitions import transition
from outputs.domain.coverage import coverage_report
from tests.factories import FiliereFactory, UserFactory, complete_dossier


def test_report_lists_covering_dossiers_gaps_and_overlaps(scenario, campaign):
    report = coverage_report(campaign)
    by_code = {t.code: t for t in report.territories}
    a, b, c = scenario["a"], scenario["b"], scenario["c"]
    assert by_code["T1"].dossier_ids == [a.id]
    # T2: Cornouaille (B) and Lorient (C, rejected) — ordered by filière name.
    assert by_code["T2"].dossier_ids == [b.id, c.id]
    assert by_code["T2"].rejected_ids == [c.id]
    assert by_code["T3"].dossier_ids == [c.id] and by_code["T3"].only_rejected
    # T4 only has a draft: not covered.
    assert by_code["T4"].dossier_ids == []
    assert report.uncovered == ["T4"]
    assert report.overlaps == ["T2"]
    assert report.only_rejected == ["T3"]


def test_departements(scenario, campaign):
    deps = {d.code: d for d in coverage_report(campaign).departements}
    assert deps["29"].name == "Finistère"
    assert deps["29"].territories == ["T1", "T2", "T3"] and deps["29"].status == "covered"
    assert deps["56"].territories == ["T3", "T4"] and deps["56"].status == "partial"
    assert [d.id for d in deps["56"].dossiers] == [scenario["c"].id]


def test_withdrawn_dossier_no_longer_covers(scenario, campaign, other_lead):
    transition(scenario["b"], "withdraw", other_lead)
    report = coverage_report(campaign)
    assert report.overlaps == []
    assert {t.code: t.dossier_ids for t in report.territories}["T2"] == [scenario["c"].id]


def test_submitted_dossier_counts_from_submission(scenario, campaign, territories):
    filiere = FiliereFactory(campaign=campaign, territories=[territories["T4"]], name="Arvor")
    user = UserFactory(roles=["filiere_lead"])
    filiere.editors.add(user)
    dossier = complete_dossier(filiere=filiere)
    assert coverage_report(campaign).uncovered == ["T4"]
    transition(dossier, "submit", user)
    assert coverage_report(campaign).uncovered == []


def test_report_has_a_fixed_number_of_queries(scenario, campaign, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        coverage_report(campaign)


def test_api_shape(client, scenario, campaign, caresp):
    _token, raw = ApiToken.issue(caresp)
    response = client.get(
        f"/api/v1/campaigns/{campaign.slug}/coverage", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["uncovered"] == ["T4"] and body["overlaps"] == ["T2"]
    t2 = next(t for t in body["territories"] if t["code"] == "T2")
    assert t2["name"] == "Quimper – Douarnenez – Pont-l'Abbé"
    assert t2["dossiers"] == [scenario["b"].id, scenario["c"].id]
    assert t2["rejected"] == [scenario["c"].id]
    # Recognised (decided, not rejected) vs only applying.
    assert t2["recognised"] == [] and body["recognised"] == ["T1"]
    t1 = next(t for t in body["territories"] if t["code"] == "T1")
    assert t1["recognised"] == [scenario["a"].id]
    assert [t["code"] for t in body["territories"]] == ["T1", "T2", "T3", "T4"]
    assert {d["code"]: d["status"] for d in body["departements"]} == {
        "29": "covered",
        "56": "partial",
    }


def test_page_highlights_gaps_overlaps_and_rejected(client, scenario, campaign, instructor):
    client.force_login(instructor)
    response = client.get(f"/campagnes/{campaign.slug}/couverture/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 territoire non couvert" in html and "fr-alert--error" in html
    assert "1 territoire couvert par plusieurs dossiers" in html
    assert "Territoires couverts uniquement par des dossiers rejetés" in html
    assert html.count('fr-badge--error">Non couvert') == 1
    assert html.count("Chevauchement") == 1
    assert f'href="/dossiers/{scenario["c"].id}/"' in html
    assert "Couvert en partie" in html  # Morbihan
    # A is decided and recognised, B only applies (in analysis), C is rejected.
    assert html.count('fr-badge--success">Filière reconnue') == 1
    assert html.count('fr-badge--info">Candidate') == 1


def test_page_escapes_names_and_falls_back_to_the_filiere(client, scenario, campaign, instructor):
    """The dossier cells are built in Python (outputs/templatetags/coverage_tags.py): what
    a lead types is escaped, and a dossier without a name shows its filière's."""
    b, c = scenario["b"], scenario["c"]
    b.identity = {**b.identity, "name": '<script>alert("x")</script> & Cie'}
    b.save(update_fields=["identity"])
    c.identity = {**c.identity, "name": ""}
    c.save(update_fields=["identity"])
    report = coverage_report(campaign)
    by_id = {d.id: d for t in report.territories for d in t.dossiers}
    assert by_id[c.id].name == c.filiere.name
    client.force_login(instructor)
    html = client.get(f"/campagnes/{campaign.slug}/couverture/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie" in html
    assert f"n° {c.id} — Lorient / Quimperlé</a>" in html
    assert (
        f'n° {c.id} Lorient / Quimperlé <span class="fr-badge fr-badge--sm fr-badge--error">Rejeté'
        in html
    )
