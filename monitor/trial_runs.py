""" "Test now": checks that are not saved yet, run once on a checks worker, their results kept briefly.

The web process hands the checks to the checks queue (the workers that run every check,
under the same destination policy: each kind resolves its target through
`checks.base.resolve`, which refuses denied networks). The worker writes the outcomes to
a Redis key of the asking user's that lives a few minutes; the dialog reads it until the
results are there. Nothing is saved in the database.
"""

import asyncio
import functools
import json
import secrets
import time

from celery import shared_task
from django.conf import settings

from core.redis_io.publisher import LoopThread
from core.redis_io.redis_clients import sync_redis
from monitor.checks import execute
from monitor.checks.base import CheckSpec, Outcome
from monitor.models import Check

RESULTS_KEPT_S = 300
TOKEN_BYTES = 16
# A trial's whole run is bounded: the longest timeout a check may have, and some room.
TRIAL_LIMIT_S = 75


def results_key(user_id: int, token: str) -> str:
    return f"{settings.REDIS_PREFIX}:trial:{user_id}:{token}"


def start(user_id: int, trial_checks: list[Check], address: str) -> str:
    """Queue `trial_checks` against `address` for one run each; returns the token to read their results by."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    specs = [
        {"kind": c.kind, "timeout_s": c.timeout_s, "options": c.kind_spec.normalized(c.settings)} for c in trial_checks
    ]
    try_checks.apply_async(args=[results_key(user_id, token), address, specs], expires=TRIAL_LIMIT_S)
    return token


def results(user_id: int, token: str) -> list[dict] | None:
    """The results of the user's trial, or None while they are not in (or after they expired)."""
    stored = sync_redis().get(results_key(user_id, token))
    return json.loads(stored) if stored else None


def outcome_fields(outcome: Outcome) -> dict:
    """One outcome as the dialog shows it: UP or DOWN with the reason, what was measured, and
    for an SNMP device what it says it is."""
    fields = {
        "status": "down" if outcome.error else "up",
        "error": outcome.error,
        "latency_ms": outcome.latency_ms,
        "loss_pct": outcome.loss_pct,
        "details": json.loads(json.dumps(outcome.details, default=str)),
    }
    if (system := getattr(outcome.device, "system", None)) is not None:
        fields["device"] = {"name": system.name, "description": system.descr, "vendor": system.vendor,
                            "model": system.model, "ports": len(outcome.device.ports)}  # fmt: skip
    return fields


@functools.cache
def trial_loop() -> LoopThread:
    """This worker's loop for trials, apart from the runner's: a trial never delays scheduled checks."""
    return LoopThread("check-trials")


@shared_task(name="monitor.try_checks", ignore_result=True, time_limit=TRIAL_LIMIT_S + 15)
def try_checks(key: str, address: str, specs: list[dict]) -> None:
    """Run each check once (a checks worker), in order of `specs`, and store the outcomes at `key`."""
    built = [
        CheckSpec(0, 0, spec["kind"], address, float(spec["timeout_s"]), time.time(), spec["options"]) for spec in specs
    ]

    async def run_all() -> list[Outcome]:
        return await asyncio.gather(*(execute(spec) for spec in built))

    outcomes = trial_loop().run(run_all(), TRIAL_LIMIT_S)
    sync_redis().set(key, json.dumps([outcome_fields(o) for o in outcomes]), ex=RESULTS_KEPT_S)
