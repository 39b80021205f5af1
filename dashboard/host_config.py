"""The "Add host" dialog's routes: create, edit, test, pause and resume, clone, delete, bulk actions.

JSON in and out; every route is for signed-in people with the matching permission of the
monitor app (admins have them all; a role without it is answered 403 and sees no control).
Posting needs the CSRF token, so another site cannot drive them.
"""

import json
from datetime import timedelta
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from monitor import host_setup, trial_runs
from monitor.host_setup import SetupError
from monitor.models import RUN_CHECK, Host, MaintenanceWindow, Tag
from monitor.results import derive_hosts

ADD, CHANGE, DELETE = "monitor.add_host", "monitor.change_host", "monitor.delete_host"
MAINTAIN = "monitor.add_maintenancewindow"  # operators have it too (accounts/roles.py)
MAX_BODY = 256 * 1024
BULK_ACTIONS = {"pause": CHANGE, "resume": CHANGE, "tag": CHANGE, "delete": DELETE, "maintenance": MAINTAIN}
MAINTENANCE_MAX_MINUTES = 14 * 24 * 60
MAX_BULK = 5_000


def config_controls(user) -> dict:
    """Which of the dialog's controls `user` is shown (pages hide the others).

    "test" is "Test now" in the dialog; "run" is "Test now" on a saved host's page, which runs
    its stored checks once (operators may: accounts/roles.py gives them monitor.run_check)."""
    return {
        "add": user.has_perm(ADD),
        "change": user.has_perm(CHANGE),
        "delete": user.has_perm(DELETE),
        "maintain": user.has_perm(MAINTAIN),
        "test": user.has_perm(ADD) or user.has_perm(CHANGE),
        "run": user.has_perm(ADD) or user.has_perm(CHANGE) or user.has_perm(RUN_CHECK),
    }


def needs(*any_of: str):
    """Signed in, and holding at least one of the permissions `any_of`; else 403 with the reason."""

    def decorate(view):
        @login_required
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not any(request.user.has_perm(p) for p in any_of):
                return JsonResponse({"error": "Your role may not do this."}, status=403)
            return view(request, *args, **kwargs)

        return checked

    return decorate


def body(request) -> dict:
    """The request's JSON object; SetupError when it is not one."""
    if len(request.body) > MAX_BODY:
        raise SetupError({"host": {"__all__": "The request is too large."}})
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise SetupError({"host": {"__all__": "The request is not JSON."}}) from None
    if not isinstance(data, dict):
        raise SetupError({"host": {"__all__": "Send a JSON object."}})
    return data


def refused(exc: SetupError) -> JsonResponse:
    return JsonResponse({"errors": exc.errors}, status=400)


def saved(host: Host, status: int = 200) -> JsonResponse:
    return JsonResponse({"id": host.pk, "url": reverse("host_detail", args=[host.pk])}, status=status)


def _save(draft) -> JsonResponse | Host:
    try:
        return host_setup.save_draft(draft)
    except IntegrityError:  # the same name saved by someone else meanwhile
        return refused(SetupError({"host": {"name": "A host with this name exists."}}))


@require_POST
@needs(ADD)
def create_host(request):
    try:
        draft = host_setup.read_draft(body(request))
    except SetupError as exc:
        return refused(exc)
    result = _save(draft)
    return result if isinstance(result, JsonResponse) else saved(result, 201)


@require_GET
@needs(CHANGE)
def host_config(request, host_id: int):
    host = get_object_or_404(Host.objects.prefetch_related("tags", "checks"), pk=host_id)
    return JsonResponse(host_setup.host_fields(host))


@require_POST
@needs(CHANGE)
def update_host(request, host_id: int):
    host = get_object_or_404(Host, pk=host_id)
    try:
        draft = host_setup.read_draft(body(request), existing=host)
    except SetupError as exc:
        return refused(exc)
    result = _save(draft)
    return result if isinstance(result, JsonResponse) else saved(result)


@require_POST
@needs(ADD)
def clone_host(request, host_id: int):
    return saved(host_setup.clone(get_object_or_404(Host, pk=host_id)), 201)


@require_POST
@needs(DELETE)
def delete_host(request, host_id: int):
    get_object_or_404(Host, pk=host_id).delete()
    return JsonResponse({"deleted": 1, "url": reverse("dashboard")})


@require_POST
@needs(CHANGE)
def pause_host(request, host_id: int):
    return _set_enabled([get_object_or_404(Host, pk=host_id).pk], False)


@require_POST
@needs(CHANGE)
def resume_host(request, host_id: int):
    return _set_enabled([get_object_or_404(Host, pk=host_id).pk], True)


def _set_enabled(host_ids: list[int], enabled: bool) -> JsonResponse:
    hosts = list(Host.objects.filter(pk__in=host_ids))
    with transaction.atomic():
        for host in hosts:  # save(): the status follows, and status pages are told
            host.enabled = enabled
            host.save(update_fields=["enabled"])
        transaction.on_commit(lambda: derive_hosts({host.pk for host in hosts}))
    return JsonResponse({"changed": len(hosts), "enabled": enabled})


@require_POST
@needs(CHANGE, DELETE, MAINTAIN)
def bulk_hosts(request):
    """Pause, resume, tag or delete the chosen hosts of the grid: {"action", "ids", "tag"}."""
    try:
        data = body(request)
    except SetupError as exc:
        return refused(exc)
    action, ids = data.get("action"), data.get("ids")
    if action not in BULK_ACTIONS or not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        return JsonResponse(
            {"error": "Send an action (pause, resume, tag, delete) and a list of host ids."}, status=400
        )
    if not request.user.has_perm(BULK_ACTIONS[action]):
        return JsonResponse({"error": "Your role may not do this."}, status=403)
    ids = ids[:MAX_BULK]
    if action in ("pause", "resume"):
        return _set_enabled(ids, action == "resume")
    if action == "delete":
        deleted, _ = Host.objects.filter(pk__in=ids).delete()
        return JsonResponse({"deleted": len(ids) if deleted else 0})
    if action == "maintenance":
        return _maintenance(ids, data)
    return _tag(ids, data.get("tag"))


@require_POST
@needs(MAINTAIN)
def maintenance_host(request, host_id: int):
    """A maintenance window for one host from now: {"minutes", "reason"}."""
    try:
        data = body(request)
    except SetupError as exc:
        return refused(exc)
    return _maintenance([get_object_or_404(Host, pk=host_id).pk], data)


def _maintenance(ids: list[int], data: dict) -> JsonResponse:
    """No alert fires for these hosts for the next `minutes`; the reason is kept with the window."""
    minutes, reason = data.get("minutes"), data.get("reason", "")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAINTENANCE_MAX_MINUTES:
        return refused(SetupError({"minutes": f"Give a whole number of minutes from 1 to {MAINTENANCE_MAX_MINUTES}."}))
    reason = reason.strip()[:200] if isinstance(reason, str) else ""
    starts = timezone.now()
    ends = starts + timedelta(minutes=minutes)
    hosts = list(Host.objects.filter(pk__in=ids).values_list("pk", flat=True))
    MaintenanceWindow.objects.bulk_create(
        [MaintenanceWindow(host_id=pk, starts_at=starts, ends_at=ends, reason=reason) for pk in hosts]
    )
    return JsonResponse({"changed": len(hosts), "ends_at": ends.isoformat()})


def _tag(ids: list[int], name) -> JsonResponse:
    try:
        tags = host_setup.read_tags([name] if isinstance(name, str) else [])
    except SetupError as exc:
        return refused(exc)
    if not tags:
        return refused(SetupError({"tags": "Name the tag to add."}))
    tag, _ = Tag.objects.get_or_create(name=tags[0])
    hosts = Host.objects.filter(pk__in=ids).values_list("pk", flat=True)
    Host.tags.through.objects.bulk_create([Host.tags.through(host_id=pk, tag_id=tag.pk) for pk in hosts],
                                          ignore_conflicts=True)  # fmt: skip
    return JsonResponse({"changed": len(hosts), "tag": tag.name})


@require_POST
@needs(ADD, CHANGE)
def quick_add(request):
    """The checks a quick-add line writes, for the dialog to show as rows."""
    try:
        data = body(request)
        line = data.get("line") if isinstance(data.get("line"), str) else ""
        return JsonResponse({"checks": host_setup.quick_add(line)})
    except SetupError as exc:
        return refused(exc)


@require_POST
@needs(ADD, CHANGE, RUN_CHECK)
def test_checks(request):
    """Run the dialog's checks once on a checks worker; answers the token to read the results by.

    Someone who may not configure hosts (an operator) runs only a saved host's stored checks:
    {"id": host id}; checks they send are ignored."""
    try:
        data = body(request)
        existing = Host.objects.filter(pk=data.get("id")).first() if isinstance(data.get("id"), int) else None
        if not (request.user.has_perm(ADD) or request.user.has_perm(CHANGE)):
            if existing is None:
                raise SetupError({"host": {"__all__": "Name the saved host whose checks to run."}})
            data = host_setup.host_fields(existing)
        draft = host_setup.read_draft(data, existing=existing, validate_name=False)
    except SetupError as exc:
        return refused(exc)
    if not draft.checks:
        return refused(SetupError({"host": {"checks": "Add a check to test."}}))
    token = trial_runs.start(request.user.pk, draft.checks, draft.host.address)
    labels = [check.describe() for check in draft.checks]  # what each result, in order, is of
    return JsonResponse({"token": token, "url": reverse("test_results", args=[token]), "checks": labels}, status=202)


@require_GET
@needs(ADD, CHANGE, RUN_CHECK)
def test_results(request, token: str):
    found = trial_runs.results(request.user.pk, token)
    return JsonResponse({"done": found is not None, "results": found or []})
