"""A large CSV upload is imported by a real Celery worker while admin shows its progress,
then its report: every row, each bad line with its problem."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from monitor.admin import IN_REQUEST_ROWS
from monitor.models import Check, Host, HostImport
from tests import processes
from tests.servers import wait_for

ROWS = IN_REQUEST_ROWS + 200


def large_csv() -> str:
    lines = ["name,address,enabled,checks"]
    lines += [f"host-{i:05d},10.1.{i // 256}.{i % 256},yes,tcp:22" for i in range(ROWS)]
    lines[100] = "bad-address,not a host!,yes,tcp:22"  # line 101
    lines[900] = "bad-enabled,10.9.9.9,maybe,tcp:22"  # line 901
    return "\n".join(lines) + "\n"


@pytest.fixture
def importer(transactional_db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("importer", password="pw-for-tests-only"))
    return client


def test_a_large_upload_is_imported_by_a_worker_with_progress_and_a_report(importer):
    upload = SimpleUploadedFile("hosts.csv", large_csv().encode(), content_type="text/csv")
    response = importer.post("/admin/monitor/host/import/", {"file": upload})
    assert response.status_code == 302
    progress_url = response.url
    assert "Waiting for a worker" in importer.get(progress_url).content.decode()  # queued, not run in the request
    assert not Host.objects.exists()

    with processes.tasks_worker(processes.agent_name("importer")):
        wait_for(lambda: HostImport.objects.get().state == HostImport.State.DONE, 120, "the import")
    page = importer.get(progress_url).content.decode()
    assert f"{ROWS - 2} hosts created, 0 updated, {ROWS - 2} checks added, 2 rows rejected" in page
    assert "<td>101</td>" in page
    assert "is neither an IP address nor a valid hostname" in page
    assert "<td>901</td><td>enabled: &#x27;maybe&#x27; is not yes or no</td>" in page
    assert Host.objects.count() == Check.objects.count() == ROWS - 2
    job = HostImport.objects.get()
    assert (job.rows_done, job.rows_total, job.text) == (ROWS - 2, ROWS - 2, "")


def test_only_who_started_an_import_sees_its_progress(importer, django_user_model):
    job = HostImport.objects.create(created_by=django_user_model.objects.get(username="importer"), text="name,address")
    other = django_user_model.objects.create_user("other-admin", password="pw-for-tests-only", is_staff=True)
    other.user_permissions.add(*Permission.objects.filter(codename__in=["add_host", "view_host"]))
    client = Client()
    client.force_login(other)
    assert client.get(f"/admin/monitor/host/import/{job.pk}/").status_code == 404
    assert importer.get(f"/admin/monitor/host/import/{job.pk}/").status_code == 200
