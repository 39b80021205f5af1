"""Status pages edited in the product: the list, the form with its live preview, deletion.

Reading the list is for everyone signed in; the form and deletion need the status page
permissions (admins). After saving, the form shows the page's address with a copy button.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from monitor.models import Host, Tag
from status.models import StatusPage
from status.page_form import StatusPageForm

ADD, CHANGE, DELETE = "status.add_statuspage", "status.change_statuspage", "status.delete_statuspage"


def needs(permission: str):
    def decorate(view):
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorate


def address(request, page: StatusPage) -> str:
    return request.build_absolute_uri(reverse("status_page", args=[page.slug]))


@login_required
def page_list(request):
    pages = [{"page": page, "address": address(request, page)} for page in StatusPage.objects.all()]
    controls = {"add": request.user.has_perm(ADD), "change": request.user.has_perm(CHANGE),
                "delete": request.user.has_perm(DELETE)}  # fmt: skip
    return render(request, "status/pages.html", {"pages": pages, "controls": controls})


def preview_data() -> dict:
    """What the live preview draws: every host's name and state, and each tag's hosts."""
    hosts = {
        str(pk): {"name": name, "status": status}
        for pk, name, status in Host.objects.values_list("pk", "name", "status")
    }
    tags = {str(tag.pk): {"name": tag.name, "hosts": [str(h.pk) for h in tag.hosts.all()]}
            for tag in Tag.objects.prefetch_related("hosts")}  # fmt: skip
    return {"hosts": hosts, "tags": tags}


def _form_page(request, form: StatusPageForm, page: StatusPage | None):
    context = {"form": form, "page": page, "preview": preview_data(), "saved": bool(request.GET.get("saved"))}
    if page is not None:
        context["address"] = address(request, page)
    return render(request, "status/page_form.html", context, status=400 if form.errors else 200)


@needs(ADD)
def page_new(request):
    form = StatusPageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        page = form.save()
        return redirect(f"{reverse('status_page_edit', args=[page.pk])}?saved=1")
    return _form_page(request, form, None)


@needs(CHANGE)
def page_edit(request, page_id: int):
    page = get_object_or_404(StatusPage, pk=page_id)
    form = StatusPageForm(request.POST or None, instance=page)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect(f"{reverse('status_page_edit', args=[page.pk])}?saved=1")
    return _form_page(request, form, page)


@require_POST
@needs(DELETE)
def page_delete(request, page_id: int):
    get_object_or_404(StatusPage, pk=page_id).delete()
    return redirect("status_pages")
