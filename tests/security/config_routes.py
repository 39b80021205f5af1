"""The access matrix's entries for the product's configuration pages and dialogs (hosts,
devices, maintenance, alert rules, agents, the icon), merged into EXPECTED by
test_access_matrix.py; apart, so that neither module passes 400 lines."""


def expected() -> dict:
    from status.models import StatusPage

    # Read when test_access_matrix has defined its callers and helpers (it calls this at the end of EXPECTED).
    from tests.security.test_access_matrix import (
        ADMIN,
        ANON,
        CALLERS,
        FOREIGN,
        HOST_BODY,
        LOGIN,
        OPERATOR,
        RO_TOKEN,
        RW_TOKEN,
        VIEWER,
        get,
        page,
    )

    def configures(status: int, operator: int = 403, foreign: int = 403) -> dict:
        """A product route that changes the configuration (JSON, the session's CSRF token): admins."""
        return {ANON: LOGIN, VIEWER: 403, OPERATOR: operator, ADMIN: status, RO_TOKEN: LOGIN, RW_TOKEN: LOGIN,
                FOREIGN: foreign}  # fmt: skip

    def post_json(path, data=lambda w, c: {}):
        return lambda w, c: ("POST", path(w) if callable(path) else path, data(w, c))

    return {
        "create_host": [(post_json("/hosts/new/", lambda w, c: {**HOST_BODY, "name": f"dialog-{c}"}), configures(201))],
        "host_config": [(get(lambda w: f"/hosts/{w.host.pk}/config.json"), configures(200, foreign=200))],
        "update_host": [
            (post_json(lambda w: f"/hosts/{w.spare_host()}/config/", lambda w, c: HOST_BODY), configures(200))
        ],
        "clone_host": [(post_json(lambda w: f"/hosts/{w.host.pk}/clone/"), configures(201))],
        "delete_host": [(post_json(lambda w: f"/hosts/{w.spare_host()}/delete/"), configures(200))],
        "pause_host": [(post_json(lambda w: f"/hosts/{w.host.pk}/pause/"), configures(200))],
        "resume_host": [(post_json(lambda w: f"/hosts/{w.host.pk}/resume/"), configures(200))],
        "maintenance_host": [
            # Operators may silence a host for a while (accounts/roles.py), not change it.
            (
                post_json(lambda w: f"/hosts/{w.host.pk}/maintenance/", lambda w, c: {"minutes": 5}),
                configures(200, operator=200),
            ),
        ],
        "bulk_hosts": [
            (post_json("/hosts/bulk/", lambda w, c: {"action": "pause", "ids": [w.host.pk]}), configures(200)),
            (
                post_json("/hosts/bulk/", lambda w, c: {"action": "maintenance", "ids": [w.host.pk], "minutes": 5}),
                configures(200, operator=200),
            ),
        ],
        "quick_add_checks": [(post_json("/hosts/quick-add/", lambda w, c: {"line": "ping"}), configures(200))],
        # Operators may run a saved host's checks now (not checks of their own: no host named, 400);
        # no check sent: nothing is queued.
        "test_checks": [
            (post_json("/hosts/test/", lambda w, c: {"address": "127.0.0.1"}), configures(400, operator=400))
        ],
        "test_results": [(get("/hosts/test/none/"), configures(200, operator=200, foreign=200))],
        "alert_rules": [(get("/alerts/rules/"), page())],
        "alert_rule_new": [
            (get("/alerts/rules/new/"), configures(200, foreign=200)),
            (lambda w, c: ("POST", "/alerts/rules/new/", {"name": c}), configures(400)),  # incomplete: the form again
        ],
        "alert_rule_preview": [
            (get("/alerts/rules/preview.json?metric=host_down&comparison=>&threshold=1"), configures(200, foreign=200))
        ],
        "alert_rule_edit": [(get(lambda w: f"/alerts/rules/{w.spare_rule()}/"), configures(200, foreign=200))],
        "alert_rule_delete": [(lambda w, c: ("POST", f"/alerts/rules/{w.spare_rule()}/delete/", {}), configures(302))],
        "favicon": [(get("/favicon.ico"), dict.fromkeys(CALLERS, 302))],  # to the icon among the static files
        "status_pages": [(get("/status-pages/"), page())],
        # A bad name: refused before any Redis user is made (the shared Redis's users are not the tests' to change).
        "agents": [
            (get("/agents/"), page()),
            (lambda w, c: ("POST", "/agents/", {"name": "not a name!"}), configures(400)),
        ],
        "agent_wheel": [(get("/agents/wheel/"), page())],
        "agent_revoke": [(lambda w, c: ("POST", "/agents/nobody-here/revoke/", {}), configures(404))],
        "status_page_new": [
            (get("/status-pages/new/"), configures(200, foreign=200)),
            (lambda w, c: ("POST", "/status-pages/new/", {"title": c}), configures(400)),  # no audience: the form again
        ],
        "status_page_edit": [(get(lambda w: f"/status-pages/{w.private_page}/"), configures(200, foreign=200))],
        "status_page_delete": [
            (
                lambda w, c: (
                    "POST",
                    f"/status-pages/{StatusPage.objects.create(slug=f's-{len(c)}-{c[:3]}', title=c).pk}/delete/",
                    {},
                ),
                configures(302),
            )
        ],
    }
