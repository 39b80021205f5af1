"""Bearer-token authentication and the API's permission rule."""

from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from api.models import ApiToken

# last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=1)
# What django-axes records a wrong token as: no username is guessed, only a token.
TOKEN_CREDENTIALS = {"username": "(api token)"}


def token_from_header(header: str) -> str | None:
    """The secret of an `Authorization: Bearer <token>` header, or None for another scheme."""
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    secret = secret.strip()
    if not secret or " " in secret:
        raise exceptions.AuthenticationFailed("Malformed Authorization header: use “Bearer <token>”.")
    return secret


def user_for_token(secret: str, request: HttpRequest) -> tuple:
    """(user, token) for a valid secret; AuthenticationFailed otherwise.

    A valid token always works. Invalid ones count as failed logins of one
    pseudo-account per client address (django-axes): an address that keeps guessing
    gets 429 for its guesses, while every valid token, from there too, goes on working.
    The lookup is by the secret's SHA-256, so a guess's timing says nothing of a token.
    """
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(secret)).first()
    if token is None or not token.user.is_active:
        if AxesProxyHandler.is_locked(request, TOKEN_CREDENTIALS):
            raise exceptions.Throttled(detail="Too many invalid tokens from this address; try again later.")
        user_login_failed.send(sender=__name__, credentials=TOKEN_CREDENTIALS, request=request)
        raise exceptions.AuthenticationFailed("Invalid token.")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


class BearerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        secret = token_from_header(request.headers.get("Authorization", ""))
        return None if secret is None else user_for_token(secret, request._request)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'  # makes a missing token a 401, not a 403


def _writing_token_problem(request) -> str | None:
    token = request.auth if isinstance(request.auth, ApiToken) else None
    return "This token is read-only." if token is not None and token.read_only else None


class ReadOrPermittedWrite(permissions.DjangoModelPermissions):
    """Any signed-in user or token may read; a write needs the model's add_/change_/delete_
    permission (the admin role) and, through a token, a token that is not read-only."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if problem := _writing_token_problem(request):
            self.message = problem
            return False
        self.message = "This needs the admin role (the model's add, change or delete permission)."
        return super().has_permission(request, view)


class HasPermission(permissions.BasePermission):
    """An action that needs one named permission, e.g. `HasPermission.of("monitor.run_check")`."""

    permission: str = ""

    @classmethod
    def of(cls, permission: str) -> type:
        return type(f"Has_{permission.replace('.', '_')}", (cls,), {"permission": permission})

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if problem := _writing_token_problem(request):
            self.message = problem
            return False
        self.message = f"This needs the {self.permission} permission."
        return user.has_perm(self.permission)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token scheme in the OpenAPI schema."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API token made in admin (nwm_…)."}
