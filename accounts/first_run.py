"""First run: while no account exists, every page leads to "create the first administrator".

Whoever opens the site first makes the first administrator, as in Uptime Kuma: `make
run` prints the address to open. NETMON_ADMIN_PASSWORD (manage.py ensure_admin) makes
that account before the site answers instead.
"""

from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts import roles
from alerts import defaults as default_rules

SETUP_PATH = "/setup/"
# Not pages: they answer for themselves (401 for the API, plain status for probes).
# Status pages are read by the public; none exists before an administrator makes it.
# /i18n/ is the language switch and the script catalogue, which the setup page uses too.
PASS_THROUGH = ("/static/", "/api/", "/metrics", "/healthz", "/ws/", "/status/", "/i18n/")


def no_account_yet() -> bool:
    return not get_user_model().objects.exists()


class FirstRunMiddleware:
    """Sends every page to SETUP_PATH while there is no account. Only anonymous requests
    pay for the check (one EXISTS query): a signed-in user proves an account exists."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path != SETUP_PATH
            and not request.path.startswith(PASS_THROUGH)
            and not request.user.is_authenticated
            and no_account_yet()
        ):
            return redirect(SETUP_PATH)
        return self.get_response(request)


class FirstAdminForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ["username"]


@never_cache
def first_admin(request):
    """The form for the first administrator: a superuser with the admin role, then logged in."""
    if not no_account_yet():
        raise Http404("The first administrator exists: log in, or ask an administrator for an account.")
    form = FirstAdminForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if not no_account_yet():  # someone else was quicker
                raise Http404("The first administrator exists.")
            user = form.save(commit=False)
            user.is_staff = user.is_superuser = True
            user.save()
            user.groups.add(Group.objects.get(name=roles.ADMIN))
            default_rules.install(user)  # host down, agent offline, ...: sent to this first administrator
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("dashboard")
    return render(request, "first_admin.html", {"form": form}, status=400 if form.errors else 200)
