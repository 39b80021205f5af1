"""Alert rules in the product: the list for everyone signed in, the form and deletion for admins,
and the preview of what a rule being written would match now."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from alerts import visibility
from alerts.models import AlertRule, Comparison, Scope
from alerts.preview import Draft, preview, unit_of
from alerts.rule_form import RuleForm
from core.contracts.metrics import ALERT_METRIC_BY_NAME, ALERT_METRICS

ADD, CHANGE, DELETE = "alerts.add_alertrule", "alerts.change_alertrule", "alerts.delete_alertrule"


def needs(permission: str):
    """Signed in (else the login page), and holding `permission` (else 403)."""

    def decorate(view):
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorate


@login_required
def rule_list(request):
    rules = AlertRule.objects.select_related("host", "tag").prefetch_related("recipients", "recipient_groups")
    shown = [{"rule": r, "unit": unit_of(r.metric), "reaches": visibility.sees_every_alert(request.user)
              or visibility.receives(request.user, r)} for r in rules]  # fmt: skip
    controls = {"add": request.user.has_perm(ADD), "change": request.user.has_perm(CHANGE),
                "delete": request.user.has_perm(DELETE)}  # fmt: skip
    return render(request, "alerts/rules.html", {"rules": shown, "controls": controls})


def _form_page(request, form: RuleForm, rule: AlertRule | None):
    context = {"form": form, "rule": rule, "units": {m.name: unit_of(m.name) for m in ALERT_METRICS},
               "page_module": "js/rule-form.js"}  # fmt: skip
    return render(request, "alerts/rule_form.html", context, status=400 if form.errors else 200)


@needs(ADD)
def rule_new(request):
    form = RuleForm(request.POST or None, creator=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("alert_rules")
    return _form_page(request, form, None)


@needs(CHANGE)
def rule_edit(request, rule_id: int):
    rule = get_object_or_404(AlertRule, pk=rule_id)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("alert_rules")
    return _form_page(request, form, rule)


@require_POST
@needs(DELETE)
def rule_delete(request, rule_id: int):
    get_object_or_404(AlertRule, pk=rule_id).delete()
    return redirect("alert_rules")


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


@require_GET
@needs(ADD)
def rule_preview(request):
    """?metric=&comparison=&threshold=&scope=&host=&tag=: the subjects in scope and which would match."""
    query = request.GET
    threshold = _number(query.get("threshold"))
    metric, comparison, scope = query.get("metric"), query.get("comparison"), query.get("scope", Scope.ALL)
    if metric not in ALERT_METRIC_BY_NAME or comparison not in Comparison.values or scope not in Scope.values:
        return JsonResponse({"error": "Choose a metric, a comparison and a scope."}, status=400)
    if threshold is None:
        return JsonResponse({"unit": unit_of(metric), "error": "Give a threshold."}, status=400)
    host, tag = _number(query.get("host")), _number(query.get("tag"))
    agent = query.get("agent", "").strip()[:255]
    draft = Draft(metric, comparison, threshold, scope, int(host) if host else None, int(tag) if tag else None, agent)
    return JsonResponse(preview(draft))
