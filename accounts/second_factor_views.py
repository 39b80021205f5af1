"""Signing in with a second factor, enrolling one, and the administrators' policy (accounts.second_factor)."""

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import second_factor
from accounts.models import SignInPolicy
from core.redis_io import ratelimit

ATTEMPTS_PER_MINUTE = 5
NOT_PAGES = ("/static/", "/i18n/", "/accounts/logout/", "/accounts/second-factor/")


class SignInView(LoginView):
    """Django's login, holding a local account that has (or must have) a second factor as pending;
    with a link to the OpenID Connect provider when one is configured."""

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "oidc": bool(settings.OIDC_ISSUER)}

    def form_valid(self, form):
        user = form.get_user()
        if not second_factor.needs_second_factor(user, user.backend):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[second_factor.PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
        }
        enrolled = second_factor.totp_device(user) is not None
        return redirect("second_factor" if enrolled else "second_factor_enrol")


def pending_user(request):
    pending = request.session.get(second_factor.PENDING_KEY)
    if not pending:
        return None
    return get_user_model().objects.filter(pk=pending["user"], is_active=True).first()


def finish_sign_in(request, user):
    pending = request.session.pop(second_factor.PENDING_KEY)
    login(request, user, backend=pending["backend"])
    target = pending["next"]
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return redirect(target if safe else "dashboard")


@never_cache
def verify(request):
    """The code from the app, or a recovery code, after the password."""
    user = pending_user(request)
    if user is None:
        return redirect("login")
    if second_factor.totp_device(user) is None:  # required, and none yet: enrolling is the way on
        return redirect("second_factor_enrol")
    error = None
    if request.method == "POST":
        if not ratelimit.allow_sync("second-factor", user.pk, ATTEMPTS_PER_MINUTE, window_s=60):
            error = _("Too many codes: wait a minute.")
        elif second_factor.verify(user, request.POST.get("code", "")):
            return finish_sign_in(request, user)
        else:
            error = _("That code is not right, or was used already.")
    return render(request, "second_factor/verify.html", {"error": error}, status=400 if error else 200)


@never_cache
def enrol(request):
    """Add a TOTP app: scan, type a code from it, keep the recovery codes. Pending or signed in."""
    user = pending_user(request) or (request.user if request.user.is_authenticated else None)
    if user is None:
        return redirect("login")
    device = second_factor.unconfirmed_device(user)
    if request.method == "POST":
        codes = second_factor.confirm(user, request.POST.get("code", ""))
        if codes is not None:
            if request.session.get(second_factor.PENDING_KEY):
                finish_sign_in(request, user)
            response = render(request, "second_factor/recovery_codes.html", {"codes": codes})
            response["Cache-Control"] = "no-store"  # secrets: never kept by a cache
            return response
        messages.error(request, _("That code is not right: check the app's clock and type the newest code."))
    context = {
        "qr": qr_svg(device.config_url),
        "secret": device_secret(device),
        "required": second_factor.required_for(user),
    }
    response = render(request, "second_factor/enrol.html", context)
    response["Cache-Control"] = "no-store"
    return response


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode().split("?>", 1)[-1]  # inline: without the XML declaration


def device_secret(device) -> str:
    """The key as authenticator apps take it typed in (base32)."""
    from base64 import b32encode

    return b32encode(device.bin_key).decode().rstrip("=")


@require_POST
@login_required
def remove(request):
    if second_factor.required_for(request.user):
        raise PermissionDenied(_("Administrators must keep a second factor: it is required."))
    second_factor.remove(request.user)
    messages.success(request, _("The second factor is removed."))
    return redirect("profile")


@require_POST
@login_required
def set_policy(request):
    """An administrator requires (or stops requiring) a second factor of administrators."""
    if not second_factor.is_admin(request.user):
        raise PermissionDenied(_("Only administrators decide this."))
    policy = SignInPolicy.current()
    policy.require_admin_second_factor = request.POST.get("require") == "on"
    policy.save()
    messages.success(request, _("Saved."))
    return redirect("profile")


class SecondFactorRequiredMiddleware:
    """An administrator signed in locally without a second factor, once one is required, enrols first."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)  # nobody signed in; request.user would add "Vary: Cookie"
        user = request.user
        if (
            user.is_authenticated
            and (user.is_staff or user.is_superuser)  # admins are staff: others cost no query
            and not request.path.startswith(NOT_PAGES)
            and second_factor.signed_in_locally(request.session)
            and second_factor.totp_device(user) is None
            and second_factor.required_for(user)
        ):
            return redirect(reverse("second_factor_enrol"))
        return self.get_response(request)
