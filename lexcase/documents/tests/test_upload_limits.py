"""Upload size (issue 18 item 8): refused on Content-Length before the body is read, and while
streaming as soon as a file or the request passes its limit; nothing reaches the temp dir or
the storage; stale temp files are cleaned."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from lexcase.documents.models import Document
from lexcase.documents.tests.files import stored_files, upload
from lexcase.documents.tests.test_upload import api_client
from lexcase.documents.uploads import UploadLimitHandler, UploadTooLarge
from lexcase.portal.tests.factories import build_world
from lexcase.testing import client_for

MIB = 2**20


@pytest.fixture
def spool(settings, tmp_path, monkeypatch):
    """Uploads spool to a private temp dir from the first 64 KB on (as a big file would),
    and every byte handed to the temp-file handler is counted."""
    directory = tmp_path / "uploads"
    directory.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(directory)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    written = {"bytes": 0, "parses": 0}
    original_chunk = TemporaryFileUploadHandler.receive_data_chunk
    original_parse = MultiPartParser.parse

    def counting_chunk(self, raw_data, start):
        written["bytes"] += len(raw_data)
        return original_chunk(self, raw_data, start)

    def counting_parse(self):
        written["parses"] += 1
        return original_parse(self)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting_chunk)
    monkeypatch.setattr(MultiPartParser, "parse", counting_parse)
    written["dir"] = directory
    return written


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# -- Content-Length over the limit: refused before a byte is read ---------------------------


def test_api_content_length_over_limit_is_413_and_nothing_read(firm, settings, spool, doc_store):
    settings.LEXCASE_MAX_UPLOAD_REQUEST_MB = 1
    response = api_client(firm.lead).post(
        f"/api/v1/matters/{firm.matter.pk}/documents",
        {"file": upload("大文件.txt", b"a" * (MIB + MIB // 2))},
    )
    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"field": "__all__", "message": "上传的内容超过了 1 MB 的大小限制。"}]
    }
    assert (spool["parses"], spool["bytes"], leftovers(spool["dir"])) == (0, 0, [])
    assert (Document.objects.count(), stored_files(doc_store)) == (0, [])


def test_page_content_length_over_limit_is_413_with_a_chinese_page(
    firm, settings, spool, doc_store
):
    settings.LEXCASE_MAX_UPLOAD_REQUEST_MB = 1
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/documents/",
        {"files": upload("大文件.txt", b"a" * (MIB + MIB // 2))},
        HTTP_REFERER=f"http://testserver/matters/{firm.matter.pk}/",
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "上传的内容超过了 1 MB 的大小限制。" in page
    assert f'href="http://testserver/matters/{firm.matter.pk}/"' in page
    assert (spool["parses"], spool["bytes"], leftovers(spool["dir"])) == (0, 0, [])
    assert (Document.objects.count(), stored_files(doc_store)) == (0, [])


def test_portal_content_length_over_limit_is_413(firm, settings, spool, doc_store):
    world = build_world(firm)
    before = (Document.objects.count(), len(stored_files(doc_store)))
    settings.LEXCASE_MAX_UPLOAD_REQUEST_MB = 1
    client = Client()
    client.force_login(world.a.user)
    response = client.post(
        f"/portal/matters/{world.a_matter.pk}/upload/",
        {"file": upload("证据.txt", b"a" * (MIB + MIB // 2)), "title": "证据"},
    )
    assert response.status_code == 413
    assert "上传的内容超过了 1 MB 的大小限制。" in response.content.decode()
    assert (spool["parses"], spool["bytes"], leftovers(spool["dir"])) == (0, 0, [])
    assert (Document.objects.count(), len(stored_files(doc_store))) == before


# -- A file over the per-file limit inside an acceptable request: stopped mid-stream --------


def test_api_file_over_limit_is_stopped_mid_stream(firm, spool, doc_store):
    # Request limit (default) is far above 3 MB; the file limit (conftest) is 1 MB.
    response = api_client(firm.lead).post(
        f"/api/v1/matters/{firm.matter.pk}/documents",
        {"file": upload("大文件.txt", b"a" * (3 * MIB))},
    )
    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"field": "file", "message": "“大文件.txt”超过了 1 MB 的大小限制。"}]
    }
    # Reading stopped at the limit: at most one 64 KB chunk past it reached the temp file.
    assert spool["bytes"] <= MIB
    assert leftovers(spool["dir"]) == []
    assert (Document.objects.count(), stored_files(doc_store)) == (0, [])


def test_portal_file_over_limit_is_stopped_mid_stream(firm, spool, doc_store):
    world = build_world(firm)
    before = Document.objects.count()
    client = Client()
    client.force_login(world.a.user)
    response = client.post(
        f"/portal/matters/{world.a_matter.pk}/upload/",
        {"file": upload("证据.txt", b"a" * (3 * MIB)), "title": "证据"},
    )
    assert response.status_code == 413
    assert "“证据.txt”超过了 1 MB 的大小限制。" in response.content.decode()
    assert spool["bytes"] <= MIB
    assert leftovers(spool["dir"]) == []
    assert Document.objects.count() == before


def test_parser_counts_bytes_whatever_content_length_says(settings, tmp_path):
    """A body larger than its Content-Length (a server that hands Django a chunked or
    mis-declared stream): the handler counts the bytes it really receives."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    body = encode_multipart(BOUNDARY, {"file": upload("a.txt", b"a" * (3 * MIB))})
    stream = io.BytesIO(body)
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": "1000"}
    handlers = [UploadLimitHandler(), TemporaryFileUploadHandler()]
    with pytest.raises(UploadTooLarge) as exc:
        MultiPartParser(meta, stream, handlers).parse()
    assert (exc.value.field, exc.value.name) == ("file", "a.txt")
    assert stream.tell() < 2 * MIB
    assert list(tmp_path.iterdir()) == []


def test_parser_stops_when_the_request_total_passes_its_limit(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.LEXCASE_MAX_UPLOAD_REQUEST_MB = 2
    # Five files, each under the 1 MB file limit, 5 MB together; declared as 1000 bytes.
    files = [upload(f"{i}.txt", b"a" * (MIB - 1024)) for i in range(5)]
    stream = io.BytesIO(encode_multipart(BOUNDARY, {"files": files}))
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": "1000"}
    handlers = [UploadLimitHandler(), TemporaryFileUploadHandler()]
    with pytest.raises(UploadTooLarge) as exc:
        MultiPartParser(meta, stream, handlers).parse()
    assert (exc.value.field, exc.value.name) == ("__all__", "")
    assert stream.tell() < 3 * MIB
    # The files completed before the limit was passed are closed (deleted) as well.
    assert list(tmp_path.iterdir()) == []


def test_under_the_limits_uploads_still_work(firm, spool, doc_store):
    response = api_client(firm.lead).post(
        f"/api/v1/matters/{firm.matter.pk}/documents",
        {"file": upload("合同.txt", b"a" * (MIB - 10))},
    )
    assert response.status_code == 201
    assert [p.stat().st_size for p in stored_files(doc_store)] == [MIB - 10]
    assert leftovers(spool["dir"]) == []


# -- Temp files -------------------------------------------------------------------------------


def test_upload_temp_dir_is_dedicated_under_var():
    assert Path(settings.FILE_UPLOAD_TEMP_DIR) == settings.VAR_DIR / "tmp" / "uploads"
    assert Path(settings.FILE_UPLOAD_TEMP_DIR).is_dir()
    assert Path(settings.LEXCASE_EXTRACT_TEMP_DIR) == settings.VAR_DIR / "tmp" / "extract"


def age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then), follow_symlinks=False)


def test_stale_temp_cleaner_removes_old_files_and_keeps_fresh_ones(settings, tmp_path):
    uploads, extract = tmp_path / "uploads", tmp_path / "extract"
    uploads.mkdir()
    (extract / "x-old").mkdir(parents=True)
    (extract / "x-new").mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(uploads)
    settings.LEXCASE_EXTRACT_TEMP_DIR = extract
    outside = tmp_path / "keep.txt"
    outside.write_text("not ours")
    for name, hours in [("old.upload.pdf", 30), ("fresh.upload.pdf", 1)]:
        (uploads / name).write_bytes(b"x")
        age(uploads / name, hours)
    (uploads / "link").symlink_to(outside)
    age(uploads / "link", 30)
    (extract / "x-old" / "input").write_bytes(b"x")
    age(extract / "x-old" / "input", 30)
    age(extract / "x-old", 30)
    (extract / "x-new" / "input").write_bytes(b"x")
    out = io.StringIO()
    call_command("documents_tmp_clean", "--older-than-hours", "6", stdout=out)
    assert out.getvalue().strip() == "removed: 3"
    assert leftovers(uploads) == ["fresh.upload.pdf"]
    assert leftovers(extract) == ["x-new"]
    assert outside.read_text() == "not ours"


def test_stale_temp_cleaner_refuses_a_negative_age():
    with pytest.raises(CommandError, match="must not be negative"):
        call_command("documents_tmp_clean", "--older-than-hours", "-1")
