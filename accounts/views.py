"""/accounts/profile/: each user's own time zone and language, notification targets and API tokens,
without admin rights.

Every object is looked up among the user's own: another user's id is a 404.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles, second_factor
from accounts.forms import PreferencesForm, TargetForm, TokenForm
from accounts.models import Preferences, SignInPolicy
from alerts import notify
from alerts.models import NotificationTarget
from api.models import ApiToken
from core.redis_io import ratelimit

logger = logging.getLogger(__name__)


def _page(request, target_form=None, token_form=None, preferences_form=None, status=200):
    user = request.user
    context = {
        "preferences_form": preferences_form or PreferencesForm(instance=Preferences.objects.filter(user=user).first()),
        "targets": NotificationTarget.objects.filter(user=user).order_by("label", "pk"),
        "tokens": ApiToken.objects.filter(user=user).order_by("name", "pk"),
        "target_form": target_form or TargetForm(),
        "token_form": token_form or TokenForm(),
        "roles": sorted(str(roles.LABELS.get(group.name, group.name)) for group in user.groups.all()),
        "second_factor": {
            "local": second_factor.signed_in_locally(request.session),
            "enrolled": second_factor.totp_device(user) is not None,
            "required": second_factor.required_for(user),
            "is_admin": second_factor.is_admin(user),
            "policy": SignInPolicy.current().require_admin_second_factor,
        },
    }
    return render(request, "profile.html", context, status=status)


@login_required
def profile(request):
    return _page(request)


@login_required
@require_POST
def add_target(request):
    form = TargetForm(request.POST, instance=NotificationTarget(user=request.user))
    if not form.is_valid():
        return _page(request, target_form=form, status=400)
    form.save()
    messages.success(request, _("Notification target “%(target)s” added.") % {"target": form.instance})
    return redirect("profile")


@login_required
@require_POST
def test_target(request, target_id: int):
    """Send a test now, within NOTIFY_TEST_S, a few times a minute per user.

    A failure is told without its reason: the reason (refused, timed out, an HTTP error)
    would tell a user which ports of which internal hosts are open.
    """
    target = get_object_or_404(NotificationTarget, pk=target_id, user=request.user)
    if not ratelimit.allow_sync("notify-test", request.user.pk, settings.NOTIFY_TESTS_PER_MINUTE, window_s=60):
        messages.error(request, _("Too many tests: wait a minute before sending another."))
        return _page(request, status=429)
    error = notify.send(
        target.url,
        request.user,
        title=_("NetWorkMonitor test"),
        body=_("A test notification from your profile page."),
        seconds=settings.NOTIFY_TEST_S,
    )
    if error:
        logger.info("test notification to target %s of user %s failed: %s", target.pk, request.user.pk, error)
        messages.error(request, _("“%(target)s” failed: the notification could not be delivered.") % {"target": target})
    else:
        messages.success(request, _("A test notification went to “%(target)s”.") % {"target": target})
    return redirect("profile")


@login_required
@require_POST
def delete_target(request, target_id: int):
    return _delete_own(request, NotificationTarget, target_id, _("Notification target deleted."))


@login_required
@require_POST
def set_preferences(request):
    preferences = Preferences.objects.filter(user=request.user).first() or Preferences(user=request.user)
    form = PreferencesForm(request.POST, instance=preferences)
    if not form.is_valid():
        return _page(request, preferences_form=form, status=400)
    form.save()
    response = redirect("profile")
    if preferences.language:
        translation.activate(preferences.language)
        # The cookie too, so the login page and status pages follow after logging out.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, preferences.language, samesite="Lax")
    messages.success(request, _("Preferences saved."))
    return response


@login_required
@require_POST
def add_token(request):
    token = ApiToken(user=request.user)
    form = TokenForm(request.POST, instance=token)
    if not form.is_valid():
        return _page(request, token_form=form, status=400)
    secret = token.generate()
    form.save()
    # Shown in this response only: not in a message (a cookie or session) nor in a URL.
    response = render(request, "token_created.html", {"token": token, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def delete_token(request, token_id: int):
    return _delete_own(request, ApiToken, token_id, _("Token revoked."))


def _delete_own(request, model, pk: int, done: str):
    get_object_or_404(model, pk=pk, user=request.user).delete()
    messages.success(request, done)
    return redirect("profile")
