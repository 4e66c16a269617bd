"""The demonstration data of `make run` (`manage.py seed_demo`).

The Bretagne 2025 campaign with its real dates, its 8 health territories and
8 filières, one user per role, and one dossier per filière covering every state
of the lifecycle. Everything goes through the same domain functions as the
interface: `load_campaign` for the campaign and users, the editing functions for
the dossiers' content, and `dossiers.domain.transitions.transition` for every state change,
so history entries and snapshots exist as they would in real life.

The campaign's deadline (14 February 2025) is past: the two draft filières get
an individual extension so that their lead can still submit in the demo.
No e-mail is sent while seeding.

The demo's data (accounts, filières, texts, figures, dates, amounts) lives in
setup/data/demo.json so it can be read and changed without touching the code; this
module only builds the demo from it. Texts that depend on a territory keep
placeholders ({lead}, {of_first_town}...) that the code fills in."""

import datetime as dt
import json
import time
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import pgtrigger
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import router, transaction
from django.db.models import Max
from django.db.models.deletion import ProtectedError
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Role, User
from budget.domain.decisions import decide
from budget.domain.proposals import propose
from campaign.domain.documents import add_document
from campaign.models import Campaign, DeadlineExtension
from common.errors import Conflict
from common.identifiers import finess_with_key
from dossiers.domain import editing
from dossiers.domain.due_dates import extend_due_date
from dossiers.domain.transitions import transition
from dossiers.enums import DossierState, LineNature, Mission, Outcome
from dossiers.models import Attachment, Dossier, FundingLine, HistoryEntry, Snapshot
from followup.domain.editing import update_report
from followup.domain.opening import create_survey
from followup.models import Report, ReportAttachment, ReportHistory, ReportSnapshot
from scoring.domain.assignments import assign_reviewer
from scoring.domain.grid import get_grid, grid_criteria
from scoring.domain.reviews import save_review
from setup.loading import REFERENCE_FILE, load_campaign

DATA_FILE = Path(__file__).resolve().parent / "data" / "demo.json"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@cache
def _data():
    """The demo's data (setup/data/demo.json), read once: the module only holds code."""
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def _at(text, *, days=0, minutes=0):
    """A wall-clock time of the JSON ("2025-02-20T09:30:00") in Paris, shifted if asked."""
    local = dt.datetime.fromisoformat(text) + dt.timedelta(days=days, minutes=minutes)
    return local.replace(tzinfo=PARIS)


def _date(text):
    return dt.date.fromisoformat(text)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    filiere: str = ""
    note: str = ""
    first_name: str = ""
    last_name: str = ""


DEMO_SLUG = _data()["campaign"]["slug"]
EXTENSION_REASON = _data()["extension"]["reason"]
EXTENSION_DAYS = _data()["extension"]["days"]

# filière slug -> (territory code, state shown in the demo, number of project sheets)
FILIERES = {
    slug: (f["territory"], f["state"], f["project_sheets"])
    for slug, f in _data()["filieres"].items()
}
# What a filière of the JSON says besides: its own name, towns, lead structure, figures,
# coordinator when it is not its territory's usual filière; its decision when decided.
FILIERE_SPECS = {slug: dict(f) for slug, f in _data()["filieres"].items()}
STATE_NOTES = dict(_data()["state_notes"])
FILIERE_NOTES = {
    slug: spec.get("note") or STATE_NOTES[spec["state"]] for slug, spec in FILIERE_SPECS.items()
}
ACCOUNTS = [
    DemoAccount(**{**account, "role": Role(account["role"])}) for account in _data()["accounts"]
]
# Per territory: lead structure and figures (population from the fixture when it has one).
TERRITORY_DETAILS = {code: dict(details) for code, details in _data()["territory_details"].items()}
COORDINATORS = {code: (c["name"], c["phone"]) for code, c in _data()["coordinators"].items()}


def _missions(table):
    return {Mission(code): (m["status"], m["comment"]) for code, m in table.items()}


# Mission code -> (default status, comment); MISSION_GAPS: what differs per territory.
MISSION_PLAN = _missions(_data()["mission_plan"])
MISSION_GAPS = {code: _missions(gaps) for code, gaps in _data()["mission_gaps"].items()}


def _email(username):
    return _data()["account_email"].format(username=username)


def _of(town):
    return f"d'{town}" if town[0] in "AEIOUÉHaeiouéh" else f"de {town}"


@dataclass
class _Line:
    label: str
    nature: str
    category: str
    amount: str
    etp: str | None
    profile: str
    first_year: int | None
    on_member: bool  # beneficiary: a member hospital rather than the lead


def _line(spec):
    """A funding line of a template; a staff line's amount is its ETP times its cost per ETP."""
    amount = spec.get("amount")
    if "per_etp" in spec:
        amount = str((Decimal(spec["etp"]) * Decimal(spec["per_etp"])).quantize(Decimal("1")))
    return _Line(
        spec["label"],
        spec["nature"],
        spec["category"],
        amount,
        spec.get("etp"),
        spec.get("profile", ""),
        spec["first_year"],
        spec["on_member"],
    )


TEXT_KEYS = ("title", "objectives", "actions", "indicators")


def _project_templates(towns):
    """The project sheets of the JSON, for a territory: {second} is its second main town."""
    second = towns[1] if len(towns) > 1 else towns[0]
    words = {"second": second, "of_second": _of(second)}
    return [
        {
            **{key: template[key].format(**words) for key in TEXT_KEYS},
            "missions": list(template["missions"]),
            "swot": template["swot"],
            "lines": [_line(spec) for spec in template["lines"]],
        }
        for template in _data()["project_sheets"]["templates"]
    ]


def _reference():
    data = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    return {t["code"]: t for t in data["territories"]}, {d["code"]: d for d in data["departements"]}


class _Finess:
    """Plausible FINESS numbers (department prefix, valid key), distinct within the demo."""

    def __init__(self):
        self.counters = Counter()

    def __call__(self, departement):
        self.counters[departement] += 1
        return finess_with_key(f"{departement}{self.counters[departement] * 137 + 10:06d}")


def _step(value, table):
    """The figure of the first threshold `value` is above, else the table's `otherwise`."""
    return next((figure for limit, figure in table["above"] if value > limit), table["otherwise"])


def _filiere_name(slug, territory):
    return FILIERE_SPECS[slug].get("name") or territory["usual_filiere_name"]


def _content(code, territory, departements, finess, slug):
    spec_of_filiere = FILIERE_SPECS[slug]
    details = {**TERRITORY_DETAILS[code], **spec_of_filiere}
    towns = spec_of_filiere.get("towns") or territory["main_towns"]
    dep = territory["departements"][0]
    lead_name = details["lead"]
    usual = _filiere_name(slug, territory)
    words = {
        "lead": lead_name,
        "usual": usual,
        "departement": departements[dep]["name"],
        "of_first_town": _of(towns[0]),
        "last_town": towns[-1],
        "of_last_town": _of(towns[-1]),
        # A territory's second filière has its own mailbox.
        "code": slug if "name" in spec_of_filiere else code.lower(),
    }
    spec = _data()["identity"]
    # Numbers are drawn in the order of the members: the lead's first, then one per member.
    lead_finess = finess(dep)

    def member(template, **more):
        kind = template["finess"]  # "lead", "new" or a literal number ("" for none)
        number = lead_finess if kind == "lead" else finess(dep) if kind == "new" else kind
        return {**template, "name": template["name"].format(**words, **more), "finess": number}

    members = [member(m) for m in spec["members"]["lead"]]
    member_finess = []
    for town in towns[1:]:
        members.append(member(spec["members"]["each_other_town"], of_town=_of(town)))
        member_finess.append(members[-1]["finess"])
    members += [member(m) for m in spec["members"]["partners"]]
    coordinator, phone = (
        (spec_of_filiere["coordinator"]["name"], spec_of_filiere["coordinator"]["phone"])
        if "coordinator" in spec_of_filiere
        else COORDINATORS[code]
    )
    identity = {
        "name": spec["name"].format(**words),
        "lead_structure": {
            "name": lead_name,
            "finess": lead_finess,
            "legal_status": spec["legal_status"],
            # The decision letter's addressee.
            "address": details.get("address", ""),
            "representative_name": (details.get("representative") or {}).get("name", ""),
            "representative_title": (details.get("representative") or {}).get("title", ""),
        },
        "coordinator": {
            "name": coordinator,
            "email": spec["coordinator_email"].format(**words),
            "phone": phone,
        },
        "members": [{**m, "siret": ""} for m in members],
        "governance": spec["governance"],
        "convention_signed": spec["convention_signed"],
        # The ERRSPP (regional) is the one actor the call names that is not a member.
        "actors_justification": spec["actors_justification"],
        "communes": ", ".join(towns),
    }
    figures = _data()["diagnostic"]
    per, at_least = figures["inhabitants_per"], figures["at_least"]
    population = details["population"] or territory["population"]
    over_75 = details.get("over_75", figures["over_75_share"])
    ehpad = population // per["ehpad"]
    access = (
        figures["access_islands"]
        if code in figures["island_territories"]
        else figures["access_rural"]
    )
    diagnostic = {
        "population": population,
        "minors": int(population * figures["minors_share"]),
        "over_75": int(population * over_75),
        "area_km2": str(details["area"]),
        "access_notes": figures["access_notes"].format(**words) + access,
        "lisp_beds": population // per["lisp_bed"],
        "usp_beds": _step(population, figures["usp_beds"]),
        "emsp_count": max(at_least["emsp"], population // per["emsp"]),
        "had_count": _step(population, figures["had_count"]),
        "ehpad_count": ehpad,
        "ehpad_residents": ehpad * figures["residents_per_ehpad"],
        "dac_count": figures["dac_count"],
        "cpts_count": max(at_least["cpts"], population // per["cpts"]),
        "volunteer_associations": max(
            at_least["volunteer_association"], population // per["volunteer_association"]
        ),
        "missions": [
            {"code": m, "status": status, "comment": comment}
            for m, (status, comment) in {**MISSION_PLAN, **MISSION_GAPS.get(code, {})}.items()
        ],
    }
    swot = {
        part: [item.format(**words) for item in items] for part, items in _data()["swot"].items()
    }
    return identity, diagnostic, swot, lead_finess, member_finess or [lead_finess]


def _project_data(template, priority, code, lead_name, swot):
    sheets = _data()["project_sheets"]
    later = priority >= sheets["later_from_priority"]
    return {
        "priority": priority,
        "title": template["title"],
        "objectives": template["objectives"],
        "actions": template["actions"],
        "start": _date(sheets["later_start"] if later else sheets["start"]),
        "end": _date(sheets["end"]),
        "pilot": lead_name,
        "partners": sheets["partners"],
        "indicators": template["indicators"],
        "missions": template["missions"],
        "swot_items": [swot[template["swot"]][0]],
    }


@dataclass
class DemoReport:
    campaign: Campaign
    created: bool
    states: Counter = field(default_factory=Counter)
    extensions: list = field(default_factory=list)  # [(filière, until)]
    seconds: float = 0.0
    accounts: list = field(default_factory=lambda: list(ACCOUNTS))


def campaign_spec():
    """The demo campaign as a load_campaign file (real dates of the call)."""
    territories, _deps = _reference()
    return {
        **_data()["campaign"],
        "envelopes": dict(_data()["campaign"]["envelopes"]),
        "filieres": [
            {
                "slug": slug,
                "name": _filiere_name(slug, territories[code]),
                "territories": [code],
            }
            for slug, (code, _state, _n) in FILIERES.items()
        ],
        "users": [
            {
                "username": a.username,
                "email": _email(a.username),
                "password": a.password,
                "first_name": a.first_name,
                "last_name": a.last_name,
                "roles": [str(a.role)],
                "filieres": [a.filiere] if a.filiere else [],
            }
            for a in ACCOUNTS
        ],
    }


DEMO_HASH_ITERATIONS = 10_000


def _create_demo_users():
    """Create the demo accounts that do not exist yet, with quickly computed hashes.

    Their passwords are printed for everyone to use, so a full-strength hash
    (a million iterations, a quarter of a second each) would only slow the demo
    down. Django re-hashes a password at full strength at its first login
    (PBKDF2PasswordHasher.must_update), and load_campaign then finds them unchanged."""
    hasher = get_hasher()
    existing = set(
        User.objects.filter(username__in=[a.username for a in ACCOUNTS]).values_list(
            "username", flat=True
        )
    )
    for account in ACCOUNTS:
        if account.username not in existing:
            User.objects.create(
                username=account.username,
                email=_email(account.username),
                password=hasher.encode(
                    account.password, hasher.salt(), iterations=DEMO_HASH_ITERATIONS
                )
                if isinstance(hasher, PBKDF2PasswordHasher)
                else make_password(account.password),
            )


def _fire(dossier, name, user, at, **kwargs):
    """A workflow transition at a past instant of the campaign's timeline."""
    return transition(dossier, name, user, now=at, **kwargs)


def _record_demo_decision(dossier, instructor, decider):
    """The instructor proposes and the decider decides, through the budget domain.

    Each sheet gets the share of its amounts its priority has in the JSON (Brocéliande
    Atlantique: 1 and 2 in full, 3 at half, the rest refused this year; a filière's own
    "decision" replaces the outcome, comment and shares); granted recurring lines start in
    September of their first year, 2025 at the earliest."""

    spec = {
        **_data()["timeline"]["decision"],
        **FILIERE_SPECS[dossier.filiere.slug].get("decision", {}),
    }
    shares = spec["granted_share_by_priority"]
    recurring_start = _date(spec["recurring_start"])
    lines = FundingLine.objects.filter(project__dossier=dossier).select_related("project")
    decided = []
    for line in lines:
        share = Decimal(shares.get(str(line.project.priority), "0"))
        granted = (line.amount * share).quantize(Decimal("0.01"))
        recurring = line.nature == LineNature.RECURRING
        first_year = max(line.first_year or recurring_start.year, recurring_start.year)
        decided.append(
            {
                "line": line.pk,
                "granted": granted,
                "start_month": recurring_start.replace(year=first_year)
                if recurring and granted
                else None,
            }
        )
    propose(
        dossier,
        instructor,
        [
            {
                "line": d["line"],
                "proposed": d["granted"],
                "opinion": "favourable" if d["granted"] else "unfavourable",
            }
            for d in decided
        ],
    )
    return decide(
        dossier, decider, Outcome(spec["outcome"]), decided, spec["comment"], now=_at(spec["at"])
    )


def _demo_reviews(dossier, users, day, *, submit):
    """The CARESP reviewer (and, once submitted, the instructor) score the dossier.

    In CARESP review the CARESP account has a draft to finish: something to do in the demo.
    Each territory's reviews are dated `day` days after the JSON's first review time."""

    spec = _data()["timeline"]["reviews"]
    instructor, caresp = users["instructeur"], users["caresp"]
    criteria = grid_criteria(get_grid(dossier.campaign))
    reviewers = [caresp, instructor] if submit else [caresp]
    for offset, reviewer in enumerate(reviewers):
        assign_reviewer(dossier, instructor, reviewer)
        scores = {c.code: min(4, 1 + (day + offset + i) % 4) for i, c in enumerate(criteria)}
        save_review(
            dossier,
            reviewer,
            {
                "scores": scores,
                "opinion": "favourable" if sum(scores.values()) >= 2 * len(scores) else "reserved",
                "comment": spec["comment"],
            },
            submit=submit,
            now=_at(spec["at"], days=day),
        )


def _build_dossier(filiere, lead, users, code, state, n_projects, refs, finess, now):
    territories, departements = refs
    territory = territories[code]
    identity, diagnostic, swot, lead_finess, member_finess = _content(
        code, territory, departements, finess, filiere.slug
    )
    dossier = editing.create_dossier(lead, filiere.campaigns.get(slug=DEMO_SLUG), filiere)
    if state == "draft_started":
        started = _data()["draft_started"]  # the only keys a barely started draft has
        identity = {key: identity[key] for key in started["identity"]}
        diagnostic = {key: diagnostic[key] for key in started["diagnostic"]}
        editing.update_parts(dossier, lead, {"identity": identity, "diagnostic": diagnostic})
        return dossier, state
    if state == "draft":
        swot = {**swot, "threats": []}  # left for the lead to finish in the demo
        # The completeness page asks why the ERRSPP is not a member.
        identity = {**identity, "actors_justification": ""}
    editing.update_parts(
        dossier, lead, {"identity": identity, "diagnostic": diagnostic, "swot": swot}
    )
    templates = _project_templates(
        FILIERE_SPECS[filiere.slug].get("towns") or territory["main_towns"]
    )
    offset = int(code[1:]) - 1
    chosen = [templates[(offset + i) % len(templates)] for i in range(n_projects)]
    for priority, template in enumerate(chosen, start=1):
        project = editing.create_project(
            dossier,
            lead,
            _project_data(template, priority, code, identity["lead_structure"]["name"], swot),
        )
        for index, line in enumerate(template["lines"]):
            first_year = line.first_year if line.nature == "recurring" else None
            if first_year and project.start and first_year < project.start.year:
                first_year = project.start.year  # never before its sheet starts (the call)
            if state == "draft" and priority == n_projects and index == 0:
                first_year = None  # the second thing the completeness check will point out
            editing.create_line(
                dossier,
                lead,
                project.id,
                {
                    "label": line.label,
                    "nature": line.nature,
                    "category": line.category,
                    "staff_profile": line.profile,
                    "etp": line.etp,
                    "amount": line.amount,
                    "first_year": first_year,
                    "beneficiary_finess": member_finess[index % len(member_finess)]
                    if line.on_member
                    else lead_finess,
                },
            )
    instructor, decider = users["instructeur"], users["decideur"]
    day = int(code[1:])
    timeline = _data()["timeline"]
    if state in {"draft"}:
        return dossier, state
    # Each territory submits on its own day: its number in days and minutes after the JSON's time.
    dossier = _fire(dossier, "submit", lead, _at(timeline["submit"], days=day, minutes=day))
    if state == "submitted":
        return dossier, state
    if state == "withdrawn":
        step = timeline["withdraw"]
        dossier = _fire(dossier, "withdraw", lead, _at(step["at"]), comment=step["comment"])
        return dossier, state
    dossier = _fire(
        dossier, "start_caresp_review", instructor, _at(timeline["start_caresp_review"])
    )
    _demo_reviews(dossier, users, day, submit=state not in {"caresp_review", "returned"})
    if state == "caresp_review":
        return dossier, state
    if state == "returned":
        step = timeline["return_for_completion"]
        dossier = _fire(
            dossier,
            "return_for_completion",
            instructor,
            _at(step["at"]),
            comment=step["comment"],
            due_date=_date(step["due_date"]),
        )
        return dossier, state
    if state == "ars_analysis":
        # A round of completion first: two snapshots show what changed.
        step = timeline["completion_round"]
        dossier = _fire(
            dossier,
            "return_for_completion",
            instructor,
            _at(step["return_at"]),
            comment=step["comment"],
            due_date=_date(step["due_date"]),
        )
        diagnostic = dict(dossier.diagnostic)
        diagnostic["access_notes"] += step["access_notes_added"]
        editing.update_parts(
            dossier, lead, {"diagnostic": diagnostic}, now=_at(step["resubmit_at"])
        )
        dossier = _fire(dossier, "resubmit", lead, _at(step["resubmit_at"]))
        dossier = _fire(
            dossier, "start_ars_analysis", instructor, _at(step["start_ars_analysis_at"])
        )
        return dossier, state
    dossier = _fire(dossier, "start_ars_analysis", instructor, _at(timeline["start_ars_analysis"]))
    dossier = _record_demo_decision(dossier, instructor, decider)
    return dossier, state


def demo_pdf(lines):
    """A one-page PDF of a few lines of text (Helvetica, WinAnsi: accents kept), built by
    hand so that the demo ships no binary file."""
    text = "".join(
        f"BT /F1 {14 if index == 1 else 11} Tf 60 {780 - 22 * index} Td ({_pdf_text(line)}) Tj ET\n"
        for index, line in enumerate(lines)
    ).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _pdf_text(line):
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("’", "'")


def _publish_documents(campaign, instructor):
    """The call's documents on the leads' home pages (campaign.domain.documents)."""
    for spec in _data().get("documents", []):
        upload = SimpleUploadedFile(spec["file"], demo_pdf(spec["lines"]))
        add_document(instructor, campaign, kind=spec["kind"], title=spec["title"], upload=upload)


def _extension_until(now):
    day = timezone.localtime(now, PARIS).date() + dt.timedelta(days=EXTENSION_DAYS)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=PARIS)


def ensure_demo_extensions(campaign, instructor, now):
    """Draft filières of the demo get (again) an extension ending 30 days from now, and
    a dossier returned for completion a due date 30 days from now (its historical one
    has passed: it could be neither edited nor resubmitted)."""

    granted = []
    renew = now + dt.timedelta(days=_data()["extension"]["renew_when_days_left"])
    for dossier in Dossier.objects.filter(campaign=campaign, state=DossierState.RETURNED):
        if dossier.completion_due_at is None or dossier.completion_due_at < renew:
            extend_due_date(
                dossier,
                instructor,
                _extension_until(now).date(),
                _data()["extension"]["completion_reason"],
                now=now,
            )
    drafts = Dossier.objects.filter(campaign=campaign, state=DossierState.DRAFT).select_related(
        "filiere"
    )
    for dossier in drafts:
        latest = dossier.filiere.extensions.aggregate(latest=Max("until"))["latest"]
        current = max(campaign.deadline, latest) if latest else campaign.deadline
        if current >= now + dt.timedelta(days=_data()["extension"]["renew_when_days_left"]):
            granted.append((dossier.filiere, current))
            continue
        until = _extension_until(now)
        DeadlineExtension.objects.create(
            campaign=campaign,
            filiere=dossier.filiere,
            until=until,
            reason=EXTENSION_REASON,
            granted_by=instructor,
            created_at=now,
        )
        granted.append((dossier.filiere, until))
    return granted


# The database's guarantees (common.triggers) the demo reset alone may lift, for the demo
# campaign only, inside its transaction.
DEMO_RESET_LIFTS = (
    "dossiers.HistoryEntry:append_only",
    "dossiers.Snapshot:append_only",
    "dossiers.Dossier:decided_dossier_kept",
    "dossiers.FundingLine:granted_line_kept",
    "campaign.CampaignEvent:append_only",
    "budget.EnvelopeAmendment:append_only",
    "followup.ReportHistory:append_only",
    "followup.ReportSnapshot:append_only",
)


# --- The yearly follow-up of the recognised filières (followup/) ------------------------

FOLLOWUP_SLUG = "bretagne-suivi-2026"
FOLLOWUP_REASON = "Rapport en cours de rédaction : délai accordé par l'ARS."
# The demo's follow-up: its deadline has passed; Cœur de Breizh writes its report (half
# done) under an extension; Brocéliande Atlantique is late.
FOLLOWUP_WRITING = "coeur-de-breizh"


def followup_spec(now):
    local = timezone.localtime(now, PARIS)
    deadline = dt.datetime.combine(local.date() - dt.timedelta(days=3), dt.time(23, 59, 59))
    opens = dt.datetime.combine(local.date() - dt.timedelta(days=60), dt.time(0))
    return {
        "slug": FOLLOWUP_SLUG,
        "name": "Suivi annuel 2026 des filières reconnues",
        "kind": "followup",
        "region": "Bretagne",
        "year": 2026,
        "opens_at": opens.replace(tzinfo=PARIS).isoformat(),
        "deadline": deadline.replace(tzinfo=PARIS).isoformat(),
    }


def _followup_extension(campaign, filiere, instructor, now):
    latest = filiere.extensions.filter(campaign=campaign).aggregate(latest=Max("until"))["latest"]
    renew = now + dt.timedelta(days=_data()["extension"]["renew_when_days_left"])
    if latest is None or latest < renew:
        DeadlineExtension.objects.create(
            campaign=campaign,
            filiere=filiere,
            until=_extension_until(now),
            reason=FOLLOWUP_REASON,
            granted_by=instructor,
            created_at=now,
        )


def seed_followup(now):
    """The 2026 follow-up campaign (loaded as a file: its reports open), the report of
    Cœur de Breizh half filled under an extension, the others late, and the region's
    CAR'sp survey started by the ARS. Again: the extension is renewed."""
    instructor = User.objects.get(username="instructeur")
    campaign = Campaign.objects.filter(slug=FOLLOWUP_SLUG).first()
    if campaign is not None:
        report = campaign.reports.filter(filiere__slug=FOLLOWUP_WRITING).first()
        if report is not None:
            _followup_extension(campaign, report.filiere, instructor, now)
        return campaign
    load_campaign(followup_spec(now), now=now)
    campaign = Campaign.objects.get(slug=FOLLOWUP_SLUG)
    report = campaign.reports.filter(filiere__slug=FOLLOWUP_WRITING).first()
    if report is not None:
        lead = User.objects.get(username=f"porteur.{FOLLOWUP_WRITING}")
        uses = list(report.funding.select_related("line"))
        update_report(
            report,
            lead,
            content={
                "governance_meetings": 3,
                "formalisation": {
                    "territory_defined": True,
                    "needs_inventory_updated": True,
                    "charter_signed": True,
                    "notes": "Charte de la filière signée par les 14 membres en mars 2026.",
                },
                "partnerships": {
                    "ehpad": 9,
                    "essms": 2,
                    "volunteers": 2,
                    "respite": 1,
                    "cpts": 2,
                    "msp": 3,
                    "health_centres": 0,
                    "other": 1,
                },
            },
            # The first line's spending given; the others still to do.
            funding=[
                {
                    "line": use.line_id,
                    "spent": str((use.line.granted * Decimal("0.75")).quantize(Decimal("0.01"))),
                    "etp_filled": "0.80",
                }
                for use in uses[:1]
            ],
            now=now,
        )
        _followup_extension(campaign, report.filiere, instructor, now)
    survey = create_survey(campaign)
    update_report(
        survey,
        instructor,
        content={
            "identity": {
                "created": "yes",
                "created_on": "2023-06",
                "legal_form": "hospital",
                "hospital_status": "public",
            }
        },
        now=now,
    )
    return campaign


def _delete_followup():
    """--reset: the demo's follow-up campaign and its reports (audit rows included)."""
    campaign = Campaign.objects.filter(slug=FOLLOWUP_SLUG).first()
    if campaign is None:
        return
    reports = Report.objects.filter(campaign=campaign)
    using = router.db_for_write(Report)
    ReportHistory.objects.filter(report__in=reports)._raw_delete(using)
    ReportSnapshot.objects.filter(report__in=reports)._raw_delete(using)
    for attachment in ReportAttachment.objects.filter(report__in=reports):
        attachment.file.delete(save=False)
    reports.delete()
    campaign.delete()


def _delete_demo(campaign):
    """--reset: remove the demo campaign, its dossiers (audit rows included) and demo users."""

    with pgtrigger.ignore(*DEMO_RESET_LIFTS):
        _delete_demo_rows(campaign)


def _delete_demo_rows(campaign):
    _delete_followup()
    dossiers = Dossier.objects.filter(campaign=campaign)
    using = router.db_for_write(Dossier)
    # History and snapshots are append-only for everyone else; the demo reset is the
    # one place allowed to drop them, and only for the demo campaign.
    HistoryEntry.objects.filter(dossier__in=dossiers)._raw_delete(using)
    Snapshot.objects.filter(dossier__in=dossiers)._raw_delete(using)
    for attachment in Attachment.objects.filter(dossier__in=dossiers):
        attachment.file.delete(save=False)
    dossiers.delete()
    for document in campaign.documents.all():
        document.file.delete(save=False)
    # The demo's filières, unless another campaign has them too (they outlive campaigns).
    filieres = list(campaign.filieres.all())
    campaign.delete()
    for filiere in filieres:
        if not filiere.campaigns.exists():
            filiere.delete()
    User.objects.filter(username__in=[a.username for a in ACCOUNTS]).delete()


def seed_demo(*, reset=False, now=None):
    """Load the demo (or find it already loaded); return a DemoReport."""

    started = time.monotonic()
    now = now or timezone.now()
    # Seeding fires real transitions: their notifications must not reach anyone.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        campaign = Campaign.objects.filter(slug=DEMO_SLUG).first()
        if campaign is not None and reset:
            try:
                _delete_demo(campaign)
            except ProtectedError as exc:
                raise Conflict(
                    "Réinitialisation impossible : des données d'autres fonctions dépendent de la "
                    f"démonstration ({exc.args[0]}). Supprimez la base de démonstration "
                    "(make clean) puis relancez make run."
                ) from None
            campaign = None
        if campaign is not None and campaign.dossiers.exists():
            instructor = User.objects.filter(username="instructeur").first()
            report = DemoReport(campaign, created=False)
            report.extensions = ensure_demo_extensions(campaign, instructor, now)
        else:
            _create_demo_users()
            load_campaign(campaign_spec(), now=now)
            campaign = Campaign.objects.get(slug=DEMO_SLUG)
            report = DemoReport(campaign, created=True)
            users = {
                u.username: u
                for u in User.objects.filter(username__in=[a.username for a in ACCOUNTS])
            }
            refs = _reference()
            finess = _Finess()
            filieres = {f.slug: f for f in campaign.filieres.all()}
            for slug, (code, state, n_projects) in FILIERES.items():
                if campaign.dossiers.filter(filiere=filieres[slug]).exists():
                    continue
                _build_dossier(
                    filieres[slug],
                    users[f"porteur.{slug}"],
                    users,
                    code,
                    state,
                    n_projects,
                    refs,
                    finess,
                    now,
                )
            report.extensions = ensure_demo_extensions(campaign, users["instructeur"], now)
            _publish_documents(campaign, users["instructeur"])
        seed_followup(now)
        report.states = Counter(campaign.dossiers.values_list("state", flat=True))
    report.seconds = time.monotonic() - started
    return report
