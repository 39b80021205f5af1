"""Running a discovery plan: crawl from its seeds and sweep its prefixes, then record."""

import asyncio
import logging

from django.utils import timezone

from discovery import recording
from discovery.crawl import crawl
from discovery.models import Plan
from netmon_probe.snmp.client import Credentials

logger = logging.getLogger(__name__)


def credentials_of(plan: Plan) -> dict[Credentials, object]:
    """Credentials to try -> the CredentialSet row each came from."""
    return {
        Credentials(c.version, community=c.community, user=c.user, auth_protocol=c.auth_protocol,
                    auth_password=c.auth_password, priv_protocol=c.priv_protocol, priv_password=c.priv_password): c
        for c in plan.credential_sets.all()
    }  # fmt: skip


def run(plan: Plan) -> dict[str, int]:
    used = credentials_of(plan)
    found = asyncio.run(crawl(Plan.lines(plan.seeds), list(used), Plan.lines(plan.scope), Plan.lines(plan.sweep),
                              plan.sweep_rate or 20))  # fmt: skip
    counts = recording.record(plan, found, used, timezone.now())
    plan.last_run_at = timezone.now()
    plan.last_summary = ", ".join(f"{count} {what}" for what, count in counts.items())
    plan.save(update_fields=["last_run_at", "last_summary"])
    logger.info("discovery plan %s: %s", plan.name, plan.last_summary)
    return counts
