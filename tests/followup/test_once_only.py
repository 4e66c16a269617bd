"""Once-only creation in the follow-up (issue 11, item 4): an attachment of a yearly
report or of the CAR'sp survey, sent twice with the same form, is added once; opening the
survey twice opens one."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from followup.domain.opening import create_survey
from followup.domain.types import CARSP_SURVEY, FILIERE_REPORT
from followup.models import Report, ReportAttachment
from tests.once_only import key_on, posted_twice

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf():
    return {"file": SimpleUploadedFile("bilan.pdf", PDF, content_type="application/pdf")}


def section_with_files(rtype):
    return next(s.key for s in rtype.sections if s.attachments)


def test_a_report_attachment_sent_twice_is_one(client, report, lead):
    section = section_with_files(FILIERE_REPORT)
    client.force_login(lead)
    key = key_on(client.get(reverse("followup:step", args=[report.pk, section])))
    url = reverse("followup:attachment_upload", args=[report.pk, section])
    first, _second = posted_twice(client, url, pdf, ReportAttachment.objects.count, key=key)
    assert first.url.endswith("#pieces-jointes")


def test_a_survey_attachment_sent_twice_is_one(client, followup, caresp):
    survey = create_survey(followup)
    section = section_with_files(CARSP_SURVEY)
    client.force_login(caresp)
    key = key_on(client.get(reverse("followup:step", args=[survey.pk, section])))
    url = reverse("followup:attachment_upload", args=[survey.pk, section])
    posted_twice(client, url, pdf, ReportAttachment.objects.count, key=key)


def test_the_survey_opened_twice_is_one(client, followup, instructor):
    client.force_login(instructor)
    key = key_on(client.get(reverse("followup:campaign", args=[followup.slug])))
    url = reverse("followup:start_survey", args=[followup.slug])
    posted_twice(client, url, {}, Report.objects.filter(kind="carsp").count, key=key)
