"""Every route x every kind of caller, against the expected table below.

The routes are read from the URLconf and the WebSocket routing, not listed by hand:
a route added without an entry in EXPECTED (or ADMIN) fails
test_every_route_has_an_entry, so nothing new can slip past this table.

Callers: anonymous; a viewer, an operator and an admin signed in with a session; the
admin's read-only and writing API tokens (with no session); and the admin's session
sending a foreign Origin (a page on another site submitting a form or opening a socket).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from asgiref.sync import async_to_sync
from django.contrib import admin as django_admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import roles
from alerts.models import AlertRule, NotificationTarget
from api.models import ApiToken
from chat.models import ChatRoom
from monitor.models import Check, Host
from NetWorkMonitor.routing import websocket_urlpatterns
from stats.models import Agent
from status.models import StatusPage
from tests.conftest import socket
from tests.roles import user_with_role
from tests.security import config_routes, team_routes
from tests.waits import EVENT_TIMEOUT_S

ANON, VIEWER, OPERATOR, ADMIN, RO_TOKEN, RW_TOKEN, FOREIGN = (
    "anonymous",
    "viewer",
    "operator",
    "admin",
    "read-only token",
    "writing token",
    "foreign origin",
)
CALLERS = (ANON, VIEWER, OPERATOR, ADMIN, RO_TOKEN, RW_TOKEN, FOREIGN)
LOGIN = "login"  # a redirect to the login page
FOREIGN_ORIGIN = "http://evil.example"


@dataclass
class World:
    """What the requests refer to; made once per test."""

    host: Host
    check: Check
    users: dict
    secrets: dict
    private_page: int

    def own_target(self, caller: str) -> int:
        user = self.users.get(caller, self.users[ADMIN])
        return NotificationTarget.objects.create(user=user, url="json://127.0.0.1:9/", label="mine").pk

    def own_token(self, caller: str) -> int:
        user = self.users.get(caller, self.users[ADMIN])
        token = ApiToken(user=user, name="spare")
        token.generate()
        token.save()
        return token.pk

    def spare_host(self) -> int:
        return Host.objects.create(name=f"spare-{Host.objects.count()}", address="127.0.0.1").pk

    def spare_rule(self) -> int:
        rule = AlertRule.objects.create(name="spare", metric="host_down", threshold=1)
        rule.recipients.add(self.users[ADMIN])
        return rule.pk


Request = Callable[[World, str], tuple[str, str, dict]]  # (world, caller) -> (method, path, data)


def get(path: str | Callable[[World], str]) -> Request:
    return lambda world, caller: ("GET", path(world) if callable(path) else path, {})


def page(status: int = 200) -> dict:
    """A page for signed-in people: tokens are for the API only."""
    return {
        ANON: LOGIN,
        VIEWER: status,
        OPERATOR: status,
        ADMIN: status,
        RO_TOKEN: LOGIN,
        RW_TOKEN: LOGIN,
        FOREIGN: status,
    }


def own_form(status: int = 302) -> dict:
    """A form posted to one's own profile: any signed-in user; never from another site."""
    return {**page(status), FOREIGN: 403}


EVERYONE = dict.fromkeys(CALLERS, 200)
API_READ = {ANON: 401, VIEWER: 200, OPERATOR: 200, ADMIN: 200, RO_TOKEN: 200, RW_TOKEN: 200, FOREIGN: 200}


def api_write(status: int) -> dict:
    return {ANON: 401, VIEWER: 403, OPERATOR: 403, ADMIN: status, RO_TOKEN: 403, RW_TOKEN: status, FOREIGN: 403}


HOST_BODY = {"name": "new-host", "address": "127.0.0.1"}


# URL name -> [(request, expected per caller)]
EXPECTED: dict[str, list[tuple[Request, dict]]] = {
    "dashboard": [(get("/"), page())],
    "host_detail": [(get(lambda w: f"/hosts/{w.host.pk}/"), page())],
    "host_grid_json": [(get("/hosts/grid.json"), page())],
    "network_map": [(get("/map/"), page())],
    "network_map_json": [(get("/map.json"), page())],
    "flows_page": [(get("/flows/"), page())],
    "alerts": [(get("/alerts/"), page())],
    "events": [(get("/events/?q=down&severity=4"), page())],
    "chat": [(get("/chat/"), page())],
    "chat_room": [(get("/chat/ops/"), page())],
    "profile": [(get("/accounts/profile/"), page())],
    "profile_preferences": [
        (lambda w, c: ("POST", "/accounts/profile/preferences/", {"time_zone": "Asia/Shanghai"}), own_form())
    ],
    "profile_add_target": [
        (lambda w, c: ("POST", "/accounts/profile/targets/", {"url": "json://127.0.0.1:9/", "label": c}), own_form())
    ],
    "profile_test_target": [
        (lambda w, c: ("POST", f"/accounts/profile/targets/{w.own_target(c)}/test/", {}), own_form())
    ],
    "profile_delete_target": [
        (lambda w, c: ("POST", f"/accounts/profile/targets/{w.own_target(c)}/delete/", {}), own_form())
    ],
    "profile_add_token": [(lambda w, c: ("POST", "/accounts/profile/tokens/", {"name": c}), own_form(200))],
    "profile_delete_token": [
        (lambda w, c: ("POST", f"/accounts/profile/tokens/{w.own_token(c)}/delete/", {}), own_form())
    ],
    "healthz": [(get("/healthz"), dict.fromkeys(CALLERS, 200))],
    # Only while no account exists (tests/accounts/test_first_run.py); here accounts exist.
    "first_admin": [(get("/setup/"), dict.fromkeys(CALLERS, 404))],
    "metrics": [(get("/metrics"), {**dict.fromkeys(CALLERS, 401), RO_TOKEN: 200, RW_TOKEN: 200})],
    "login": [(get("/accounts/login/"), dict.fromkeys(CALLERS, 200))],
    # Logging out leads to the login page; a foreign site cannot log anyone out.
    "logout": [(lambda w, c: ("POST", "/accounts/logout/", {}), {**dict.fromkeys(CALLERS, LOGIN), FOREIGN: 403})],
    "api-root": [(get("/api/"), API_READ)],
    "api_schema": [(get("/api/schema/"), API_READ)],
    "host_series": [(get(lambda w: f"/api/hosts/{w.host.pk}/series?metric=cpu.percent"), API_READ)],
    "agent_series": [(get("/api/agents/web-1/series?metric=cpu.percent"), API_READ)],
    "host-list": [
        (get("/api/hosts/"), API_READ),
        (lambda w, c: ("POST", "/api/hosts/", {**HOST_BODY, "name": f"new-{c}".replace(" ", "-")}), api_write(201)),
    ],
    "host-detail": [
        (get(lambda w: f"/api/hosts/{w.host.pk}/"), API_READ),
        (lambda w, c: ("PATCH", f"/api/hosts/{w.host.pk}/", {"notes": c}), api_write(200)),
        (lambda w, c: ("DELETE", f"/api/hosts/{w.spare_host()}/", {}), api_write(204)),
    ],
    "host-interfaces": [(get(lambda w: f"/api/hosts/{w.host.pk}/interfaces/"), API_READ)],
    "flows_api": [(get("/api/flows/"), API_READ), (get("/api/flows/?format=csv"), API_READ)],
    "host_dependencies": [(get(lambda w: f"/api/hosts/{w.host.pk}/dependencies/"), API_READ)],
    "where": [(get("/api/where/?q=aa:bb:cc:dd:ee:ff"), API_READ)],
    "where_page": [(get("/where/?q=198.51.100.7"), page())],
    # The world's host has no SNMP device: found by nobody, refused to the anonymous.
    "host-device": [
        (get(lambda w: f"/api/hosts/{w.host.pk}/device/"), {c: 404 if s == 200 else s for c, s in API_READ.items()})
    ],
    "check-list": [
        (get("/api/checks/"), API_READ),
        (
            lambda w, c: ("POST", "/api/checks/", {"host": w.host.pk, "kind": "tcp", "port": 22}),
            api_write(201),
        ),
    ],
    "check-detail": [
        (get(lambda w: f"/api/checks/{w.check.pk}/"), API_READ),
        (lambda w, c: ("PATCH", f"/api/checks/{w.check.pk}/", {"interval_s": 30}), api_write(200)),
    ],
    "site-list": [
        (get("/api/sites/"), API_READ),
        (lambda w, c: ("POST", "/api/sites/", {"name": f"site-{c}".replace(" ", "-")}), api_write(201)),
    ],
    "site-detail": [
        (get("/api/sites/999999/"), {**API_READ, **{c: 404 for c, s in API_READ.items() if s == 200}}),
    ],
    "check-run": [
        (
            lambda w, c: ("POST", f"/api/checks/{w.check.pk}/run/", {}),
            {ANON: 401, VIEWER: 403, OPERATOR: 202, ADMIN: 202, RO_TOKEN: 403, RW_TOKEN: 202, FOREIGN: 403},
        )
    ],
    "alertrule-list": [
        (get("/api/alert-rules/"), API_READ),
        (
            lambda w, c: ("POST", "/api/alert-rules/", {"name": c, "metric": "cpu_percent", "threshold": 90}),
            api_write(201),
        ),
    ],
    "alertrule-detail": [(get("/api/alert-rules/999999/"), {**API_READ, **dict.fromkeys(CALLERS[1:], 404)})],
    "result-list": [(get("/api/results/"), API_READ)],
    "result-detail": [(get("/api/results/999999/"), {**API_READ, **dict.fromkeys(CALLERS[1:], 404)})],
    "alertevent-list": [(get("/api/alert-events/"), API_READ)],
    "event-list": [(get("/api/events/?q=link&kind=trap"), API_READ)],
    "event-detail": [(get("/api/events/999999/"), {**API_READ, **dict.fromkeys(CALLERS[1:], 404)})],
    "alertevent-detail": [(get("/api/alert-events/999999/"), {**API_READ, **dict.fromkeys(CALLERS[1:], 404)})],
    "statuspage-list": [
        (get("/api/status-pages/"), API_READ),
        (lambda w, c: ("POST", "/api/status-pages/", {"slug": f"p{len(c)}", "title": c}), api_write(201)),
    ],
    "statuspage-detail": [
        (get("/api/status-pages/999999/"), {**API_READ, **dict.fromkeys(CALLERS[1:], 404)}),
        (lambda w, c: ("PATCH", f"/api/status-pages/{w.private_page}/", {"title": c}), api_write(200)),
    ],
    "notice-list": [
        (get("/api/status-notices/"), API_READ),
        (
            lambda w, c: ("POST", "/api/status-notices/", {"page": w.private_page, "title": c}),
            {**api_write(201), OPERATOR: 201},  # operators write notes on status pages
        ),
    ],
    "notice-detail": [(get("/api/status-notices/999999/"), {**API_READ, **dict.fromkeys(CALLERS[1:], 404)})],
    # Public status pages are for everyone; login-only ones for signed-in people.
    "status_page": [(get("/status/public/"), EVERYONE), (get("/status/private/"), page())],
    "status_document": [(get("/status/public/status.json"), EVERYONE), (get("/status/private/status.json"), page())],
    "status_badge": [
        (get(lambda w: f"/status/public/badge/{w.host.pk}.svg"), EVERYONE),
        (get(lambda w: f"/status/private/badge/{w.host.pk}.svg"), page()),
    ],
    "status_logo": [(get("/status/public/logo"), dict.fromkeys(CALLERS, 404))],  # it has none
    "uptime_report": [(get("/reports/uptime/"), page())],
    # The language switch and the script catalogue serve the login page and public status pages too.
    "switch_language": [
        (
            lambda w, c: ("POST", "/i18n/language/", {"language": "zh-hans", "next": "/"}),
            {**dict.fromkeys(CALLERS, 302), FOREIGN: 403},
        )
    ],
    "javascript_catalogue": [
        (get("/i18n/catalogue/zh-hans.js"), EVERYONE),
        (get("/i18n/catalogue/xx.js"), dict.fromkeys(CALLERS, 404)),
    ],
}

EXPECTED.update(config_routes.expected())  # the product's configuration pages and dialogs
EXPECTED.update(team_routes.expected())  # second factor, single sign-on, acknowledging, on call

# WebSocket route -> (path, expected per caller): "open" (the first frame arrives), a close code, or 403.
WS_OPEN = {ANON: 4401, VIEWER: "open", OPERATOR: "open", ADMIN: "open", RO_TOKEN: 4401, RW_TOKEN: 4401, FOREIGN: 403}
EXPECTED_WS = {
    "ws/stats/": ("/ws/stats/", WS_OPEN),
    "ws/alerts/": ("/ws/alerts/", WS_OPEN),
    "ws/echo/": ("/ws/echo/", {**WS_OPEN}),
    "ws/chat/<str:room>/": ("/ws/chat/ops/", WS_OPEN),
    # A public status page's socket is open to anyone on this site (and read-only).
    "ws/status/<slug:slug>/": ("/ws/status/public/", {**dict.fromkeys(CALLERS, "open"), FOREIGN: 403}),
}


def url_names() -> set[str]:
    """Every named route outside admin (which ADMIN covers), read from the URLconf."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_route_has_an_entry():
    assert url_names() == set(EXPECTED), "add the new route to EXPECTED with who may call it"
    assert {str(route.pattern) for route in websocket_urlpatterns} == set(EXPECTED_WS)


@pytest.fixture
def world(db) -> World:
    users = {role: user_with_role(role, role) for role in (roles.VIEWER, roles.OPERATOR, roles.ADMIN)}
    secrets = {}
    for caller, read_only in ((RO_TOKEN, True), (RW_TOKEN, False)):
        token = ApiToken(user=users[ADMIN], name=caller, read_only=read_only)
        secrets[caller] = token.generate()
        token.save()
    host = Host.objects.create(name="web-1", address="127.0.0.1")
    Agent.objects.create(name="web-1")
    ChatRoom.objects.create(name="ops")
    check = Check.objects.create(host=host, kind="tcp", port=22)
    StatusPage.objects.create(slug="public", title="Public", public=True).hosts.add(host)
    private = StatusPage.objects.create(slug="private", title="Private")
    private.hosts.add(host)
    return World(host, check, users, secrets, private.pk)


def client_for(world: World, caller: str) -> Client:
    if caller in (RO_TOKEN, RW_TOKEN):
        return Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {world.secrets[caller]}")
    if caller == FOREIGN:
        client = Client(HTTP_HOST="localhost", HTTP_ORIGIN=FOREIGN_ORIGIN, enforce_csrf_checks=True)
        client.force_login(world.users[ADMIN])
        return client
    # Same-site callers pass CSRF as a browser on the page would; the foreign one cannot.
    client = Client(HTTP_HOST="localhost")
    if caller != ANON:
        client.force_login(world.users[caller])
    return client


def outcome(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(("/accounts/login/", "/admin/login/")):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_http_routes(world, name):
    seen = {}
    for request, expected in EXPECTED[name]:
        for caller in CALLERS:
            method, path, data = request(world, caller)
            client = client_for(world, caller)
            if method == "GET":
                response = client.get(path)
            elif path.startswith(("/api/", "/hosts/")):  # JSON, as the API and the host dialog send it
                response = client.generic(method, path, data=json.dumps(data), content_type="application/json")
            else:  # a form
                response = client.post(path, data)
            seen[(method, path.split("?")[0], caller)] = (outcome(response), expected[caller])
    wrong = {key: got for key, (got, want) in seen.items() if got != want}
    assert not wrong, f"(got, expected): { {k: seen[k] for k in wrong} }"


def admin_urls() -> list[str]:
    """Admin's index and every registered model's list and add pages."""
    urls = [reverse("admin:index")]
    for model in django_admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    return urls


def test_admin_is_for_admins_and_shows_them_only_what_their_role_allows(world):
    """Staff with the admin role see the product's models, not users and groups (superusers only)."""
    superuser_only = {reverse("admin:auth_user_changelist"), reverse("admin:auth_group_changelist")}
    axes_models = {
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in django_admin.site._registry
        # Lockouts, and second-factor devices (a superuser removes a lost one): superusers only.
        if m._meta.app_label in ("axes", "otp_totp", "otp_static")
    }
    for url in admin_urls():
        for caller in CALLERS:
            response = client_for(world, caller).get(url)
            want = LOGIN
            if caller in (ADMIN, FOREIGN):
                want = 403 if url in superuser_only | axes_models else 200
            assert outcome(response) == want, (url, caller)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", sorted(EXPECTED_WS))
def test_websocket_routes(route):
    users = {role: user_with_role(role, role) for role in (roles.VIEWER, roles.OPERATOR, roles.ADMIN)}
    ChatRoom.objects.create(name="ops")
    StatusPage.objects.create(slug="public", title="Public", public=True)
    path, expected = EXPECTED_WS[route]
    for caller in CALLERS:
        assert async_to_sync(ws_outcome)(path, caller, users) == expected[caller], caller


async def ws_outcome(path: str, caller: str, users: dict) -> int | str:
    user = users.get(caller)
    origin = FOREIGN_ORIGIN.encode() if caller == FOREIGN else b"http://localhost"
    if caller == FOREIGN:
        user = users[ADMIN]
    communicator = await socket(path, user, origin=origin)
    connected, code = await communicator.connect(timeout=EVENT_TIMEOUT_S)
    if not connected:
        return code if isinstance(code, int) and code != 1000 else 403
    await communicator.send_json_to({"type": "ping"})  # not every socket greets (echo waits to be spoken to)
    message = await communicator.receive_output(timeout=EVENT_TIMEOUT_S)
    await communicator.disconnect()
    if message["type"] == "websocket.close":
        return message.get("code", 1000)
    return "open"
