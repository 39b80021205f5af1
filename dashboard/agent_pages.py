"""The Agents page: the list with last seen, "Add agent" with a copy-ready install, revoking,
and the agent's wheel built and served by this server (behind a login).

The install never puts the Redis password on a command line: it goes into an environment
file only root reads, which the systemd unit reads (EnvironmentFile=).
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.redis_io.redis_clients import sync_redis
from netmon_agent import keys
from stats import agent_wheel, credentials
from stats.latest import latest_key
from stats.models import Agent

ADD, DELETE = "stats.add_agent", "stats.delete_agent"
VENV, ENV_FILE = "/opt/netmon-agent", "/etc/netmon-agent.env"
UNIT = Path(settings.BASE_DIR) / "deploy" / "systemd" / "netmon-agent.service"


class AddAgentForm(forms.Form):
    name = forms.CharField(max_length=255, label="Name", help_text=f"How the host appears: {keys.NAME_RULE}.")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        try:
            keys.check_name(name)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        if name in credentials.registered() or Agent.objects.filter(name=name).exclude(password_digest="").exists():
            raise forms.ValidationError("An agent of this name exists: revoke it first, or pick another name.")
        return name


def needs(permission: str):
    def decorate(view):
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorate


def unit_text() -> str:
    """The systemd unit without its leading comment (the page says the same in steps)."""
    lines = UNIT.read_text().splitlines()
    return "\n".join(line for line in lines if not line.startswith("#")).strip() + "\n"


def install_steps(wheel_name: str) -> str:
    return "\n".join([
        f"python3 -m venv {VENV}",
        f"{VENV}/bin/pip install ./{wheel_name}",
        f"install -m 600 /dev/null {ENV_FILE}",
        f"sudoedit {ENV_FILE}   # paste the environment lines below",
        "sudoedit /etc/systemd/system/netmon-agent.service   # paste the unit below",
        "systemctl daemon-reload && systemctl enable --now netmon-agent",
    ]) + "\n"  # fmt: skip


def newest_frames() -> dict[str, datetime]:
    """agent name -> when its newest frame was sampled (the ingest's cache in Redis; the
    database's last_seen follows once history is written)."""
    seen = {}
    for name, text in sync_redis().hgetall(latest_key()).items():
        try:
            seen[name.decode()] = datetime.fromtimestamp(float(json.loads(text)["ts"]), UTC)
        except (ValueError, TypeError, KeyError, OverflowError):
            continue  # not a frame: the database's figure stands
    return seen


def agent_rows() -> list[dict]:
    live_after = timezone.now() - timedelta(seconds=settings.AGENT_OFFLINE_AFTER)
    frames = newest_frames()
    rows = []
    for agent in Agent.objects.all():
        seen = max(filter(None, [agent.last_seen, frames.get(agent.name)]), default=None)
        rows.append({"agent": agent, "last_seen": seen, "live": bool(seen and seen >= live_after)})
    return rows


@login_required
def agent_list(request):
    form = AddAgentForm(request.POST or None) if request.user.has_perm(ADD) else None
    context = {"agents": agent_rows(), "form": form, "can_revoke": request.user.has_perm(DELETE)}
    if request.method == "POST":
        if form is None:
            return HttpResponse("Your role may not add agents.", status=403)
        if form.is_valid():
            return _created(request, credentials.add(form.cleaned_data["name"]))
        return render(request, "agents/list.html", context, status=400)
    return render(request, "agents/list.html", context)


def _created(request, made: credentials.Credentials):
    wheel_name = agent_wheel.wheel().name
    context = {"credentials": made, "steps": install_steps(wheel_name), "unit": unit_text(), "wheel_name": wheel_name,
               "wheel_url": request.build_absolute_uri(reverse("agent_wheel"))}  # fmt: skip
    response = render(request, "agents/install.html", context)
    response["Cache-Control"] = "no-store"  # the password is in it, shown this once
    return response


@require_POST
@needs(DELETE)
def agent_revoke(request, name: str):
    try:
        credentials.revoke(name)
    except (credentials.UnknownAgent, ValueError):
        return HttpResponse("No such agent.", status=404)
    return redirect("agents")


@login_required
def agent_wheel_download(request):
    try:
        path = agent_wheel.wheel()
    except agent_wheel.WheelUnavailable as error:
        return HttpResponse(str(error), status=503, content_type="text/plain")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
