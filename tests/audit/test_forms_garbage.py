"""Never a 500 on the web forms: every form of every page, posted with garbage.

The forms are discovered from the pages themselves (their <form> elements, fields and
choices), page by page and role by role: empty posts, every field set to the same
garbage, each field alone with a garbage value or an invalid choice, each field left
out. Formset management fields get absurd counts too. Each post runs in a savepoint
rolled back afterwards."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.audit.conftest import isolated

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_media")]

GARBAGE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 20_000,
    "-1",
    "0",
    "99999999999999999999999",
    "1e5",
    "NaN",
    "-Infinity",
    "١٢٣",
    "²",
    "12,5,6",
    "2025-02-30",
    "31/12/2025",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "'; DROP TABLE dossiers_dossier; --",
    "choix-inexistant",
]
MANAGEMENT_GARBAGE = ["-1", "abc", "99999999", "1001", ""]


@dataclass
class Form:
    action: str
    method: str
    fields: dict = field(default_factory=dict)  # name -> (kind, [values])


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []
        self.current = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = Form(
                action=attrs.get("action") or "", method=(attrs.get("method") or "get").lower()
            )
            self.forms.append(self.current)
            return
        if self.current is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                if name and "value" in attrs:
                    self.current.fields.setdefault(name, ("submit", []))[1].append(attrs["value"])
                return
            entry = self.current.fields.setdefault(name, (kind, []))
            if kind in ("checkbox", "radio"):
                entry[1].append(attrs.get("value", "on"))
            elif not entry[1]:
                entry[1].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.current.fields.setdefault(name, ("textarea", [""]))
        elif tag == "select" and name:
            self.select = self.current.fields.setdefault(name, ("select", []))
        elif tag == "option" and self.select is not None:
            self.select[1].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_of(html, page_url):
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        form.action = form.action or page_url
    return [f for f in parser.forms if "/admin/" not in f.action]


def baseline(form):
    data = {}
    for name, (kind, values) in form.fields.items():
        if name == "csrfmiddlewaretoken":
            continue
        if kind == "file":
            data[name] = SimpleUploadedFile("piece.pdf", b"%PDF-1.4\n%%EOF\n")
        elif kind == "submit":
            data[name] = values[0] if values else ""
        elif kind in ("checkbox", "radio", "select"):
            choices = [v for v in values if v != ""] or values
            data[name] = choices[0] if choices else ""
        else:
            data[name] = values[0] if values else ""
    return data


def garbage_value(kind, value):
    if kind == "file":
        return SimpleUploadedFile("x.pdf", value.encode("utf-8", "replace"))
    return value


def variants(form):
    """(label, data) posts for one form."""
    base = baseline(form)
    names = [n for n in base]
    yield "vide", {}
    yield "valeurs de la page", base
    for value in GARBAGE:
        data = {}
        for name in names:
            kind = form.fields[name][0]
            if name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")):
                data[name] = base[name]
            else:
                data[name] = garbage_value(kind, value)
        yield f"tous = {value[:20]!r}", data
    for index, name in enumerate(names):
        kind = form.fields[name][0]
        if name.endswith(("TOTAL_FORMS", "INITIAL_FORMS")):
            for value in MANAGEMENT_GARBAGE:
                yield f"{name} = {value!r}", {**base, name: value}
            continue
        value = GARBAGE[(index % (len(GARBAGE) - 1)) + 1]
        yield f"{name} = {value[:20]!r}", {**base, name: garbage_value(kind, value)}
        if kind in ("select", "radio", "checkbox"):
            yield f"{name} = choix inconnu", {**base, name: "choix-inexistant"}
            yield f"{name} = plusieurs", {**base, name: ["choix-inexistant", "\x00"]}
        rest = dict(base)
        rest.pop(name)
        yield f"sans {name}", rest


def set_password_url(user):
    return reverse(
        "accounts:password_set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def pages(w):
    """(role, page URL): every page that shows a form, as a user who may use it."""
    d = w.dossier
    draft, returned = d("draft"), d("returned")
    project = w.project("draft")
    line = w.line("draft")
    return [
        ("lead", reverse("dossiers:edit", args=[draft.pk])),
        *[
            ("lead", reverse("dossiers:section", args=[dossier.pk, part]))
            for dossier in (draft, returned)
            for part in ("identity", "diagnostic", "swot")
        ],
        ("lead", reverse("dossiers:projects", args=[draft.pk])),
        ("lead", reverse("dossiers:project_create", args=[draft.pk])),
        ("lead", reverse("dossiers:project_edit", args=[draft.pk, project.pk])),
        ("lead", reverse("dossiers:line_edit", args=[draft.pk, project.pk, line.pk])),
        ("lead", reverse("dossiers:invite", args=[draft.pk])),
        ("lead", reverse("dossiers:transition", args=[draft.pk, "submit"])),
        ("lead", reverse("dossiers:transition", args=[d("submitted").pk, "withdraw"])),
        ("co_editor", reverse("dossiers:transition", args=[returned.pk, "resubmit"])),
        ("lead", reverse("dossiers:attachment_delete", args=[draft.pk, w.attachment("draft").pk])),
        ("caresp", reverse("dossiers:detail", args=[d("caresp_review").pk])),
        ("instructor", reverse("dossiers:detail", args=[d("caresp_review").pk])),
        ("instructor", reverse("dossiers:detail", args=[d("submitted").pk])),
        (
            "instructor",
            reverse("dossiers:transition", args=[d("caresp_review").pk, "return_for_completion"]),
        ),
        ("instructor", reverse("budget:proposal", args=[d("ars_analysis").pk])),
        ("instructor", reverse("outputs:exports", args=[w.campaign.slug])),
        ("instructor", reverse("dossiers:list")),
        ("instructor", reverse("scoring:dashboard")),
        ("decider", reverse("budget:decision", args=[d("ars_analysis").pk])),
        ("decider", reverse("budget:dashboard", args=[w.campaign.slug])),
        ("decider", reverse("budget:delegations", args=[w.campaign.slug])),
        ("instructor", reverse("campaign:extensions", args=[w.campaign.slug])),
        ("admin", reverse("scoring:grid", args=[w.campaign.slug])),
        ("admin", reverse("outputs:letters", args=[w.campaign.slug])),
        ("anonymous", reverse("accounts:login")),
        ("anonymous", reverse("accounts:password_reset")),
        ("anonymous", "SET_PASSWORD"),
    ]


PAGE_COUNT = 33


def test_the_page_list_is_complete(world):
    assert len(pages(world)) == PAGE_COUNT


@pytest.mark.parametrize("index", range(PAGE_COUNT))
def test_garbage_in_every_form_never_500(world, index):
    role, url = pages(world)[index]
    client = world.web_clients[role]
    if url == "SET_PASSWORD":
        # The reset link puts its token in a fresh session, kept for this test only.
        client = Client(raise_request_exception=False)
        response = client.get(set_password_url(world.users["lead"]), follow=True)
        url = response.redirect_chain[-1][0]
    response, html = isolated(client, lambda: client.get(url))
    assert response.status_code == 200, (role, url, response.status_code)
    forms = forms_of(html, url)
    assert forms, f"aucun formulaire sur {url}"
    failures, count = [], 0
    for form in forms:
        for label, data in variants(form):
            if form.method == "post":

                def send(a=form.action, d=data):
                    return client.post(a, d)

            else:
                query = {k: v for k, v in data.items() if not hasattr(v, "read")}

                def send(a=form.action, q=query):
                    return client.get(a, q)

            response, _text = isolated(client, send)
            count += 1
            if response.status_code >= 500:
                info = getattr(response, "exc_info", None)
                failures.append(
                    f"{form.method.upper()} {form.action} [{label}] en tant que {role}: "
                    f"{response.status_code} {repr(info[1])[:300] if info else ''}"
                )
    assert count >= len(forms) * (len(GARBAGE) + 2)
    assert not failures, f"{len(failures)} erreur(s) sur {count} envois :\n" + "\n".join(failures)
