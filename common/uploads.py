"""Uploads capped while they stream in, before they are spooled (docs/decisions/0026).

Django's TemporaryFileUploadHandler writes a whole file to a temporary file before any
view can look at its size: a 2 GB upload took 2 GB of disk before the 413. This handler
stops writing at FILE_UPLOAD_MAX_BYTES (the largest file any form accepts), deletes what
it wrote, and hands the view a placeholder of the announced size with no content: the
usual size checks (common.files.check_upload, the letter template and spreadsheet
forms) then refuse it with their French message, pages and API alike."""

import io
import os

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class RefusedUpload(UploadedFile):
    """A file refused while it streamed in: its name and size, none of its bytes."""

    refused = True

    def __init__(self, name, content_type, size, charset):
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """TemporaryFileUploadHandler that never stores more than FILE_UPLOAD_MAX_BYTES of a
    request's files: past it, the rest is read from the network and dropped."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.FILE_UPLOAD_MAX_BYTES
        self.stored = 0  # bytes kept for the request's earlier files

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.refused = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.refused:
            return None
        if self.stored + self.received > self.limit:
            self.refused = True
            self._discard()
            return None
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.refused:
            return RefusedUpload(self.file_name, self.content_type, self.received, self.charset)
        self.stored += file_size
        return super().file_complete(file_size)

    def _discard(self):
        path = self.file.temporary_file_path()
        self.file.close()
        try:
            os.remove(path)
        except FileNotFoundError:
            pass  # closing a NamedTemporaryFile already removes it
