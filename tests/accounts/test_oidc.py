"""OpenID Connect sign-in without a browser: a provider that does not answer, and the role claim."""

import pytest
from django.test import Client

from accounts import oidc
from tests.servers import free_port


@pytest.fixture
def unreachable_provider(settings, django_user_model):
    django_user_model.objects.create_superuser("root", password="local horse battery")  # past the first run
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "networkmonitor", "secret"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "accounts.oidc.OIDCBackend"]
    oidc.discovery.cache_clear()
    yield
    oidc.discovery.cache_clear()


@pytest.mark.django_db
def test_a_provider_that_does_not_answer_sends_the_browser_back_to_the_login_page(unreachable_provider, settings):
    client = Client(HTTP_HOST="localhost")
    for path in ("/oidc/authenticate/", "/oidc/callback/?code=x&state=y"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, settings.LOGIN_REDIRECT_URL_FAILURE), path


@pytest.mark.parametrize(
    ("claim", "role"),
    [("admin", "admin"), (["viewer", "operator"], "operator"), (["guest"], None), (None, None), (7, None)],
)
def test_the_highest_role_named_in_the_claim_wins(claim, role, settings):
    settings.OIDC_ROLE_CLAIM = "roles"
    assert oidc.role_of({"roles": claim}) == role
