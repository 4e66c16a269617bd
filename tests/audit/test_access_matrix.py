"""The access matrix: every URL pattern and every API operation, for every role.

URL patterns are discovered from the resolver and API operations from the OpenAPI
schema: a new view or endpoint without an entry in WEB / API below makes its test
fail ("not covered"), so nothing escapes the audit by being new.

For every case (one dossier per state of filière group A, campaign slugs, jobs,
mismatched ids...) and every role, each web URL is requested with GET and POST
(empty form) and each API operation with its method and a well-formed body. Each
request runs in a savepoint rolled back afterwards, so writes never leak into the
next check. Asserted:
- never a 5xx;
- anonymous gets 200 only on the login / password pages, the OpenAPI schema and the
  health probe (/healthz, for load balancers: it says "ok" or which part failed);
- the lead of another filière gets 404 on group A's dossier resources, and so does
  an authenticated user without any role;
- ids that do not belong together (a project of another dossier, a job of another
  campaign...) are 404 for the editors, never a success for anyone;
- a non-staff user (lead, co-editor, other lead, outsider, anonymous) never receives
  a proposed amount, a review, a criterion comment, a project opinion comment, an
  internal comment or a conflict-of-interest reason, nor the other group's dossiers;
  a CARESP reviewer never receives a note reserved to the ARS;
- files come with Content-Disposition: attachment, every answer with nosniff."""

import json
import re
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse

from config.api import api
from dossiers.enums import DossierState as S
from dossiers.workflow import DIRECT_TRANSITIONS
from tests.audit.conftest import isolated
from tests.audit.world import (
    A_TOKEN,
    APPLICANT_ROLES,
    BRETAGNE,
    INVITATION_TOKEN,
    NORMANDIE,
    PDF,
    REGION_OF_ROLE,
    ROLES,
    SECRET_TOKENS,
    STATES,
    budget_lines,
    leaked_secrets,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_media")]

API_PREFIX = "/api/v1"


@dataclass
class Case:
    kwargs: dict = field(default_factory=dict)
    owner: str | None = None  # "A": a resource of a group-A dossier
    label: str = ""
    mismatch: bool = False  # ids that do not belong together
    body: object = None  # API request body (JSON)
    methods: tuple | None = None  # web: restrict the methods tried
    path: str | None = None  # web: an explicit address (patterns that cannot be reversed)
    region: str | None = None  # the region whose data the case reaches (group A: Bretagne)
    draft: bool = False  # a campaign in preparation: unknown (404) to the applicants
    # The answer names group A's filière to whoever holds the link (an invitation).
    names_filiere: bool = False

    @property
    def region_code(self):
        return self.region or (BRETAGNE if self.owner == "A" else None)


# ----------------------------------------------------------------------------- discovery


def discover_web_patterns():
    """{name or route: route} for every URL pattern outside the API."""
    found = {}

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace
                full = ":".join(filter(None, [namespace, ns])) if ns else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), full)
            else:
                route = prefix + str(pattern.pattern)
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                key = name if pattern.name else route
                found.setdefault(key, route)

    walk(get_resolver().url_patterns, "", None)
    return found


def discover_api_operations():
    """["METHOD /api/v1/path/{param}"] from the OpenAPI schema."""
    schema = api.get_openapi_schema()
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    )


WEB_PATTERNS = discover_web_patterns()
API_OPERATIONS = discover_api_operations()

# ----------------------------------------------------------------------------- helpers


def none(w):
    return [Case()]


def per_state(extra=None, *, states=STATES, methods=None):
    """One case per state of group A's dossiers (kwarg pk), plus `extra(w, state)` kwargs."""

    def build(w):
        cases = []
        for state in states:
            dossier = w.dossier(state)
            extras = extra(w, state) if extra else [{}]
            for more in extras if isinstance(extras, list) else [extras]:
                cases.append(
                    Case(
                        {"pk": dossier.pk, **more},
                        owner="A",
                        label=f"{state} {more}" if more else state,
                        methods=methods,
                    )
                )
        if extra is None and S.DECIDED in states:
            cases.append(
                Case(
                    {"pk": w.region2_dossier.pk},
                    region=NORMANDIE,
                    label="normandie decided",
                    methods=methods,
                )
            )
        return cases

    return build


def campaign_slugs(w):
    """(slug, region): Bretagne's campaigns (one in preparation), Normandie's, an unknown
    one."""
    return [
        (w.campaign.slug, BRETAGNE),
        (w.other_campaign.slug, BRETAGNE),
        (w.draft_campaign.slug, BRETAGNE),
        (w.region2_campaign.slug, NORMANDIE),
        ("inconnue", None),
    ]


def slugs(extra=None):
    """The campaign, another campaign, a draft, another region's and an unknown slug."""

    def build(w):
        cases = []
        for slug, region in campaign_slugs(w):
            more = extra(w) if extra else {}
            cases.append(
                Case(
                    {"slug": slug, **more},
                    label=slug,
                    region=region,
                    draft=slug == w.draft_campaign.slug,
                )
            )
        return cases

    return build


def setup_filiere(w):
    """A filière of the campaign, one of its draft, and mismatches (another campaign's,
    another region's)."""
    region2_filiere = w.region2_dossier.filiere
    return [
        Case(
            {"slug": w.campaign.slug, "pk": w.dossier("draft").filiere_id},
            label="filière",
            region=BRETAGNE,
        ),
        Case(
            {"slug": w.draft_campaign.slug, "pk": w.new_filiere.pk},
            label="filière of the draft",
            region=BRETAGNE,
            draft=True,
        ),
        Case(
            {"slug": w.campaign.slug, "pk": w.other_dossier.filiere_id},
            label="filière of another campaign",
            region=BRETAGNE,
            mismatch=True,
        ),
        Case(
            {"slug": w.campaign.slug, "pk": region2_filiere.pk},
            label="normandie filière under a bretagne slug",
            region=BRETAGNE,
            mismatch=True,
        ),
        Case(
            {"slug": w.region2_campaign.slug, "pk": region2_filiere.pk},
            label="normandie filière",
            region=NORMANDIE,
        ),
    ]


def region_codes(w):
    return [
        Case({"code": BRETAGNE}, label="bretagne", region=BRETAGNE),
        Case({"code": NORMANDIE}, label="normandie", region=NORMANDIE),
        Case({"code": "99"}, label="unknown region"),
    ]


def public_calls(w):
    return [
        Case({"slug": w.campaign.slug}, label="published"),
        Case({"slug": w.draft_campaign.slug}, label="draft", draft=True),
        Case({"slug": "inconnue"}, label="unknown"),
    ]


def public_documents(w):
    """A published call's document for anyone; under a draft's slug or another call's
    slug it does not exist."""
    return [
        Case({"slug": w.campaign.slug, "document_pk": w.document.pk}, label="published"),
        Case(
            {"slug": w.draft_campaign.slug, "document_pk": w.document.pk},
            label="under a draft",
            draft=True,
        ),
        Case(
            {"slug": w.campaign.slug, "document_pk": w.region2_document.pk},
            mismatch=True,
            label="another call's document",
        ),
    ]


def with_mismatches(base, mismatches):
    def build(w):
        return base(w) + [
            Case(kwargs, owner="A", mismatch=True, label=f"mismatch {label}")
            for label, kwargs in mismatches(w)
        ]

    return build


def project_kwargs(w, state):
    return {"project_pk": w.project(state).pk}


def line_kwargs(w, state):
    return {"project_pk": w.project(state).pk, "line_pk": w.line(state).pk}


def project_mismatches(w):
    # Project of another dossier (own filière group, or the other group's).
    return [
        (
            "own-other-dossier",
            {"pk": w.dossier("draft").pk, "project_pk": w.project("returned").pk},
        ),
        ("B", {"pk": w.dossier("returned").pk, "project_pk": w.project("returned", "B").pk}),
    ]


def line_mismatches(w):
    return [
        (
            "line-of-other-project",
            {
                "pk": w.dossier("draft").pk,
                "project_pk": w.project("draft").pk,
                "line_pk": w.line("returned").pk,
            },
        ),
        (
            "B",
            {
                "pk": w.dossier("returned").pk,
                "project_pk": w.project("returned", "B").pk,
                "line_pk": w.line("returned", "B").pk,
            },
        ),
    ]


def attachment_mismatches(w):
    return [
        ("B", {"pk": w.dossier("draft").pk, "attachment_pk": w.attachment("draft", "B").pk}),
        (
            "own-other-dossier",
            {"pk": w.dossier("draft").pk, "attachment_pk": w.attachment("returned").pk},
        ),
    ]


def jobs(w):
    return [
        Case({"slug": w.campaign.slug, "job_id": w.job.pk}, label="job", region=BRETAGNE),
        Case(
            {"slug": w.campaign.slug, "job_id": w.other_job.pk},
            mismatch=True,
            label="job of another campaign",
            region=BRETAGNE,
        ),
        Case(
            {"slug": w.region2_campaign.slug, "job_id": w.region2_job.pk},
            label="normandie job",
            region=NORMANDIE,
        ),
        Case(
            {"slug": w.campaign.slug, "job_id": w.region2_job.pk},
            mismatch=True,
            label="normandie job under a bretagne slug",
            region=BRETAGNE,
        ),
        Case({"slug": w.campaign.slug, "job_id": 999999}, label="unknown job"),
    ]


def campaign_documents(w):
    """The call's documents: Bretagne's, Normandie's, one under the other's slug, unknown.
    Downloading needs no staff role (a lead of the campaign downloads); publishing and
    removing do; another region's staff get 404 on both."""
    return [
        Case({"slug": w.campaign.slug, "document_pk": w.document.pk}, region=BRETAGNE),
        Case(
            {"slug": w.region2_campaign.slug, "document_pk": w.region2_document.pk},
            region=NORMANDIE,
            label="normandie document",
        ),
        Case(
            {"slug": w.campaign.slug, "document_pk": w.region2_document.pk},
            mismatch=True,
            region=BRETAGNE,
            label="normandie document under a bretagne slug",
        ),
        Case({"slug": w.campaign.slug, "document_pk": 999999}, label="unknown document"),
    ]


def followup_slugs(w):
    """Follow-up campaigns: Bretagne's, Normandie's, a call (not a follow-up), unknown."""
    return [
        Case({"slug": w.followup_campaign.slug}, label="bretagne followup", region=BRETAGNE),
        Case({"slug": w.region2_followup.slug}, label="normandie followup", region=NORMANDIE),
        Case({"slug": w.campaign.slug}, label="a call", region=BRETAGNE),
        Case({"slug": "inconnue"}, label="unknown"),
    ]


def followup_exports(w):
    return [
        Case({"slug": w.followup_campaign.slug, "fmt": fmt}, label=fmt, region=BRETAGNE)
        for fmt in ("xlsx", "csv", "ods")
    ] + [
        Case({"slug": w.region2_followup.slug, "fmt": "xlsx"}, label="normandie", region=NORMANDIE),
        Case({"slug": "inconnue", "fmt": "csv"}, label="unknown"),
    ]


def reports(extra=None, *, id_key="pk", body=None):
    """Group A's submitted report, group B's draft, the CAR'sp survey (staff only),
    Normandie's report, an unknown id."""

    def build(w):
        cases = []
        for report, owner, region, label in (
            (w.report, "A", BRETAGNE, "report A submitted"),
            (w.report_b, None, BRETAGNE, "report B draft"),
            (w.survey, None, BRETAGNE, "carsp survey"),
            (w.region2_report, None, NORMANDIE, "normandie report"),
        ):
            extras = extra(w, report) if extra else [{}]
            for more in extras if isinstance(extras, list) else [extras]:
                cases.append(
                    Case(
                        {id_key: report.pk, **more},
                        owner=owner,
                        region=region,
                        label=f"{label} {more}" if more else label,
                        body=body(w, report) if callable(body) else body,
                    )
                )
        cases.append(
            Case(
                {id_key: 999999, **(extra(w, w.report)[0] if extra else {})}, label="unknown report"
            )
        )
        return cases

    return build


def report_transitions(w, report):
    return [
        {"name": name}
        for name in ("submit", "resubmit", "accept", "return_for_completion", "inconnue")
    ]


def report_steps(w, report):
    return [
        {"section": "governance"},
        {"section": "funding"},
        {"section": "identity"},
        {"section": "inconnue"},
    ]


def report_attachments(w, report):
    return [{"aid": 999999}]


def transitions(w, state):
    return [{"name": name} for name in sorted(DIRECT_TRANSITIONS)] + (
        [{"name": "decide"}, {"name": "inconnue"}] if state == "ars_analysis" else []
    )


# ----------------------------------------------------------------------------- web registry

PUBLIC_WEB = {
    "healthz",
    "accounts:login",
    "accounts:proconnect_login",
    "accounts:proconnect_callback",
    "accounts:proconnect_refused",
    "accounts:password_reset",
    "accounts:password_reset_sent",
    "accounts:password_set",
    "accounts:password_set_done",
    "admin:login",
    "invitations:accept",
    "api:openapi-json",
    "api:openapi-view",
    "public:calls",
    "public:call",
    "public:document",
    "public:region",
    # The pages of the footer (issue 11): accessibility statement, legal notice...
    "legal:accessibility",
    "legal:legal_notice",
    "legal:personal_data",
    "legal:cookies",
    "legal:sitemap",
}

WEB = {
    "home": none,
    "healthz": none,
    "accounts:login": none,
    "accounts:logout": none,
    "accounts:password_reset": none,
    "accounts:password_reset_sent": none,
    "accounts:password_set": lambda w: [Case({"uidb64": "MQ", "token": "lien-invalide"})],
    "accounts:password_set_done": none,
    # ProConnect: off in the audit (404); tests/accounts/test_proconnect.py runs it on.
    "accounts:proconnect_login": none,
    "accounts:proconnect_callback": lambda w: [
        Case(label="no answer"),
        Case(label="forged answer", path="/comptes/proconnect/retour/?code=x&state=y"),
    ],
    "accounts:proconnect_refused": none,
    # Budget.
    "budget:home": none,
    "budget:dashboard": slugs(),
    "budget:amend_envelope": lambda w: [
        Case({"slug": w.campaign.slug, "kind": kind}, label=kind)
        for kind in ("recurring", "one_off", "inconnue")
    ],
    "budget:delegations": slugs(),
    "campaign:extensions": slugs(),
    "campaign:documents": slugs(),
    "campaign:document_download": campaign_documents,
    "campaign:document_delete": campaign_documents,
    "budget:proposal": per_state(),
    "budget:decision": per_state(),
    # Outputs.
    "outputs:home": none,
    "outputs:exports": slugs(),
    "outputs:letters": slugs(),
    "outputs:letters_zip": slugs(),
    "outputs:letter_settings": slugs(),
    "outputs:letter_template": slugs(),
    "outputs:coverage": slugs(),
    "outputs:job_status": jobs,
    "outputs:job_download": jobs,
    "outputs:dossier_letter": per_state(),
    "outputs:dossier_print": per_state(),
    "outputs:dossier_print_docx": per_state(),
    "outputs:receipt_docx": per_state(lambda w, s: [{"number": 1}, {"number": 2}]),
    # Dossiers: applicant side.
    "dossiers:create": lambda w: [
        Case(
            {"slug": w.campaign.slug, "filiere_pk": w.new_filiere.pk},
            owner="A",
            label="new filière",
        ),
        Case(
            {"slug": w.campaign.slug, "filiere_pk": w.dossier("draft").filiere_id},
            owner="A",
            label="has a dossier",
        ),
    ],
    "dossiers:edit": per_state(),
    "dossiers:section": per_state(
        lambda w, s: (
            [{"section": p} for p in ("identity", "diagnostic", "swot")]
            if s in ("draft", "returned")
            else [{"section": "identity"}]
        )
    ),
    "dossiers:check": per_state(),
    "dossiers:transition": per_state(transitions),
    "dossiers:invite": per_state(),
    "dossiers:invitation_resend": with_mismatches(
        per_state(lambda w, s: {"invitation_pk": w.invitation.pk}, methods=("POST",)),
        lambda w: [
            ("B", {"pk": w.dossier("draft").pk, "invitation_pk": w.other_invitation.pk}),
        ],
    ),
    "dossiers:invitation_cancel": with_mismatches(
        per_state(lambda w, s: {"invitation_pk": w.invitation.pk}, methods=("POST",)),
        lambda w: [
            ("B", {"pk": w.dossier("draft").pk, "invitation_pk": w.other_invitation.pk}),
        ],
    ),
    "invitations:accept": lambda w: [
        Case({"token": INVITATION_TOKEN}, label="pending invitation", names_filiere=True),
        Case({"token": "lien-invalide"}, label="unknown token"),
    ],
    "dossiers:projects": per_state(),
    "dossiers:project_create": per_state(),
    "dossiers:project_edit": with_mismatches(per_state(project_kwargs), project_mismatches),
    "dossiers:project_delete": with_mismatches(per_state(project_kwargs), project_mismatches),
    "dossiers:line_create": with_mismatches(per_state(project_kwargs), project_mismatches),
    "dossiers:line_edit": with_mismatches(per_state(line_kwargs), line_mismatches),
    "dossiers:line_delete": with_mismatches(per_state(line_kwargs), line_mismatches),
    "dossiers:attachment_upload": per_state(),
    "dossiers:attachment_download": with_mismatches(
        per_state(lambda w, s: {"attachment_pk": w.attachment(s).pk}), attachment_mismatches
    ),
    "dossiers:attachment_delete": with_mismatches(
        per_state(lambda w, s: {"attachment_pk": w.attachment(s).pk}), attachment_mismatches
    ),
    # Dossiers: reading.
    "dossiers:list": none,
    "dossiers:detail": per_state(),
    "dossiers:snapshot": per_state(lambda w, s: [{"number": 1}, {"number": 2}]),
    "dossiers:receipt": per_state(lambda w, s: [{"number": 1}, {"number": 2}]),
    "dossiers:due_date": per_state(),
    # The yearly follow-up.
    "followup:home": none,
    "followup:report": reports(),
    "followup:print": reports(),
    "followup:report_export": reports(
        lambda w, r: [{"fmt": "xlsx"}, {"fmt": "csv"}, {"fmt": "ods"}]
    ),
    "followup:step": reports(report_steps),
    "followup:check": reports(),
    "followup:due_date": reports(),
    "followup:transition": reports(report_transitions),
    "followup:attachment_upload": reports(report_steps),
    "followup:attachment": reports(report_attachments),
    "followup:attachment_delete": reports(report_attachments),
    "followup:campaign": followup_slugs,
    "followup:export": followup_exports,
    "followup:start_survey": followup_slugs,
    "setup:followup_create": none,
    # Review.
    "scoring:dashboard": none,
    # GET: a redirect to the dossier page and its instruction panels (decision 0054).
    "scoring:dossier": per_state(),
    "scoring:review": per_state(),
    "scoring:assign": per_state(),
    "scoring:unassign": per_state(lambda w, s: {"user_id": w.users["caresp"].pk}),
    "scoring:conflict": per_state(),
    "scoring:comment": per_state(),
    "scoring:diff": per_state(lambda w, s: [{"a": 1, "b": 1}, {"a": 1, "b": 2}]),
    "scoring:ranking": slugs(),
    "scoring:grid": slugs(),
    # Campaign set-up (the region's administrators).
    "setup:campaigns": none,
    "setup:campaign_create": none,
    "setup:campaign": slugs(),
    "setup:campaign_edit": slugs(),
    "setup:territories": slugs(),
    "setup:grid_copy": slugs(),
    "setup:publish": slugs(),
    "setup:close": slugs(),
    "setup:results": slugs(),
    "setup:filieres": slugs(),
    "setup:filieres_import": slugs(),
    "setup:filiere": setup_filiere,
    "setup:region": region_codes,
    # The public pages of the calls (no sign-in; drafts do not exist there).
    "public:calls": none,
    "public:call": public_calls,
    "public:document": public_documents,
    "public:region": lambda w: [
        Case({"region": "bretagne"}, label="bretagne"),
        Case({"region": "atlantide"}, label="unknown"),
    ],
    # API plumbing (the operations themselves are covered through the OpenAPI schema).
    "api:openapi-json": none,
    "api:openapi-view": none,
    "api:api-root": none,
    "legal:accessibility": none,
    "legal:legal_notice": none,
    "legal:personal_data": none,
    "legal:cookies": none,
    "legal:sitemap": none,
    # Any other address: the DSFR 404 page.
    "not_found": lambda w: [Case(label="unknown address", path="/adresse/inconnue/")],
    "api_not_found": lambda w: [
        Case(label="unknown API address", path="/api/v1/inconnue/chemin"),
        Case(label="negative id", path="/api/v1/dossiers/-1/letter.docx"),
    ],
}
API_NAMES = {"api:openapi-json", "api:openapi-view", "api:api-root"}


ADMIN_SIMPLE = {
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:autocomplete",
    "admin:jsi18n",
}


def _admin_app_list(w):
    labels = sorted({m._meta.app_label for m in admin.site._registry})
    return [Case({"app_label": label}, label=label) for label in labels]


def _admin_view_on_site(w):
    dossier = w.dossier("submitted")
    content_type = ContentType.objects.get_for_model(dossier)
    return [Case({"content_type_id": content_type.pk, "object_id": dossier.pk})]


def _admin_model_builder(model, action):
    def build(w):
        if action in ("changelist", "add"):
            return [Case(methods=("GET",))]
        obj = model._default_manager.order_by("pk").first()
        return [Case({"object_id": obj.pk if obj is not None else 999999}, methods=("GET",))]

    return build


def admin_builder(key):
    """Django admin URLs, built from the registered ModelAdmins; None if not an admin URL.

    Admin pages are read with GET only: the administrator is trusted there, and every
    other role must be sent to the admin login page."""
    if key in ADMIN_SIMPLE:
        return none
    if key == "admin:app_list":
        return _admin_app_list
    if key == "admin:view_on_site":
        return _admin_view_on_site
    if key == "admin:auth_user_password_change":
        return lambda w: [Case({"id": w.users["lead"].pk}, methods=("GET",))]
    if key.startswith("admin/"):
        # Unnamed: the object URL redirecting to its change page, and the catch-all.
        return lambda w: []
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if key.startswith(prefix):
            return _admin_model_builder(model, key.removeprefix(prefix))
    return None


# ----------------------------------------------------------------------------- API registry


def api_per_state(extra=None, body=None, states=STATES):
    def build(w):
        cases = []
        for state in states:
            dossier = w.dossier(state)
            extras = extra(w, state) if extra else [{}]
            for more in extras if isinstance(extras, list) else [extras]:
                cases.append(
                    Case(
                        {"id": dossier.pk, "dossier_id": dossier.pk, **more},
                        owner="A",
                        label=f"{state} {more}" if more else state,
                        body=body(w, state) if callable(body) else body,
                    )
                )
        if extra is None and S.DECIDED in states:
            dossier = w.region2_dossier
            cases.append(
                Case(
                    {"id": dossier.pk, "dossier_id": dossier.pk},
                    region=NORMANDIE,
                    label="normandie decided",
                    body=cases[-1].body if cases else None,
                )
            )
        return cases

    return build


def api_slugs(extra=None, body=None):
    def build(w):
        return [
            Case(
                {"slug": slug, **(extra or {})},
                label=slug,
                region=region,
                body=body(w) if body else None,
                draft=slug == w.draft_campaign.slug,
            )
            for slug, region in campaign_slugs(w)
        ]

    return build


def api_with_mismatches(base, mismatches):
    def build(w):
        return base(w) + [
            Case(
                {**kwargs, "id": kwargs["pk"]},
                owner="A",
                mismatch=True,
                label=f"mismatch {label}",
                body=base(w)[0].body,
            )
            for label, kwargs in mismatches(w)
        ]

    return build


def renamed(mapping, source):
    """Rename kwargs of `source` cases (project_pk -> pid...)."""

    def build(w):
        cases = source(w)
        for case in cases:
            case.kwargs = {mapping.get(k, k): v for k, v in case.kwargs.items()}
        return cases

    return build


def export_cases(w, formats):
    """Every format of the campaign, another region's campaign, an unknown one."""
    return (
        [Case({"slug": w.campaign.slug, "fmt": fmt}, label=fmt, region=BRETAGNE) for fmt in formats]
        + [
            Case(
                {"slug": w.region2_campaign.slug, "fmt": formats[0]},
                label="normandie",
                region=NORMANDIE,
            )
        ]
        + [Case({"slug": "inconnue", "fmt": "csv"}, label="unknown campaign")]
    )


def decision_body(w, state):
    return {
        "outcome": "rejected",
        "lines": [{"line": line.pk, "granted": "0"} for line in budget_lines(w.dossier(state))],
        "comment": "Décision motivée.",
    }


def proposal_body(w, state):
    return {"lines": [{"line": w.line(state).pk, "proposed": "100.00", "opinion": "reserved"}]}


API = {
    "GET /api/v1/me": none,
    "GET /api/v1/campaigns": none,
    "GET /api/v1/campaigns/{slug}": api_slugs(),
    "GET /api/v1/campaigns/{slug}/territories": api_slugs(),
    "GET /api/v1/campaigns/{slug}/filieres": api_slugs(),
    "POST /api/v1/campaigns/{slug}/extensions": api_slugs(
        body=lambda w: {
            "filiere": w.dossier("draft").filiere.slug,
            "until": "2030-01-31T23:59:59+01:00",
            "reason": "Retard justifié.",
        }
    ),
    "GET /api/v1/dossiers": lambda w: [Case(), Case(label="?state=decided")],
    "POST /api/v1/dossiers": lambda w: [
        Case(
            owner="A",
            label="new filière",
            body={"campaign": w.campaign.slug, "filiere": w.new_filiere.slug},
        ),
        Case(
            owner="A",
            label="has a dossier",
            body={"campaign": w.campaign.slug, "filiere": w.dossier("draft").filiere.slug},
        ),
    ],
    "GET /api/v1/dossiers/{id}": api_per_state(),
    "PATCH /api/v1/dossiers/{id}": api_per_state(
        body=lambda w, s: {"version": w.dossier(s).version, "swot": {"strengths": ["Oui"]}}
    ),
    "POST /api/v1/dossiers/{id}/projects": api_per_state(body={"title": "Nouvelle fiche"}),
    "PATCH /api/v1/dossiers/{id}/projects/{pid}": api_with_mismatches(
        renamed(
            {"project_pk": "pid"},
            api_per_state(lambda w, s: {"project_pk": w.project(s).pk}, body={"title": "X"}),
        ),
        lambda w: [(lbl, {**kw, "pid": kw["project_pk"]}) for lbl, kw in project_mismatches(w)],
    ),
    "DELETE /api/v1/dossiers/{id}/projects/{pid}": api_with_mismatches(
        renamed({"project_pk": "pid"}, api_per_state(lambda w, s: {"project_pk": w.project(s).pk})),
        lambda w: [(lbl, {**kw, "pid": kw["project_pk"]}) for lbl, kw in project_mismatches(w)],
    ),
    "POST /api/v1/dossiers/{id}/projects/{pid}/lines": api_with_mismatches(
        renamed(
            {"project_pk": "pid"},
            api_per_state(
                lambda w, s: {"project_pk": w.project(s).pk},
                body={"label": "Ligne", "amount": "1000.00", "nature": "one_off"},
            ),
        ),
        lambda w: [(lbl, {**kw, "pid": kw["project_pk"]}) for lbl, kw in project_mismatches(w)],
    ),
    "PATCH /api/v1/dossiers/{id}/projects/{pid}/lines/{lid}": api_with_mismatches(
        renamed(
            {"project_pk": "pid", "line_pk": "lid"},
            api_per_state(line_kwargs, body={"amount": "1000.00", "granted": "99999.00"}),
        ),
        lambda w: [
            (lbl, {**kw, "pid": kw["project_pk"], "lid": kw["line_pk"]})
            for lbl, kw in line_mismatches(w)
        ],
    ),
    "DELETE /api/v1/dossiers/{id}/projects/{pid}/lines/{lid}": api_with_mismatches(
        renamed({"project_pk": "pid", "line_pk": "lid"}, api_per_state(line_kwargs)),
        lambda w: [
            (lbl, {**kw, "pid": kw["project_pk"], "lid": kw["line_pk"]})
            for lbl, kw in line_mismatches(w)
        ],
    ),
    "POST /api/v1/dossiers/{id}/attachments": api_per_state(body="multipart"),
    "GET /api/v1/dossiers/{id}/attachments/{aid}": api_with_mismatches(
        api_per_state(lambda w, s: {"aid": w.attachment(s).pk}),
        lambda w: [
            (lbl, {**kw, "aid": kw["attachment_pk"]}) for lbl, kw in attachment_mismatches(w)
        ],
    ),
    "GET /api/v1/dossiers/{id}/check": api_per_state(),
    "GET /api/v1/dossiers/{id}/transitions": api_per_state(),
    "POST /api/v1/dossiers/{id}/transitions/{name}": api_per_state(
        transitions, body={"comment": "Merci de compléter.", "due_date": "2099-01-31"}
    ),
    "POST /api/v1/dossiers/{id}/due_date": api_per_state(
        body={"due_date": "2099-01-31", "reason": "Retard justifié."}
    ),
    "GET /api/v1/dossiers/{id}/history": api_per_state(),
    "GET /api/v1/dossiers/{id}/snapshots": api_per_state(),
    "GET /api/v1/dossiers/{id}/snapshots/{n}": api_per_state(lambda w, s: [{"n": 1}, {"n": 2}]),
    "GET /api/v1/campaigns/{slug}/grid": api_slugs(),
    "PUT /api/v1/dossiers/{dossier_id}/reviews/mine": api_per_state(
        body={"scores": {}, "opinion": "favourable", "comment": "Brouillon", "submit": False}
    ),
    "GET /api/v1/dossiers/{dossier_id}/reviews": api_per_state(),
    "POST /api/v1/dossiers/{dossier_id}/reviewers": api_per_state(body={"username": "caresp2"}),
    "POST /api/v1/dossiers/{dossier_id}/conflicts": api_per_state(body={"reason": "Lien familial"}),
    "GET /api/v1/campaigns/{slug}/ranking": api_slugs(),
    "PUT /api/v1/dossiers/{dossier_id}/proposal": api_per_state(body=proposal_body),
    "POST /api/v1/dossiers/{dossier_id}/decision": api_per_state(body=decision_body),
    "GET /api/v1/campaigns/{slug}/budget": api_slugs(),
    "POST /api/v1/delegations": lambda w: [
        Case(
            label=label,
            body={
                "line": line.pk,
                "amount": "100.00",
                "date": "2025-08-01",
                "instrument": "convention",
                "beneficiary_finess": "290000017",
            },
        )
        for label, line in (
            ("decided", w.line("decided")),
            ("not decided", w.line("ars_analysis")),
            ("other campaign", w.other_dossier.projects.get().lines.get()),
        )
    ],
    "GET /api/v1/campaigns/{slug}/delegations": api_slugs(),
    "GET /api/v1/campaigns/{slug}/envelopes": api_slugs(),
    "POST /api/v1/campaigns/{slug}/envelopes/{kind}/amendments": api_slugs(
        {"kind": "recurring"},
        body=lambda w: {"new_amount": "1700000.00", "date": "2025-09-01", "reason": "Avenant"},
    ),
    "GET /api/v1/campaigns/{slug}/exports/decisions.{fmt}": lambda w: export_cases(
        w, ("xlsx", "ods", "csv")
    ),
    "GET /api/v1/campaigns/{slug}/exports/decision_lines.{fmt}": lambda w: export_cases(
        w, ("xlsx", "csv", "ods")
    ),
    "GET /api/v1/campaigns/{slug}/letters.zip": api_slugs(),
    "GET /api/v1/campaigns/{slug}/jobs/{job_id}": jobs,
    "GET /api/v1/dossiers/{dossier_id}/letter.docx": api_per_state(),
    "GET /api/v1/campaigns/{slug}/coverage": api_slugs(),
    # The yearly follow-up.
    "GET /api/v1/reports": lambda w: [Case(), Case(label="?state=submitted")],
    "GET /api/v1/reports/{id}": reports(id_key="id"),
    "PATCH /api/v1/reports/{id}": reports(
        id_key="id",
        body=lambda w, r: {"version": r.version, "indicators": {"governance_meetings": 1}},
    ),
    "GET /api/v1/reports/{id}/check": reports(id_key="id"),
    "GET /api/v1/reports/{id}/transitions": reports(id_key="id"),
    "POST /api/v1/reports/{id}/transitions/{name}": reports(
        report_transitions,
        id_key="id",
        body={"comment": "Merci de compléter.", "due_date": "2099-01-31"},
    ),
    "GET /api/v1/reports/{id}/history": reports(id_key="id"),
    "GET /api/v1/reports/{id}/snapshots": reports(id_key="id"),
    "GET /api/v1/reports/{id}/snapshots/{n}": reports(
        lambda w, r: [{"n": 1}, {"n": 2}], id_key="id"
    ),
    "POST /api/v1/reports/{id}/attachments": reports(id_key="id", body="multipart"),
    "GET /api/v1/reports/{id}/attachments/{aid}": reports(report_attachments, id_key="id"),
    "GET /api/v1/campaigns/{slug}/followup": followup_slugs,
    "GET /api/v1/campaigns/{slug}/exports/followup.{fmt}": followup_exports,
}


# ----------------------------------------------------------------------------- checks


def key_is_admin(where):
    return " /admin/" in where and "/admin/login/" not in where


def _exception(response):
    info = getattr(response, "exc_info", None)
    return repr(info[1])[:300] if info else ""


# Staff-only pages and operations: a non-staff role never gets a success there.
STAFF_ONLY = {
    "setup:campaigns",
    "setup:campaign_create",
    "setup:campaign",
    "setup:campaign_edit",
    "setup:territories",
    "setup:grid_copy",
    "setup:publish",
    "setup:close",
    "setup:results",
    "setup:filieres",
    "setup:filieres_import",
    "setup:filiere",
    "setup:region",
    "campaign:documents",
    "campaign:document_delete",
    "budget:home",
    "budget:dashboard",
    "budget:amend_envelope",
    "budget:delegations",
    "budget:proposal",
    "budget:decision",
    "outputs:exports",
    "outputs:letters",
    "outputs:letters_zip",
    "outputs:letter_settings",
    "outputs:letter_template",
    "outputs:coverage",
    "outputs:job_status",
    "outputs:job_download",
    "dossiers:list",
    "scoring:dashboard",
    "scoring:dossier",
    "scoring:review",
    "scoring:assign",
    "scoring:unassign",
    "scoring:conflict",
    "scoring:comment",
    "scoring:diff",
    "scoring:ranking",
    "scoring:grid",
    "dossiers:due_date",
    "POST /api/v1/dossiers/{id}/due_date",
    "POST /api/v1/campaigns/{slug}/extensions",
    "GET /api/v1/campaigns/{slug}/grid",
    "PUT /api/v1/dossiers/{dossier_id}/reviews/mine",
    "GET /api/v1/dossiers/{dossier_id}/reviews",
    "POST /api/v1/dossiers/{dossier_id}/reviewers",
    "POST /api/v1/dossiers/{dossier_id}/conflicts",
    "GET /api/v1/campaigns/{slug}/ranking",
    "PUT /api/v1/dossiers/{dossier_id}/proposal",
    "POST /api/v1/dossiers/{dossier_id}/decision",
    "GET /api/v1/campaigns/{slug}/budget",
    "POST /api/v1/delegations",
    "GET /api/v1/campaigns/{slug}/delegations",
    "GET /api/v1/campaigns/{slug}/envelopes",
    "POST /api/v1/campaigns/{slug}/envelopes/{kind}/amendments",
    "GET /api/v1/campaigns/{slug}/exports/decisions.{fmt}",
    "GET /api/v1/campaigns/{slug}/exports/decision_lines.{fmt}",
    "GET /api/v1/campaigns/{slug}/letters.zip",
    "GET /api/v1/campaigns/{slug}/jobs/{job_id}",
    "GET /api/v1/campaigns/{slug}/coverage",
    "followup:campaign",
    "followup:export",
    "followup:start_survey",
    "setup:followup_create",
    "GET /api/v1/campaigns/{slug}/followup",
    "GET /api/v1/campaigns/{slug}/exports/followup.{fmt}",
}


def check_response(failures, *, role, case, where, response, text, public, staff_only=False):
    status = response.status_code
    if status >= 500:
        failures.append(f"{where}: {status} {_exception(response)}")
        return
    if staff_only and role in APPLICANT_ROLES and status < 300:
        failures.append(f"{where}: {status} pour un rôle hors ARS/CARESP")
    if key_is_admin(where) and role != "admin" and status < 300:
        failures.append(f"{where}: {status} sur l'administration Django")
    if role == "anonymous" and status == 200 and not public:
        failures.append(f"{where}: 200 pour un anonyme")
    # 405 (wrong method) says nothing about the object: accepted wherever 404 is expected.
    if case.owner == "A" and role in ("other_lead", "outsider") and status not in (404, 405):
        failures.append(f"{where}: {status}, 404 attendu (dossier d'une autre filière)")
    # Another region's staff: its dossiers and campaigns do not exist for them.
    held = REGION_OF_ROLE.get(role)
    if held and case.region_code and case.region_code != held and status not in (404, 405):
        failures.append(f"{where}: {status}, 404 attendu (données d'une autre région)")
    # A campaign in preparation does not exist for the applicants (nor for the public).
    if case.draft and role in APPLICANT_ROLES and role != "anonymous" and status not in (404, 405):
        failures.append(f"{where}: {status}, 404 attendu (campagne en préparation)")
    if case.draft and public and status not in (404, 405):
        failures.append(f"{where}: {status}, 404 attendu (page publique d'un brouillon)")
    if case.mismatch and role != "anonymous":
        if case.owner == "A" and role in ("lead", "co_editor") and status not in (404, 405):
            failures.append(f"{where}: {status}, 404 attendu (identifiants incohérents)")
        elif status not in (403, 404, 405):
            failures.append(f"{where}: {status} sur des identifiants incohérents")
    if role in APPLICANT_ROLES or role in ("caresp", "other_region", "region_admin"):
        leaks = leaked_secrets(text.replace(A_TOKEN, "") if case.names_filiere else text, role)
        if leaks:
            failures.append(f"{where}: {status}, fuite : {', '.join(leaks)}")
    if response.get("X-Content-Type-Options") != "nosniff":
        failures.append(f"{where}: en-tête X-Content-Type-Options: nosniff absent")
    disposition = response.get("Content-Disposition")
    if status == 200 and disposition and not disposition.startswith("attachment"):
        failures.append(f"{where}: Content-Disposition « {disposition} » (attachment attendu)")


# ----------------------------------------------------------------------------- tests


def _route_as_openapi_path(route):
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_url_and_operation_has_a_registry_entry():
    """A new URL pattern or API operation must be added to the matrix."""
    assert STAFF_ONLY <= set(WEB) | set(API), STAFF_ONLY - set(WEB) - set(API)
    schema_paths = {op.split(" ", 1)[1] for op in API_OPERATIONS}
    web_missing = [
        key
        for key, route in WEB_PATTERNS.items()
        if key not in WEB
        and admin_builder(key) is None
        and not (key.startswith("api:") and _route_as_openapi_path(route) in schema_paths)
    ]
    api_missing = [op for op in API_OPERATIONS if op not in API]
    stale = [key for key in WEB if key not in WEB_PATTERNS] + [
        op for op in API if op not in API_OPERATIONS
    ]
    assert not web_missing, f"URL sans entrée dans la matrice d'accès : {web_missing}"
    assert not api_missing, f"Opération d'API sans entrée dans la matrice : {api_missing}"
    assert not stale, f"Entrées de la matrice qui n'existent plus : {stale}"


def test_openapi_served_matches_the_discovered_operations(client):
    response = client.get(f"{API_PREFIX}/openapi.json")
    assert response.status_code == 200
    served = sorted(
        f"{method.upper()} {path}"
        for path, operations in response.json()["paths"].items()
        for method in operations
    )
    assert served == API_OPERATIONS


def _web_keys():
    return sorted(k for k in WEB_PATTERNS if not k.startswith("api:") or k in API_NAMES)


@pytest.mark.parametrize("key", _web_keys())
def test_web_url(world, key):
    route = WEB_PATTERNS[key]
    builder = WEB.get(key) or admin_builder(key)
    assert builder is not None, f"URL « {route} » ({key}) absente de la matrice d'accès (WEB)"
    cases = builder(world)
    if not cases:
        return
    name = None if "/" in key else key
    failures = []
    count = 0
    for case in cases:
        url = case.path or (reverse(name, kwargs=case.kwargs) if name else "/" + route)
        for role in ROLES:
            client = world.web_clients[role]
            for method in case.methods or ("GET", "POST"):
                where = f"{method} {url} [{case.label}] en tant que {role}"
                send = (
                    (lambda c=client, u=url: c.get(u))
                    if method == "GET"
                    else (lambda c=client, u=url: c.post(u, {}))
                )
                response, text = isolated(client, send)
                check_response(
                    failures,
                    role=role,
                    case=case,
                    where=where,
                    response=response,
                    text=text,
                    public=key in PUBLIC_WEB,
                    staff_only=key in STAFF_ONLY,
                )
                count += 1
    assert not failures, f"{len(failures)} problème(s) sur {count} requêtes :\n" + "\n".join(
        failures
    )


def _multipart_send(client, url, headers):
    return client.post(
        url,
        {"file": SimpleUploadedFile("piece.pdf", PDF), "section": "identity"},
        headers=headers,
    )


@pytest.mark.parametrize("operation", API_OPERATIONS)
def test_api_operation(world, operation):
    builder = API.get(operation)
    assert builder is not None, f"Opération « {operation} » absente de la matrice d'accès (API)"
    method, template = operation.split(" ", 1)
    failures = []
    count = 0
    for case in builder(world):
        path = template
        for key, value in case.kwargs.items():
            path = path.replace("{" + key + "}", str(value))
        if case.label.startswith("?"):
            path += case.label
        assert "{" not in path, (operation, case)
        for role in ROLES:
            client = world.api_client
            headers = {}
            if role != "anonymous":
                headers["Authorization"] = f"Bearer {world.tokens[role]}"
            if case.body == "multipart":

                def send(c=client, p=path, h=headers):
                    return _multipart_send(c, p, h)

            else:
                data = json.dumps(case.body) if case.body is not None else ""

                def send(c=client, p=path, h=headers, d=data):
                    return c.generic(method, p, data=d, content_type="application/json", headers=h)

            response, text = isolated(client, send)
            where = f"{method} {path} [{case.label}] en tant que {role}"
            check_response(
                failures,
                role=role,
                case=case,
                where=where,
                response=response,
                text=text,
                public=False,
                staff_only=operation in STAFF_ONLY,
            )
            if response.status_code >= 400 and "json" in response.get("Content-Type", ""):
                body = json.loads(text)
                if set(body) != {"detail", "errors"}:
                    failures.append(
                        f"{where}: erreur sans la forme {{detail, errors}} : {text[:200]}"
                    )
            count += 1
    assert not failures, f"{len(failures)} problème(s) sur {count} requêtes :\n" + "\n".join(
        failures
    )


def test_the_matrix_is_not_vacuous(world):
    """The legitimate users do get the pages: the refusals above are not a broken set-up."""
    expectations = [
        ("lead", reverse("dossiers:detail", args=[world.dossier("draft").pk]), 200),
        ("co_editor", reverse("dossiers:edit", args=[world.dossier("returned").pk]), 200),
        ("caresp", reverse("dossiers:detail", args=[world.dossier("caresp_review").pk]), 200),
        # The former workspace: a redirect to the dossier page (decision 0054).
        ("caresp", reverse("scoring:dossier", args=[world.dossier("caresp_review").pk]), 302),
        ("instructor", reverse("budget:proposal", args=[world.dossier("ars_analysis").pk]), 200),
        ("decider", reverse("budget:decision", args=[world.dossier("ars_analysis").pk]), 200),
        ("lead", reverse("outputs:dossier_letter", args=[world.dossier("decided").pk]), 200),
        ("admin", reverse("admin:dossiers_dossier_changelist"), 200),
        ("region_admin", reverse("setup:campaign", args=[world.draft_campaign.slug]), 200),
        (
            "region_admin",
            reverse("setup:filiere", args=[world.campaign.slug, world.new_filiere.pk]),
            200,
        ),
        ("region_admin", reverse("scoring:grid", args=[world.draft_campaign.slug]), 200),
        ("anonymous", reverse("public:call", args=[world.campaign.slug]), 200),
        ("lead", reverse("followup:report", args=[world.report.pk]), 200),
        ("co_editor", reverse("followup:step", args=[world.report_b.pk, "governance"]), 404),
        ("other_lead", reverse("followup:step", args=[world.report_b.pk, "governance"]), 200),
        ("caresp", reverse("followup:step", args=[world.survey.pk, "identity"]), 200),
        ("instructor", reverse("followup:campaign", args=[world.followup_campaign.slug]), 200),
        ("instructor", reverse("followup:transition", args=[world.report.pk, "accept"]), 200),
        ("other_region", reverse("followup:report", args=[world.region2_report.pk]), 200),
    ]
    for role, url, status in expectations:
        response, _text = isolated(
            world.web_clients[role], lambda r=role, u=url: world.web_clients[r].get(u)
        )
        assert response.status_code == status, (role, url, response.status_code)
    # The confidential values are really there for the staff: the leak search is not blind.
    staff_pages = [
        ("instructor", reverse("dossiers:detail", args=[world.dossier("ars_analysis").pk])),
        ("instructor", reverse("budget:proposal", args=[world.dossier("ars_analysis").pk])),
    ]
    found = set()
    for role, url in staff_pages:
        _response, text = isolated(
            world.web_clients[role], lambda r=role, u=url: world.web_clients[r].get(u)
        )
        found.update(leaked_secrets(text, role))
    assert {*SECRET_TOKENS, "proposed 43210.98"} <= found, found
    headers = {"Authorization": f"Bearer {world.tokens['lead']}"}
    response = world.api_client.get(
        f"{API_PREFIX}/dossiers/{world.dossier('decided').pk}", headers=headers
    )
    assert response.status_code == 200
    line = response.json()["projects"][0]["lines"][0]
    assert line["granted"] == "40000.00" and line["proposed"] is None
