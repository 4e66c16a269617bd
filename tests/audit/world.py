"""A realistic object set for the security audit, built through the real domain functions.

Two groups of filières in one campaign: group A (lead + co-editor) and group B
(another lead), with one dossier in every state in each group; reviews, scores,
internal comments (one ARS-only), a conflict of interest, proposals, a decision
and a delegation; attachments and a finished letters ZIP job; a second campaign
with its own decided dossier and job (for "ids of another campaign" checks); and a
second region, Normandie, whose staff member ("other_region": CARESP reviewer, ARS
instructor and decider there) runs its own campaign to a decided dossier and a job.

Every confidential value carries a unique token so that response bodies can be
searched for it (see SECRET_TOKENS)."""

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import ApiToken, Role
from budget.domain import decisions, delegations, proposals
from campaign.domain.documents import add_document
from campaign.domain.invitations import hash_token
from campaign.enums import CampaignKind, CampaignState
from campaign.models import Campaign, Invitation, LeadNomination
from common.identifiers import finess_with_key
from dossiers.domain.attachments import add_attachment
from dossiers.domain.transitions import transition
from dossiers.enums import DossierState as S
from dossiers.enums import LineNature
from dossiers.models import FundingLine
from followup.domain.editing import update_report
from followup.domain.opening import create_survey
from followup.domain.transitions import transition as report_transition
from followup.domain.types import MISSION_CODES
from followup.models import Report
from outputs.domain import letters
from outputs.models import OutputJob
from scoring.domain import assignments, comments, reviews
from scoring.domain.grid import get_grid, grid_criteria
from setup.domain.lifecycle import publish
from tests.factories import (
    CampaignFactory,
    FiliereFactory,
    FundingLineFactory,
    TerritoryFactory,
    UserFactory,
    complete_dossier,
    complete_identity,
    region,
)

STATES = [
    S.DRAFT,
    S.SUBMITTED,
    S.CARESP_REVIEW,
    S.ARS_ANALYSIS,
    S.RETURNED,
    S.DECIDED,
    S.WITHDRAWN,
]
ROLES = [
    "lead",
    "co_editor",
    "other_lead",
    "caresp",
    "instructor",
    "decider",
    "admin",
    "region_admin",
    "other_region",
    "outsider",
    "anonymous",
]
STAFF_ROLES = {"caresp", "instructor", "decider", "admin"}
# The region each regional staff role of ROLES holds its roles in (admin: national).
BRETAGNE, NORMANDIE = "53", "28"
REGION_OF_ROLE = {
    "region_admin": BRETAGNE,
    "caresp": BRETAGNE,
    "instructor": BRETAGNE,
    "decider": BRETAGNE,
    "other_region": NORMANDIE,
}
APPLICANT_ROLES = {"lead", "co_editor", "other_lead", "outsider", "anonymous"}

# Confidential values and the unique token each carries.
PROPOSED = Decimal("43210.98")
PROPOSED_TOKEN = "43210.98"  # searched in bodies with spaces removed and "," → "."
GRANTED = Decimal("40000.00")
INTERNAL_COMMENT = "Note interne confidentielle KX7Q-interne sur la gouvernance."
ARS_ONLY_COMMENT = "Note réservée à l'ARS ZW4P-ars sur le budget."
REVIEW_COMMENT = "Évaluation confidentielle RV9M-avis : diagnostic solide."
CRITERION_COMMENT = "Commentaire de critère CC3T-critere."
PROJECT_OPINION_COMMENT = "Avis confidentiel sur la fiche PO5L-fiche."
CONFLICT_REASON = "Conflit d'intérêts confidentiel CF2D-conflit : ancien salarié."
# With a hyphen: never found by chance in a random CSRF token or hash (letters and digits).
SECRET_TOKENS = [
    "KX7Q-interne",
    "ZW4P-ars",
    "RV9M-avis",
    "CC3T-critere",
    "PO5L-fiche",
    "CF2D-conflit",
]
# Names: group A's dossiers carry AN3, group B's BN8 (a lead never sees the other's).
A_TOKEN, B_TOKEN = "AN3-alpha", "BN8-beta"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    campaign: object = None
    draft_campaign: object = None  # Bretagne, in preparation
    other_campaign: object = None
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    # dossiers[group][state] for group "A" and "B"
    dossiers: dict = field(default_factory=dict)
    new_filiere: object = None  # group A filière without a dossier yet
    other_dossier: object = None  # decided dossier of the other campaign
    job: object = None
    other_job: object = None
    region2_campaign: object = None  # Normandie
    region2_dossier: object = None
    region2_job: object = None
    document: object = None  # a document of the call (Bretagne)
    region2_document: object = None
    invitation: object = None  # pending, to group A's filière (token INVITATION_TOKEN)
    other_invitation: object = None  # pending, to group B's filière
    # The yearly follow-up (followup/): Bretagne's campaign with the reports of the
    # recognised filières (group A's decided one, group B's) and the CAR'sp survey;
    # Normandie's with its own report.
    followup_campaign: object = None
    report: object = None  # group A's, submitted
    report_b: object = None  # group B's, draft
    survey: object = None
    region2_followup: object = None
    region2_report: object = None

    def dossier(self, state, group="A"):
        return self.dossiers[group][state]

    def project(self, state, group="A"):
        return self.dossier(state, group).projects.order_by("priority", "pk").first()

    def line(self, state, group="A"):
        return self.project(state, group).lines.order_by("pk").first()

    def attachment(self, state, group="A"):
        return self.dossier(state, group).attachments.order_by("pk").first()


def _upload(name, content):
    return SimpleUploadedFile(name, content)


def _due():
    return timezone.localdate() + dt.timedelta(days=15)


def _review_data(campaign, project):
    criteria = grid_criteria(get_grid(campaign))
    return {
        "scores": {c.code: 3 for c in criteria},
        "opinion": "favourable",
        "comment": REVIEW_COMMENT,
        "criterion_comments": {criteria[0].code: CRITERION_COMMENT},
        "projects": [
            {"project": project.pk, "opinion": "reserved", "comment": PROJECT_OPINION_COMMENT}
        ],
    }


def _propose(dossier, instructor):
    lines = [
        {
            "line": line.pk,
            "proposed": str(PROPOSED if line.nature == LineNature.RECURRING else line.amount),
            "opinion": "favourable",
        }
        for line in budget_lines(dossier)
    ]
    proposals.propose(dossier, instructor, lines)


def budget_lines(dossier):
    return list(FundingLine.objects.filter(project__dossier=dossier).order_by("pk"))


def _decide(dossier, decider):
    lines = [
        {
            "line": line.pk,
            "granted": str(GRANTED if line.nature == LineNature.RECURRING else line.amount),
            "start_month": "2025-09-01",
        }
        for line in budget_lines(dossier)
    ]
    return decisions.decide(dossier, decider, "partially_accepted", lines, "Décision motivée.")


def _build_dossier(world, group, state, filiere, editor):
    u = world.users
    dossier = complete_dossier(
        filiere=filiere,
        identity=complete_identity(
            f"Filière {group}{'lpha' if group == 'A' else 'êta'} "
            f"{A_TOKEN if group == 'A' else B_TOKEN} ({state})"
        ),
    )
    # A second, one-off line.
    FundingLineFactory(
        project=dossier.projects.get(),
        label="Formation des équipes",
        nature=LineNature.ONE_OFF,
        category="training",
        etp=None,
        amount=Decimal("12000.00"),
        first_year=None,
    )
    add_attachment(dossier, editor, _upload("convention.pdf", PDF), "identity")
    dossier.refresh_from_db()
    if state == S.DRAFT:
        return dossier
    dossier = transition(dossier, "submit", editor)
    if state == S.SUBMITTED:
        return dossier
    if state == S.WITHDRAWN:
        return transition(dossier, "withdraw", editor)
    dossier = transition(dossier, "start_caresp_review", u["instructor"])
    if group == "A":
        assignments.assign_reviewer(dossier, u["instructor"], u["caresp"])
        assignments.assign_reviewer(dossier, u["instructor"], u["instructor"])
        comments.add_comment(dossier, u["instructor"], INTERNAL_COMMENT)
        comments.add_comment(dossier, u["instructor"], ARS_ONLY_COMMENT, ars_only=True)
        assignments.declare_conflict(dossier, u["caresp2"], CONFLICT_REASON)
    if state == S.CARESP_REVIEW:
        # Returned once and resubmitted: two snapshots to compare.
        dossier = transition(
            dossier,
            "return_for_completion",
            u["instructor"],
            comment="Merci de préciser la gouvernance.",
            due_date=_due(),
        )
        dossier = transition(dossier, "resubmit", editor)
        if group == "A":
            project = dossier.projects.get()
            reviews.save_review(dossier, u["caresp"], _review_data(dossier.campaign, project))
        return dossier
    if group == "A":
        project = dossier.projects.get()
        reviews.save_review(
            dossier, u["caresp"], _review_data(dossier.campaign, project), submit=True
        )
    dossier = transition(dossier, "start_ars_analysis", u["instructor"])
    _propose(dossier, u["instructor"])
    if state == S.ARS_ANALYSIS:
        return dossier
    if state == S.RETURNED:
        return transition(
            dossier,
            "return_for_completion",
            u["instructor"],
            comment="Merci de chiffrer la fiche 1.",
            due_date=_due(),
        )
    assert state == S.DECIDED
    dossier = _decide(dossier, u["decider"])
    delegations.record_delegation(
        u["decider"],
        budget_lines(dossier)[0].pk,
        "10000.00",
        "2025-07-15",
        "fir_arrete",
        finess_with_key("29000001"),
    )
    return dossier


def _letters_job(campaign, user):
    job = OutputJob.objects.create(
        campaign=campaign,
        kind=OutputJob.Kind.LETTERS_ZIP,
        requested_by=user,
        status=OutputJob.Status.DONE,
        done=1,
        total=1,
        filename=letters.zip_filename(campaign),
        finished_at=timezone.now(),
    )
    buffer = io.BytesIO()
    letters.write_letters_zip(campaign, buffer)
    job.file.save(job.filename, ContentFile(buffer.getvalue()), save=True)
    return job


def build_world():
    world = World()
    campaign = CampaignFactory(slug="bretagne-2025")
    world.campaign = campaign
    t1 = TerritoryFactory(campaign=campaign, code="T1", name="Brest – Carhaix – Morlaix")
    t2 = TerritoryFactory(campaign=campaign, code="T2", name="Quimper – Douarnenez")
    users = world.users
    users["lead"] = UserFactory(username="porteur", roles=[Role.FILIERE_LEAD])
    users["co_editor"] = UserFactory(username="coredacteur", roles=[Role.FILIERE_LEAD])
    users["other_lead"] = UserFactory(username="porteur2", roles=[Role.FILIERE_LEAD])
    users["caresp"] = UserFactory(username="caresp", roles=[Role.CARESP_REVIEWER])
    users["caresp2"] = UserFactory(username="caresp2", roles=[Role.CARESP_REVIEWER])
    users["instructor"] = UserFactory(username="instructeur", roles=[Role.ARS_INSTRUCTOR])
    users["decider"] = UserFactory(username="decideur", roles=[Role.ARS_DECIDER])
    users["admin"] = UserFactory(
        username="admin", roles=[Role.ADMIN], is_staff=True, is_superuser=True
    )
    users["region_admin"] = UserFactory(username="admin-bretagne", roles=[Role.REGION_ADMIN])
    users["outsider"] = UserFactory(username="inconnu")
    for role, user in users.items():
        world.tokens[role] = ApiToken.issue(user)[1]
    for group, editors, territory in (
        ("A", [users["lead"], users["co_editor"]], t1),
        ("B", [users["other_lead"]], t2),
    ):
        world.dossiers[group] = {}
        for state in STATES:
            filiere = FiliereFactory(
                campaign=campaign,
                slug=f"{group.lower()}-{state.replace('_', '-')}",
                name=f"Filière {group}{'lpha' if group == 'A' else 'êta'} "
                f"{A_TOKEN if group == 'A' else B_TOKEN} {state}",
                territories=[territory],
                editors=editors,
            )
            for editor in editors:
                editor.__dict__.pop("filiere_ids", None)
            world.dossiers[group][state] = _build_dossier(world, group, state, filiere, editors[0])
    world.new_filiere = FiliereFactory(
        campaign=campaign,
        slug="a-nouvelle",
        name=f"Filière Alpha {A_TOKEN} nouvelle",
        territories=[t1],
        editors=[users["lead"], users["co_editor"]],
    )
    # Another campaign, with its own decided dossier and letters job.
    other = CampaignFactory(slug="autre-campagne-2024")
    world.other_campaign = other
    other_lead = UserFactory(username="porteur-autre", roles=[Role.FILIERE_LEAD])
    other_filiere = FiliereFactory(
        campaign=other, slug="autre-filiere", name="Autre filière", editors=[other_lead]
    )
    dossier = complete_dossier(filiere=other_filiere)
    dossier = transition(dossier, "submit", other_lead)
    dossier = transition(dossier, "start_ars_analysis", users["instructor"])
    world.other_dossier = _decide(dossier, users["decider"])
    world.job = _letters_job(campaign, users["instructor"])
    world.document = _document(campaign, users["instructor"])
    world.other_job = _letters_job(other, users["instructor"])
    world.invitation = _invitation(world.dossier("draft").filiere, users["lead"], INVITATION_TOKEN)
    world.other_invitation = _invitation(
        world.dossier("draft", "B").filiere, None, "autre-" + INVITATION_TOKEN
    )
    _draft_campaign(world, t1)
    _second_region(world)
    _followup(world)
    return world


def _followup(world):
    """The follow-up campaigns of both regions, published (their reports open); group
    A's report is filled and submitted, group B's stays a draft."""
    admin = world.users["admin"]
    for slug, where in (("bretagne-suivi-2026", BRETAGNE), ("normandie-suivi-2026", NORMANDIE)):
        campaign = CampaignFactory(
            slug=slug,
            region=region(where),
            kind=CampaignKind.FOLLOWUP,
            year=2026,
            state=CampaignState.DRAFT,
            name=f"Suivi annuel 2026 {where}",
        )
        campaign.envelopes.all().delete()
        publish(campaign, admin)
    world.followup_campaign = Campaign.objects.get(slug="bretagne-suivi-2026")
    world.region2_followup = Campaign.objects.get(slug="normandie-suivi-2026")
    reports = Report.objects.filter(campaign=world.followup_campaign)
    world.report = reports.get(filiere=world.dossier("decided").filiere)
    world.report_b = reports.get(filiere=world.dossier("decided", "B").filiere)
    world.region2_report = Report.objects.get(campaign=world.region2_followup)
    lead = world.users["lead"]
    update_report(
        world.report,
        lead,
        content=FILLED_INDICATORS,
        funding=[
            {"line": use.line_id, "spent": "100.00", "etp_filled": "0.50"}
            for use in world.report.funding.all()
        ],
    )
    world.report = report_transition(world.report, "submit", lead)
    world.survey = create_survey(world.followup_campaign)


FILLED_INDICATORS = {
    "governance_meetings": 2,
    "formalisation": {
        "territory_defined": True,
        "needs_inventory_updated": True,
        "charter_signed": False,
    },
    "actors": {"USP": 1},
    "offer": {"usp_beds": 1, "lisp_beds": 2, "hdj_places": 0, "emsp_count": 1, "had_count": 1},
    "vacancies": {"medical_etp": "0.00", "paramedical_etp": "1.00"},
    "partnerships": {
        k: 0
        for k in (
            "ehpad",
            "essms",
            "volunteers",
            "respite",
            "cpts",
            "msp",
            "health_centres",
            "other",
        )
    },
    "missions": [{"code": code, "status": "partial"} for code in MISSION_CODES],
}


def _draft_campaign(world, territory):
    """Bretagne's next call, in preparation: a filière of group A takes part (its leads
    must not know the call yet) and a lead is named, to be invited at publication."""
    draft = world.draft_campaign = CampaignFactory(
        slug="bretagne-2027", state=CampaignState.DRAFT, name="Appel en préparation 2027"
    )
    draft.territories.add(territory)
    draft.filieres.add(world.new_filiere)
    LeadNomination.objects.create(
        campaign=draft, filiere=world.new_filiere, email="futur.porteur@example.fr"
    )


INVITATION_TOKEN = "jeton-d-invitation-de-test-0123456789abcdef"


def _document(campaign, user):
    return add_document(
        user,
        campaign,
        kind="specifications",
        title=f"Cahier des charges {campaign.slug}",
        upload=_upload("cahier-des-charges.pdf", PDF),
    )


def _invitation(filiere, by, token):
    return Invitation.objects.create(
        email=f"invite-{filiere.slug}@example.fr",
        role=Role.FILIERE_LEAD,
        filiere=filiere,
        region=filiere.region,
        invited_by=by,
        token_hash=hash_token(token),
        expires_at=timezone.now() + dt.timedelta(days=7),
    )


def _second_region(world):
    """Normandie: its staff member holds every regional role there, and none here."""
    normandie = region(NORMANDIE)
    staff = world.users["other_region"] = UserFactory(
        username="ars-normandie",
        roles=[
            (Role.CARESP_REVIEWER, normandie),
            (Role.ARS_INSTRUCTOR, normandie),
            (Role.ARS_DECIDER, normandie),
            (Role.REGION_ADMIN, normandie),
        ],
    )
    world.tokens["other_region"] = ApiToken.issue(staff)[1]
    campaign = world.region2_campaign = CampaignFactory(slug="normandie-2026", region=normandie)
    territory = TerritoryFactory(campaign=campaign, code="N1", name="Caen – Bayeux")
    lead = UserFactory(username="porteur-normandie", roles=[Role.FILIERE_LEAD])
    filiere = FiliereFactory(
        campaign=campaign,
        slug="a-submitted",  # the same slug as one of Bretagne's: another filière
        name="Filière normande",
        territories=[territory],
        editors=[lead],
    )
    dossier = transition(complete_dossier(filiere=filiere), "submit", lead)
    dossier = transition(dossier, "start_ars_analysis", staff)
    # Its own amounts (the Bretagne proposal carries a token searched in every body).
    proposals.propose(
        dossier,
        staff,
        [{"line": line.pk, "proposed": str(line.amount)} for line in budget_lines(dossier)],
    )
    world.region2_dossier = _decide(dossier, staff)
    world.region2_job = _letters_job(campaign, staff)
    world.region2_document = _document(campaign, staff)


def unzip_text(data, depth=0):
    """The text of every member of a ZIP (docx, xlsx, ods, nested ZIP of letters)."""
    parts = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                content = archive.read(info)
                if content[:4] == b"PK\x03\x04" and depth < 2:
                    parts.append(unzip_text(content, depth + 1))
                else:
                    parts.append(content.decode("utf-8", "replace"))
    except zipfile.BadZipFile:
        return data.decode("utf-8", "replace")
    return "\n".join(parts)


def response_text(response):
    """Everything a response carries, as text (files unpacked)."""
    if getattr(response, "streaming", False):
        # Consuming the content closes the response the way the test client wants (its
        # own close() would fire request_finished and close the database connection).
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    if data[:4] == b"PK\x03\x04":
        return unzip_text(data)
    return data.decode("utf-8", "replace")


ARS_ONLY_TOKEN = "ZW4P-ars"


def leaked_secrets(text, role):
    """The confidential tokens found in `text` that `role` may not receive: everything
    for a non-staff role and for another region's staff (every token is Bretagne's);
    the ARS-only note for a CARESP reviewer."""
    if role == "caresp":
        return [f"note réservée à l'ARS {ARS_ONLY_TOKEN}"] if ARS_ONLY_TOKEN in text else []
    flat = (
        text.replace(" ", "")
        .replace("\u00a0", "")
        .replace("\u202f", "")
        .replace("&nbsp;", "")
        .replace("&#8239;", "")
        .replace(",", ".")
    )
    found = [token for token in SECRET_TOKENS if token in text]
    if PROPOSED_TOKEN in flat:
        found.append(f"proposed {PROPOSED_TOKEN}")
    if role in {"lead", "co_editor"} and B_TOKEN in text:
        found.append(f"other filière {B_TOKEN}")
    if role == "other_lead" and A_TOKEN in text:
        found.append(f"other filière {A_TOKEN}")
    if role in {"outsider", "anonymous", "other_region"}:
        found += [f"filière {t}" for t in (A_TOKEN, B_TOKEN) if t in text]
    return found
