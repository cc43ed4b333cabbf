"""Evidence limits: how many files and links an update takes, how big, the force's quota,
and files checked for what they really are, through the page and the service alike."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tracker import evidence, services
from tracker.models import Action, Evidence, ProgressUpdate
from tracker.services import WorkflowError

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
MB = 1024 * 1024
GB = 1024 * MB


@pytest.fixture(autouse=True)
def _evidence_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def office_package(*names: str) -> bytes:
    """A real ZIP with the named parts, as Word and Excel write them (or not)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name in names:
            package.writestr(name, "<?xml version='1.0'?><x/>")
    return buffer.getvalue()


DOCX = office_package("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = office_package("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml")


def zip_of_html() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("index.html", "<html><script>alert(1)</script></html>")
    return buffer.getvalue()


def pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, PDF, "application/pdf")


def post_update(client, action, **data):
    data.setdefault("text", "Met the partnership board.")
    # What a page opened just now carries: the action's current version.
    data.setdefault("version", Action.objects.get(pk=action.pk).version)
    return client.post(f"/actions/{action.pk}/updates/", data)


def assert_refused_and_kept(response, message):
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Met the partnership board." in body  # the words are kept to resubmit
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()


# How many files, how big ---------------------------------------------------------------


def test_eleven_files_are_refused_with_the_limit_and_the_text_kept(
    client, owner, action
):
    client.force_login(owner)
    response = post_update(
        client,
        action,
        files=[pdf(f"p{i}.pdf") for i in range(11)],
        links="https://example.org/minutes",
    )
    assert_refused_and_kept(response, "at most 10 files")
    assert "https://example.org/minutes" in response.content.decode()


def test_ten_files_are_accepted(client, owner, action):
    client.force_login(owner)
    response = post_update(client, action, files=[pdf(f"p{i}.pdf") for i in range(10)])
    assert response.status_code == 302
    assert Evidence.objects.count() == 10


def test_a_hundred_files_get_the_forms_message(client, owner, action):
    client.force_login(owner)
    response = post_update(client, action, files=[pdf(f"p{i}.pdf") for i in range(100)])
    assert_refused_and_kept(response, "at most 10 files")


def test_more_files_than_django_reads_get_a_page_that_says_why(client, owner, action):
    client.force_login(owner)
    response = post_update(client, action, files=[pdf(f"p{i}.pdf") for i in range(101)])
    assert response.status_code == 400
    body = response.content.decode()
    assert "at most 10 files" in body
    assert "Nothing was saved" in body
    assert f"/actions/{action.pk}/" in body  # a way back to the action
    assert not ProgressUpdate.objects.exists()


def test_the_total_size_of_an_update_is_limited(client, owner, action, settings):
    settings.EVIDENCE_MAX_UPDATE_MB = 1
    client.force_login(owner)
    half = b"a" * (MB // 2 + 1)
    response = post_update(
        client,
        action,
        files=[SimpleUploadedFile("a.txt", half), SimpleUploadedFile("b.txt", half)],
    )
    assert_refused_and_kept(response, "at most 1 MB in total")


def test_the_service_refuses_three_files_of_19_mb(owner, action):
    files = [SimpleUploadedFile(f"{i}.txt", b"a" * (19 * MB)) for i in range(3)]
    with pytest.raises(WorkflowError, match="at most 50 MB in total"):
        services.action_record_progress(owner, action, text="Big", files=files)
    assert not ProgressUpdate.objects.exists()


def test_the_service_refuses_eleven_files(owner, action):
    with pytest.raises(WorkflowError, match="at most 10 files"):
        services.action_record_progress(
            owner, action, text="Many", files=[pdf(f"{i}.pdf") for i in range(11)]
        )


def test_the_limits_are_said_on_the_form(client, owner, action):
    client.force_login(owner)
    body = client.get(action.get_absolute_url()).content.decode()
    assert "at most 10 files and 50 MB an update, 20 MB each" in body
    assert "at most 20 links" in body


# The force's storage quota -------------------------------------------------------------


def stored_evidence(action, owner, size):
    update = services.action_record_progress(owner, action, text="Earlier work")
    stored = Evidence.objects.create(
        update=update, file="evidence/earlier.pdf", original_name="x.pdf", size=size
    )
    evidence.recount_storage(action.force_id)  # as the upload of the file would
    return stored


def test_a_full_quota_refuses_files_with_a_clear_message(client, owner, action):
    stored_evidence(action, owner, 5 * GB - 10)
    client.force_login(owner)
    response = post_update(client, action, text="New work", files=[pdf()])
    assert response.status_code == 400
    body = response.content.decode()
    assert "storage is full" in body and "5.0\xa0GB" in body
    assert "New work" in body
    assert Evidence.objects.count() == 1
    assert ProgressUpdate.objects.filter(text="New work").count() == 0


def test_the_quota_is_checked_by_the_service_too(owner, action):
    stored_evidence(action, owner, 5 * GB - 10)
    with pytest.raises(WorkflowError, match="storage is full"):
        services.action_record_progress(owner, action, text="Late", files=[pdf()])


def test_a_quota_is_for_one_force_only(owner, action, other_action, outsider):
    stored_evidence(other_action, outsider, 5 * GB - 10)
    services.action_record_progress(owner, action, text="Fine", files=[pdf()])
    assert Evidence.objects.filter(update__action=action).count() == 1


def test_an_upload_keeps_the_forces_storage_figure(owner, action, force):
    services.action_record_progress(owner, action, text="Plan", files=[pdf()])
    force.refresh_from_db()
    assert force.evidence_bytes == Evidence.objects.get().size > 0
    # Files deleted with their action (the admin can) drop out at the next count.
    Evidence.objects.all().delete()
    services.action_record_progress(owner, action, text="Minutes", files=[pdf()])
    force.refresh_from_db()
    assert force.evidence_bytes == Evidence.objects.get().size


def test_the_force_lead_sees_the_storage_used(client, lead, owner, action, force):
    stored_evidence(action, owner, int(1.2 * GB))
    client.force_login(lead)
    body = client.get(force.get_absolute_url()).content.decode()
    assert "1.2\xa0GB of 5.0\xa0GB used" in body
    client.force_login(owner)
    assert "GB used" not in client.get(force.get_absolute_url()).content.decode()


# What a file really is -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content",
    [
        ("plan.docx", DOCX),
        ("figures.xlsx", XLSX),
        ("notes.txt", b"x" * 3000 + "café – £5\n".encode()),
        ("old.csv", b"a,b\n" * 1000 + b"caf\xe9,\x80\n"),  # Windows-1252
    ],
)
def test_real_files_are_accepted(owner, action, name, content):
    services.action_record_progress(
        owner, action, text="Evidence", files=[SimpleUploadedFile(name, content)]
    )
    assert Evidence.objects.get().original_name == name


@pytest.mark.parametrize(
    "name, content",
    [
        ("plan.docx", zip_of_html()),
        ("figures.xlsx", DOCX),  # a Word package is not a workbook
        ("plan.docx", office_package("word/document.xml")),  # no [Content_Types].xml
        ("plan.docx", b"PK\x03\x04" + b"\x00" * 100),  # not a readable ZIP
        ("notes.txt", b"x" * 3000 + b"\x00tail"),
        ("data.csv", b"a,b\n" * 1000 + b"\x81\x8d\x8f"),  # neither UTF-8 nor 1252
        ("page.txt", b"\n  <!DOCTYPE html><html><script>alert(1)</script>"),
    ],
)
def test_files_that_are_not_what_their_name_says_are_refused(
    client, owner, action, name, content
):
    client.force_login(owner)
    response = post_update(client, action, files=[SimpleUploadedFile(name, content)])
    assert_refused_and_kept(response, "does not contain what its name says")
    with pytest.raises(WorkflowError, match="does not contain what its name says"):
        services.action_record_progress(
            owner, action, text="x", files=[SimpleUploadedFile(name, content)]
        )


def test_an_accepted_word_file_is_served_as_word(owner, action):
    services.action_record_progress(
        owner, action, text="Plan", files=[SimpleUploadedFile("plan.docx", DOCX)]
    )
    assert Evidence.objects.get().content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


# Links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "links, message",
    [
        ("https://example.org/a\nhttps://[::1", "Line 2"),
        ("https://[::1", "is not a valid web address"),
        ("https://example.org:99999/", "is not a valid web address"),
        ("https:///no-host", "is not a valid web address"),
        ("ftp://example.org/file", "links start with https:// (or http://)"),
        ("https://example.org/" + "a" * 1000, "at most 1,000 characters"),
    ],
)
def test_a_bad_link_is_named_and_nothing_is_saved(
    client, owner, action, links, message
):
    client.force_login(owner)
    response = post_update(client, action, links=links)
    assert_refused_and_kept(response, message)


@pytest.mark.parametrize(
    "link, message",
    [
        ("https://[::1", "is not a valid web address"),
        ("https://example.org/" + "a" * 1000, "at most 1,000 characters"),
        ("https://", "is not a valid web address"),
    ],
)
def test_the_service_checks_each_link(owner, action, link, message):
    with pytest.raises(WorkflowError, match=message):
        services.action_record_progress(owner, action, text="x", links=[link])
    assert not ProgressUpdate.objects.exists()


def test_a_link_of_exactly_1000_characters_is_kept(owner, action):
    link = "https://example.org/" + "a" * (1000 - len("https://example.org/"))
    services.action_record_progress(owner, action, text="x", links=[link])
    assert Evidence.objects.get().link == link


def test_twenty_one_links_are_refused(client, owner, action):
    client.force_login(owner)
    links = "\n".join(f"https://example.org/{i}" for i in range(21))
    assert_refused_and_kept(
        post_update(client, action, links=links), "at most 20 links"
    )
    with pytest.raises(WorkflowError, match="at most 20 links"):
        services.action_record_progress(
            owner, action, text="x", links=links.splitlines()
        )


def test_twenty_links_are_accepted(owner, action):
    links = [f"https://example.org/{i}" for i in range(20)]
    services.action_record_progress(owner, action, text="x", links=links)
    assert Evidence.objects.count() == 20


def test_a_request_too_big_for_any_update_is_refused_before_it_is_read(
    client, owner, action, settings
):
    # One file of at most 1 MB, so nothing over 1 MB plus the words is read.
    settings.EVIDENCE_MAX_FILES_PER_UPDATE = 1
    settings.EVIDENCE_MAX_FILE_MB = 1
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = MB
    client.force_login(owner)
    big = [SimpleUploadedFile(f"{i}.txt", b"a" * MB) for i in range(3)]
    response = post_update(client, action, files=big)
    assert response.status_code == 400
    body = response.content.decode()
    assert "too large to read (over 2.0\xa0MB)" in body
    assert "Nothing was saved" in body and f"/actions/{action.pk}/" in body
    assert not ProgressUpdate.objects.exists()


def test_a_force_may_have_its_own_quota(client, owner, lead, action, force):
    force.evidence_quota_gb = 20
    force.save()
    stored_evidence(action, owner, 6 * GB)  # over the default, within its own
    services.action_record_progress(owner, action, text="Fits", files=[pdf()])
    client.force_login(lead)
    body = client.get(force.get_absolute_url()).content.decode()
    assert "6.0\xa0GB of 20.0\xa0GB used" in body
    force.evidence_quota_gb = 6
    force.save()
    with pytest.raises(WorkflowError, match="storage is full"):
        services.action_record_progress(owner, action, text="Full", files=[pdf()])
