"""History behind one interface, in the store HISTORY_URL names.

- empty (the default): the embedded block store in the database (stats.history: ingest,
  rollup, query, retention);
- a URL: a Prometheus-compatible store at that base URL (stats.history.prometheus), e.g.
  VictoriaMetrics at http://127.0.0.1:8428. Rollups and retention are then the store's own.

Writers call `write(samples)`, readers `read(...)`; neither knows which store it is.
"""

import functools
from collections.abc import Iterable

from django.conf import settings

from stats.history import ingest, query
from stats.history.prometheus import PrometheusHistory


class EmbeddedHistory:
    def write(self, samples: Iterable[ingest.Sample]) -> int:
        return ingest.store(samples)

    def read(self, *args, **kwargs) -> dict:
        return query.read(*args, **kwargs)


@functools.cache
def _for(url: str) -> EmbeddedHistory | PrometheusHistory:
    return PrometheusHistory(url) if url else EmbeddedHistory()


def history() -> EmbeddedHistory | PrometheusHistory:
    return _for(settings.HISTORY_URL)


def embedded() -> bool:
    """Whether the database holds history (its rollups and retention run only then)."""
    return not settings.HISTORY_URL


def write(samples: Iterable[ingest.Sample]) -> int:
    return history().write(samples)


def read(*args, **kwargs) -> dict:
    return history().read(*args, **kwargs)
