"""V6: letter templates are validated and rendered under size and time limits
(outputs.domain.template_limits, decision 0024)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.errors import Conflict, InvalidInput
from outputs.domain import letters, template_limits
from tests.factories import ProjectFactory
from tests.outputs.test_letters import make_docx, text_of

TOO_LONG = "produit un texte de plus de 100\u202f000 caractères"


@pytest.mark.parametrize(
    "paragraph",
    [
        "{{ 'A' * 30000000 }}",
        "{{ 30000000 * 'A' }}",
        "{{ ['A'] * 30000000 }}",
        "{{ 'A'|center(30000000) }}",
        "{{ 'A'.ljust(30000000) }}",
        "{{ '%30000000s' % 'A' }}",
        "{{ '%*s' % (30000000, 'A') }}",
        "{{ '{:>30000000}'.format('A') }}",
        "{{ '{:{}}'.format('A', 30000000) }}",
        "{{ '%30000000s'|format('A') }}",
        "{{ 2 ** 99999999 }}",
        "{{ ('A' * 90000)|replace('A', 'AAAAAAAAAA') }}",
        "{{ ('A' * 90000).replace('A', 'AAAAAAAAAA') }}",
        "{{ range(99999)|join('A' * 90000) }}",
        "{{ [1]|batch(30000000, 'x')|list }}",
    ],
)
def test_huge_values_are_refused_at_once_with_a_french_message(paragraph):
    with pytest.raises(InvalidInput) as refused:
        letters.validate_template(make_docx(paragraph))
    assert refused.value.message.startswith("Le modèle ne peut pas être utilisé : ")
    assert TOO_LONG in refused.value.message or "plus de 100" in refused.value.message


def test_a_letter_longer_than_the_bound_is_refused():
    data = make_docx("{% for i in range(99999) %}{{ 'A' * 99 }}{% endfor %}")
    with pytest.raises(InvalidInput, match="le courrier produit dépasse 5\u202f000\u202f000"):
        letters.validate_template(data)


def test_a_template_that_never_ends_is_stopped(monkeypatch):
    monkeypatch.setattr(template_limits, "VALIDATION_SECONDS", 1)
    data = make_docx(
        "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    )
    with pytest.raises(InvalidInput, match="met plus de 1 secondes à produire un courrier"):
        letters.validate_template(data)


def test_a_template_that_eats_memory_is_stopped(monkeypatch):
    monkeypatch.setattr(template_limits, "VALIDATION_EXTRA_MEMORY", 64 * 1024 * 1024)
    data = make_docx(
        "{% set ns = namespace(s='x') %}{% for i in range(28) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}"
    )
    with pytest.raises(InvalidInput, match="trop de mémoire|met plus de"):
        letters.validate_template(data)


def test_ordinary_templates_still_pass():
    data = make_docx(
        "{{ filiere_name|upper }} — {{ '%s' % outcome }} — {{ '-' * 20 }}",
        "{% for p in projects %}{{ p.title|center(40) }}{% endfor %}",
    )
    assert letters.validate_template(data) == data


def test_the_upload_page_refuses_fast_and_later_letters_are_unaffected(
    client, scenario, campaign, admin_user, decider
):
    before = letters.letter_for(decider, scenario["a"].id)[1]
    client.force_login(admin_user)
    response = client.post(
        f"/campagnes/{campaign.slug}/courriers/parametres/",
        {
            "signatory_name": "Élise Kervella",
            "signatory_title": "Directrice générale",
            "appeal_mention": "Voies et délais de recours : deux mois.",
            "template": SimpleUploadedFile(
                "bombe.docx", make_docx("{{ 'A' * 30000000 }}"), letters.DOCX_CONTENT_TYPE
            ),
        },
    )
    assert response.status_code == 400
    assert TOO_LONG in response.content.decode()
    campaign.refresh_from_db()
    assert not campaign.letter_template
    after = letters.letter_for(decider, scenario["a"].id)[1]
    assert text_of(after)[0] == text_of(before)[0]


def test_rendering_a_real_dossier_is_bounded_too(scenario, campaign, decider):
    """A template that behaves on the sample letters but not on a dossier with more
    project sheets: the letter is refused (409) with the reason, not a server stuck."""
    data = make_docx("{% if projects|length > 2 %}{{ 'A' * 30000000 }}{% endif %}Fin")
    letters.validate_template(data)
    dossier = scenario["a"]
    for priority in (3, 4):
        ProjectFactory(dossier=dossier, priority=priority)
    dossier = letters.letter_queryset().get(pk=dossier.pk)
    with pytest.raises(Conflict, match=TOO_LONG):
        letters.render_letter(dossier, data)


def test_the_render_deadline_stops_a_long_letter(monkeypatch, scenario):
    data = make_docx("{% for i in range(99999) %}{{ i }}{% endfor %}")
    monkeypatch.setattr(template_limits, "RENDER_SECONDS", 0)
    dossier = letters.letter_queryset().get(pk=scenario["a"].pk)
    with pytest.raises(Conflict, match="met plus de 0 secondes"):
        letters.render_letter(dossier, data)
