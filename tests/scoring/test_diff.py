"""What changed between two snapshots, field by field and project by project."""

from decimal import Decimal

from dossiers.domain.diff import diff_snapshots
from dossiers.domain.transitions import transition
from dossiers.models import Dossier, FundingLine, Project, Snapshot
from tests.factories import FundingLineFactory, ProjectFactory, complete_dossier, dossier_in_state


def _changes(section):
    return {c.path: (c.label, c.old_display, c.new_display) for c in section.changes}


def test_diff_of_two_real_snapshots(filiere, lead, instructor):
    dossier = complete_dossier(filiere=filiere)
    kept = dossier.projects.get()
    removed = FundingLineFactory(
        project=ProjectFactory(dossier=dossier, priority=2, title="Astreinte de nuit")
    ).project
    changed_line = kept.lines.get()
    dropped_line = FundingLineFactory(
        project=kept, label="Formation", nature="one_off", amount=Decimal("8000.00")
    )
    dossier = dossier_in_state(
        "returned_from_caresp", dossier=dossier, lead=lead, instructor=instructor
    )

    # The lead answers the completion request.
    identity = dict(dossier.identity)
    identity["coordinator"] = {**identity["coordinator"], "email": "nouvelle@example.fr"}
    identity["governance"] = "Comité de pilotage mensuel"
    identity["members"] = identity["members"][:1] + [
        {"type": "EHPAD", "name": "EHPAD Ker Anna", "finess": "", "siret": "", "role": "requérant"}
    ]
    diagnostic = dict(dossier.diagnostic)
    diagnostic["population"] = 575000
    diagnostic["missions"] = [
        {**m, "status": "covered"} if m["code"] == "graduated_offer" else m
        for m in diagnostic["missions"]
    ]
    swot = dict(dossier.swot)
    swot["threats"] = ["Difficultés de recrutement médical", "Vieillissement des équipes"]
    swot["strengths"] = ["Équipes mobiles reconnues"]
    Dossier.objects.filter(pk=dossier.pk).update(
        identity=identity, diagnostic=diagnostic, swot=swot
    )
    Project.objects.filter(pk=kept.pk).update(title="Renforcer l'EMSP du Léon", priority=1)
    FundingLine.objects.filter(pk=changed_line.pk).update(
        amount=Decimal("61000.00"), etp=Decimal("1.20")
    )
    dropped_line.delete()
    removed.delete()
    added = ProjectFactory(dossier=dossier, priority=2, title="Ligne d'appui territoriale")
    FundingLineFactory(project=added, amount=Decimal("30000.00"))
    new_line = FundingLineFactory(project=kept, label="Psychologue", amount=Decimal("25000.00"))
    transition(dossier, "resubmit", lead)

    old, new = (s.content for s in Snapshot.objects.filter(dossier=dossier).order_by("number"))
    diff = diff_snapshots(old, new)
    assert diff.has_changes
    identity_section, diagnostic_section, swot_section = diff.sections
    assert identity_section.label == "Fiche d'identité"
    changes = _changes(identity_section)
    assert changes["identity.coordinator.email"] == (
        "Coordination : adresse électronique",
        "coordination@example.fr",
        "nouvelle@example.fr",
    )
    assert changes["identity.governance"] == (
        "Gouvernance",
        "Comité de pilotage trimestriel",
        "Comité de pilotage mensuel",
    )
    # Members matched by FINESS, SIRET or name: one added, one removed, the first unchanged.
    assert changes["identity.members.1"] in {
        ("Membre ajouté", "—", "EHPAD Ker Anna (EHPAD, Requérant)"),
        ("Membre retiré", "HAD du Ponant (HAD, Requérant)", "—"),
    }
    assert sorted(c.label for c in identity_section.changes if "members" in c.path) == [
        "Membre ajouté",
        "Membre retiré",
    ]
    assert len(identity_section.changes) == 4
    assert _changes(diagnostic_section) == {
        "diagnostic.population": ("Population", "560\u202f000", "575\u202f000"),
        "diagnostic.missions.graduated_offer.status": (
            "Mission « Offre graduée (domicile et hôpital, 3 niveaux) » : statut",
            "Partielle",
            "Couverte",
        ),
    }
    threats = {c.path: c for c in swot_section.changes}["swot.threats"]
    assert threats.label == "Menaces"
    assert threats.added == ["Vieillissement des équipes"]
    assert threats.removed == []
    strengths = {c.path: c for c in swot_section.changes}["swot.strengths"]
    assert strengths.removed == ["Équipes mobiles expérimentées"]
    assert strengths.added == ["Équipes mobiles reconnues"]

    # Projects, matched by id.
    assert [p["title"] for p in diff.projects_added] == ["Ligne d'appui territoriale"]
    assert diff.projects_added[0]["requested_display"] == "30\u202f000,00\u00a0€"
    assert [p["title"] for p in diff.projects_removed] == ["Astreinte de nuit"]
    (project,) = diff.projects_changed
    assert project.id == kept.id
    assert [(c.label, c.old_display, c.new_display) for c in project.changes] == [
        ("Intitulé", kept.title, "Renforcer l'EMSP du Léon")
    ]
    assert [line["label"] for line in project.lines_added] == ["Psychologue"]
    assert project.lines_added[0]["id"] == new_line.id
    assert [(line["label"], line["amount_display"]) for line in project.lines_removed] == [
        ("Formation", "8\u202f000,00\u00a0€")
    ]
    (line,) = project.lines_changed
    assert line.id == changed_line.id
    assert [(c.label, c.old_display, c.new_display) for c in line.changes] == [
        ("ETP", "1,00", "1,20"),
        ("montant demandé", "52\u202f000,00\u00a0€", "61\u202f000,00\u00a0€"),
    ]
    assert (project.requested_old, project.requested_new) == (
        "60\u202f000,00\u00a0€",
        "86\u202f000,00\u00a0€",
    )
    totals = {c.path: (c.old_display, c.new_display) for c in diff.totals}
    assert totals["totals.requested_recurring"] == (
        "104\u202f000,00\u00a0€",
        "116\u202f000,00\u00a0€",
    )
    assert totals["totals.requested_one_off"] == ("8\u202f000,00\u00a0€", "0,00\u00a0€")
    # JSON-friendly too (for the API).
    assert diff.as_dict()["has_changes"] is True


def test_identical_snapshots_have_no_changes(filiere, lead, instructor):
    dossier = dossier_in_state(
        "returned_from_ars", filiere=filiere, lead=lead, instructor=instructor
    )
    transition(dossier, "resubmit", lead)
    old, new = (s.content for s in Snapshot.objects.filter(dossier=dossier).order_by("number"))
    diff = diff_snapshots(old, new)
    assert not diff.has_changes
    assert all(not s.changes for s in diff.sections)


def test_diff_tolerates_empty_or_partial_documents():
    diff = diff_snapshots({}, {"identity": {"name": "Filière"}, "projects": []})
    assert _changes(diff.sections[0]) == {"identity.name": ("Nom de la filière", "—", "Filière")}
    assert not diff_snapshots(None, None).has_changes


def test_the_parts_of_the_call_are_in_the_diff():
    old = {"identity": {"lead_structure": {"address": ""}}, "diagnostic": {"had_patients": 10}}
    new = {
        "identity": {"lead_structure": {"address": "2 avenue Foch, Brest"}},
        "diagnostic": {"had_patients": 12, "needs": "Soins à domicile."},
    }
    diff = diff_snapshots(old, new)
    changes = {
        path: change for section in diff.sections for path, change in _changes(section).items()
    }
    assert changes["identity.lead_structure.address"] == (
        "Structure porteuse : adresse postale",
        "—",
        "2 avenue Foch, Brest",
    )
    assert changes["diagnostic.had_patients"][0] == "Patients suivis en HAD"
    assert changes["diagnostic.needs"] == (
        "Besoins identifiés sur le territoire",
        "—",
        "Soins à domicile.",
    )
