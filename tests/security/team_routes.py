"""The access matrix's entries for signing in with a second factor or a provider, acknowledging
through the API, and on call (teams, schedules, calendar feeds), merged into EXPECTED by
test_access_matrix.py; apart, so that neither module passes 400 lines."""


def expected() -> dict:
    from oncall.models import CalendarFeed, Schedule, Team

    # Read when test_access_matrix has defined its callers and helpers (it calls this at the end of EXPECTED).
    from tests.security.test_access_matrix import (
        CALLERS,
        EVERYONE,
        FOREIGN,
        LOGIN,
        OPERATOR,
        VIEWER,
        World,
        api_write,
        get,
        own_form,
        page,
    )

    def on_call_team(world: World) -> Team:
        """A team of the viewer, the operator and the admin, with one schedule."""
        team, made = Team.objects.get_or_create(name="matrix")
        if made:
            team.members.set(world.users.values())
            Schedule.objects.create(team=team, name="primary")
        return team

    def feed_secret(world: World) -> str:
        feed = CalendarFeed(owner=world.users[VIEWER])
        secret = feed.generate()
        feed.save()
        return secret

    return {
        # Without a password given first there is nothing to verify: the login page.
        "second_factor": [(get("/accounts/second-factor/"), dict.fromkeys(CALLERS, LOGIN))],
        "second_factor_enrol": [(get("/accounts/second-factor/enrol/"), page())],
        "second_factor_remove": [(lambda w, c: ("POST", "/accounts/second-factor/remove/", {}), own_form())],
        "second_factor_policy": [
            (
                lambda w, c: ("POST", "/accounts/second-factor/policy/", {}),
                {**own_form(), VIEWER: 403, OPERATOR: 403},
            )
        ],
        # Single sign-on answers only with a provider configured (tests/accounts/test_browser_oidc.py).
        "oidc_authentication_init": [(get("/oidc/authenticate/"), dict.fromkeys(CALLERS, 404))],
        "oidc_authentication_callback": [(get("/oidc/callback/?code=x&state=y"), dict.fromkeys(CALLERS, 404))],
        "oidc_logout": [(lambda w, c: ("POST", "/oidc/logout/", {}), {**dict.fromkeys(CALLERS, LOGIN), FOREIGN: 403})],
        # Nobody's alert here: refused to viewers and read-only tokens, not found for those who may acknowledge.
        "alert_acknowledge": [
            (
                lambda w, c: ("POST", "/api/alerts/999999/acknowledge/", {}),
                {**api_write(404), OPERATOR: 404},
            )
        ],
        "oncall_teams": [(get("/oncall/"), page())],
        "oncall_team": [(get(lambda w: f"/oncall/teams/{on_call_team(w).pk}/"), page())],
        "oncall_team_calendar": [(get(lambda w: f"/oncall/teams/{on_call_team(w).pk}/calendar.ics"), page())],
        "oncall_my_calendar": [(get("/oncall/me/calendar.ics"), page())],
        # Taking a shift ("I take Saturday") is for the team's operators (and admins).
        "oncall_add_override": [
            (
                lambda w, c: (
                    "POST",
                    f"/oncall/schedules/{on_call_team(w).schedules.get().pk}/overrides/",
                    {"start": "2026-12-12T00:00", "end": "2026-12-13T00:00"},
                ),
                {**own_form(302), VIEWER: 403},
            )
        ],
        "oncall_new_feed": [(lambda w, c: ("POST", "/oncall/feeds/", {}), own_form(200))],
        # A calendar application cannot sign in: the secret address is the key.
        "oncall_feed": [
            (lambda w, c: ("GET", f"/oncall/calendar/{feed_secret(w)}.ics", {}), EVERYONE),
            (get("/oncall/calendar/not-a-secret.ics"), dict.fromkeys(CALLERS, 404)),
        ],
    }
