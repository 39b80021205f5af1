"""Keeping each status page's document current: rebuilt once per change, kept in Redis, announced.

A page is rebuilt when the state of one of its hosts changes (checks worker, after the
results commit), when it, its notices or the maintenance windows are edited (after that
commit), and once a minute (the uptime figures and the day bars move on: Celery beat).
A rebuilt document that equals the stored one is not announced. Each web process is one
member of the channel-layer group STATUS_PAGES_GROUP (status.hub): it hears of a new
document once and pushes it to its own readers.
"""

import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.contracts.groups import STATUS_CHANGED, STATUS_PAGES_GROUP
from core.redis_io.publisher import publisher
from core.redis_io.redis_clients import sync_redis
from monitor.models import Host, MaintenanceWindow
from status import documents
from status.documents import Document
from status.models import Notice, StatusPage

logger = logging.getLogger(__name__)


def page_key(page_id: int) -> str:
    return f"{settings.REDIS_PREFIX}:status:page:{int(page_id)}"


def announce(page_id: int) -> None:
    publisher().publish([(STATUS_PAGES_GROUP, STATUS_CHANGED, str(int(page_id)))])


def stored(page_id: int) -> Document | None:
    """The page's document as last published, or None (never built, or Redis emptied)."""
    text, etag = sync_redis().hmget(page_key(page_id), ["doc", "etag"])
    return Document(text.decode(), etag.decode()) if text and etag else None


def load(page_id: int) -> Document | None:
    """The page's document for a web process: stored, else built; None when the page is gone."""
    try:
        document = stored(page_id)
    except Exception:
        document = None
    if document is not None:
        return document
    page = StatusPage.objects.filter(pk=page_id).first()
    return None if page is None else current(page)


def current(page: StatusPage) -> Document:
    """The page's document: the stored one, else built now (and stored when Redis answers)."""
    try:
        document = stored(page.id)
    except Exception:
        logger.warning("Redis unavailable: the status page %s is built for this request", page.slug)
        return documents.build(page)
    return document or refresh(page)


def refresh(page: StatusPage) -> Document:
    """Build the page's document; store and announce it if anything shown changed."""
    document = documents.build(page)
    _store(page, document)
    return document


def _store(page: StatusPage, document: Document) -> bool:
    """Keep the document and the host states it shows; announce it if new. True when announced."""
    states = json.dumps(_states(page))
    client = sync_redis()
    key = page_key(page.id)
    previous = client.hget(key, "etag")
    if previous is not None and previous.decode() == document.etag:
        client.hset(key, "states", states)
        return False
    client.hset(key, mapping={"doc": document.text, "etag": document.etag, "states": states})
    announce(page.id)
    return True


def forget(page_id: int) -> None:
    """A deleted page: its document goes, and its readers are told (they find it gone)."""
    sync_redis().delete(page_key(page_id))
    announce(page_id)


def refresh_all() -> int:
    """Rebuild every page (the periodic pass); returns how many were announced as changed."""
    return sum(_store(page, documents.build(page)) for page in StatusPage.objects.all())


def _states(page: StatusPage) -> dict[int, str]:
    hosts = Host.objects.filter(Q(status_pages=page) | Q(tags__status_pages=page)).distinct()
    return dict(hosts.values_list("pk", "status"))


# --- what triggers a rebuild ----------------------------------------------------------------


def results_recorded(sender, recorded, **kwargs) -> None:
    """Rebuild the pages on which a host's state changed (checks worker, after the commit)."""
    states = {host.id: host.status for host in recorded.hosts}
    if not states:
        return
    pages = StatusPage.objects.filter(Q(hosts__in=states) | Q(tags__hosts__in=states)).distinct()
    for page in pages:
        try:
            shown = json.loads(sync_redis().hget(page_key(page.id), "states") or "{}")
            if not shown or any(shown.get(str(host_id), status) != status for host_id, status in states.items()):
                refresh(page)
        except Exception:  # Redis down: the periodic pass catches up
            logger.exception("could not refresh the status page %s", page.slug)


def refresh_later(page_ids) -> None:
    """Rebuild these pages once the current transaction commits."""
    page_ids = set(page_ids)

    def run() -> None:
        pages = {page.pk: page for page in StatusPage.objects.filter(pk__in=page_ids)}
        for page_id in page_ids:
            try:
                if page_id in pages:
                    refresh(pages[page_id])
                else:
                    forget(page_id)
            except Exception:
                logger.exception("could not refresh the status page %s", page_id)

    if page_ids:
        transaction.on_commit(run)


def _page_edited(sender, instance, **kwargs) -> None:
    refresh_later([instance.pk])


def _notice_edited(sender, instance, **kwargs) -> None:
    refresh_later([instance.page_id])


def _host_edited(sender, instance, **kwargs) -> None:
    refresh_later(StatusPage.objects.filter(Q(hosts=instance) | Q(tags__hosts=instance)).values_list("pk", flat=True))


def _host_deleted(sender, instance, **kwargs) -> None:
    refresh_later(StatusPage.objects.values_list("pk", flat=True))  # its memberships are gone already


def _window_edited(sender, instance, **kwargs) -> None:
    pages = StatusPage.objects.all()
    if instance.host_id:
        pages = pages.filter(Q(hosts=instance.host_id) | Q(tags__hosts=instance.host_id))
    elif instance.tag_id:
        pages = pages.filter(Q(tags=instance.tag_id) | Q(hosts__tags=instance.tag_id))
    refresh_later(pages.values_list("pk", flat=True))


def _members_edited(sender, instance, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, StatusPage):
        refresh_later([instance.pk])


def connect_edits() -> None:
    for event, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(_page_edited, sender=StatusPage, dispatch_uid=f"status.page.{event}")
        signal.connect(_notice_edited, sender=Notice, dispatch_uid=f"status.notice.{event}")
        signal.connect(_window_edited, sender=MaintenanceWindow, dispatch_uid=f"status.window.{event}")
    post_save.connect(_host_edited, sender=Host, dispatch_uid="status.host.saved")
    post_delete.connect(_host_deleted, sender=Host, dispatch_uid="status.host.deleted")
    for through in (StatusPage.hosts.through, StatusPage.tags.through):
        m2m_changed.connect(_members_edited, sender=through, dispatch_uid=f"status.members.{through.__name__}")
