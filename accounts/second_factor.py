"""The second factor of local accounts: a TOTP app (django-otp), with recovery codes.

Signing in with a local password, an account that has a confirmed TOTP device is not
signed in yet: the session holds it as pending (PENDING_KEY) until a code from the app, or
one of its recovery codes (each used once), is given. A session is never half signed
in, so no socket, page or API call is open to a password alone.

When an administrator requires it (SignInPolicy), an administrator (the admin role, or a
superuser) with a local password who has no TOTP device is led from the password to
enrolling one, and cannot get past it; one already signed in is sent there at their
next page (SecondFactorRequiredMiddleware). Directory accounts sign in through their
directory and are left to its own second factor.
"""

import secrets

from django.contrib.auth import BACKEND_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.models import SignInPolicy

PENDING_KEY = "second_factor_pending"
RECOVERY_CODES = 10
LOCAL_BACKENDS = ("django.contrib.auth.backends.ModelBackend", "accounts.backends.BreakGlassBackend")


def is_admin(user) -> bool:
    return user.is_superuser or user.groups.filter(name=roles.ADMIN).exists()


def required_for(user) -> bool:
    return SignInPolicy.current().require_admin_second_factor and is_admin(user)


def totp_device(user, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()


def needs_second_factor(user, backend: str) -> bool:
    """Whether a password sign-in of `user` through `backend` waits for a second factor."""
    return backend in LOCAL_BACKENDS and (totp_device(user) is not None or required_for(user))


def verify(user, code: str) -> bool:
    """A current TOTP code, or an unused recovery code (used up by this)."""
    code = "".join(code.split())
    if not code:
        return False
    device = totp_device(user)
    if device is not None and device.verify_token(code):
        return True
    return any(device.verify_token(code) for device in StaticDevice.objects.filter(user=user, confirmed=True))


def unconfirmed_device(user) -> TOTPDevice:
    """The device being enrolled: its secret is shown until a code from it confirms it."""
    return totp_device(user, confirmed=False) or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


def confirm(user, code: str) -> list[str] | None:
    """Confirm the enrolling device with a code from it; returns new recovery codes (shown once), or None."""
    device = totp_device(user, confirmed=False)
    if device is None or not device.verify_token("".join(code.split())):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(user)


def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def remove(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def signed_in_locally(session) -> bool:
    return session.get(BACKEND_SESSION_KEY) in LOCAL_BACKENDS
