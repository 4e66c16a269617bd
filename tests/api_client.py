"""The API tests' client (personal bearer token) and the roles and files they use;
the fixtures `people`, `api_as` and `api` are in tests/conftest.py."""

import io
import json
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import ApiToken

ROLES = [
    "lead",
    "co_editor",
    "other_lead",
    "caresp",
    "instructor",
    "decider",
    "admin",
    "outsider",
    "anonymous",
]
EDITORS = {"lead", "co_editor"}
STAFF = {"caresp", "instructor", "decider", "admin"}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


class ApiClient:
    """Calls /api/v1/ as one user, with a personal bearer token (None: anonymous)."""

    def __init__(self, client, user):
        self.client = client
        self.user = user
        self.headers = {}
        if user is not None:
            _token, raw = ApiToken.issue(user)
            self.headers["Authorization"] = f"Bearer {raw}"

    def url(self, path):
        return "/api/v1/" + path.lstrip("/")

    def request(self, method, path, body=None, *, raw=None, content_type="application/json"):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return self.client.generic(
            method.upper(),
            self.url(path),
            data=data,
            content_type=content_type,
            headers=self.headers,
        )

    def get(self, path, **params):
        return self.client.get(self.url(path), params, headers=self.headers)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path):
        return self.request("DELETE", path)

    def upload(self, path, content, *, name="piece.pdf", section="identity", **fields):
        data = {"section": section, **fields}
        if content is not None:
            data["file"] = SimpleUploadedFile(name, content)
        return self.client.post(self.url(path), data, headers=self.headers)


def upload(name, content):
    return SimpleUploadedFile(name, content)
