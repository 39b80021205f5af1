"""Sign-in through an OpenID Connect provider (mozilla-django-oidc), from OIDC_ISSUER alone.

The provider's endpoints are read from its discovery document
(`<issuer>/.well-known/openid-configuration`) at the first sign-in of each process.
Accounts are made at the first sign-in, named by the `preferred_username` claim (else
`sub`); an existing local account with a password is never taken over by a provider's
claim of the same name. The role comes from the claim OIDC_ROLE_CLAIM (a role name, or a
list holding role names: the highest wins) at every sign-in, and the claim's values also
name teams by their directory group (oncall.Team.directory_group). Without a role the
sign-in is refused and an existing account deactivated.
"""

import functools
import logging

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts import roles
from accounts.directory import follow_directory
from oncall.schedules import join_directory_teams

logger = logging.getLogger(__name__)

ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


@functools.cache
def discovery(issuer: str) -> dict:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    return response.json()


def oidc_setting(attr: str, *default):
    """mozilla-django-oidc's settings, with the provider's endpoints taken from its discovery document."""
    if attr in ENDPOINTS and settings.OIDC_ISSUER:
        return discovery(settings.OIDC_ISSUER)[ENDPOINTS[attr]]
    return import_from_settings(attr, *default)


def claimed_values(claims: dict) -> list[str]:
    value = claims.get(settings.OIDC_ROLE_CLAIM)
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def role_of(claims: dict) -> str | None:
    held = set(claimed_values(claims))
    return next((role for role in reversed(roles.ROLES) if role in held), None)


class OIDCBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        try:
            super().__init__(*args, **kwargs)
            self.reachable = True
        except requests.RequestException:  # the provider does not answer: this sign-in fails, not the page
            logger.warning("the OpenID provider's discovery document could not be read", exc_info=True)
            self.reachable = False

    def authenticate(self, request, **kwargs):
        return super().authenticate(request, **kwargs) if self.reachable else None

    def get_username(self, claims) -> str:
        return (claims.get("preferred_username") or claims["sub"])[:150]

    def filter_users_by_claims(self, claims):
        # A local account (it has a password) is never signed into by a provider's claim.
        users = self.UserModel.objects.filter(username=self.get_username(claims))
        return [user for user in users if not user.has_usable_password()]

    def verify_claims(self, claims) -> bool:
        return bool(claims.get("sub"))

    def create_user(self, claims):
        if role_of(claims) is None:
            raise SuspiciousOperation(f"no role in the {settings.OIDC_ROLE_CLAIM!r} claim")
        if self.UserModel.objects.filter(username=self.get_username(claims)).exists():
            raise SuspiciousOperation("a local account has this name")
        user = self.UserModel.objects.create_user(self.get_username(claims), email=claims.get("email", ""))
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        follow_directory(user, role_of(claims))
        join_directory_teams(user, claimed_values(claims))
        if not user.is_active:
            raise SuspiciousOperation(f"no role in the {settings.OIDC_ROLE_CLAIM!r} claim")
        return user


class ConfiguredOnly:
    """The OIDC pages answer 404 while no provider is configured, and send the browser back to
    the login page, saying so, while the provider does not answer."""

    get_settings = staticmethod(oidc_setting)

    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ISSUER:
            raise Http404("No OpenID Connect provider is configured.")
        try:
            self.read_endpoints()
        except requests.RequestException:
            logger.warning("the OpenID provider's discovery document could not be read", exc_info=True)
            return redirect(settings.LOGIN_REDIRECT_URL_FAILURE)
        return super().dispatch(request, *args, **kwargs)

    def read_endpoints(self) -> None:
        pass


class SignInRedirect(ConfiguredOnly, OIDCAuthenticationRequestView):
    def __init__(self, *args, **kwargs):
        View.__init__(self, *args, **kwargs)  # the endpoints are read per request, in dispatch

    def read_endpoints(self) -> None:
        self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")


class Callback(ConfiguredOnly, OIDCAuthenticationCallbackView):
    pass
