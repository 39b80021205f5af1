"""Every API list is paged, and no page is larger than MAX_PAGE rows."""

from rest_framework import pagination

MAX_PAGE = 1000


class NewestFirst(pagination.CursorPagination):
    """Stable pages over tables that grow while they are read, without COUNT(*)."""

    page_size = 100
    page_size_query_param = "limit"
    max_page_size = MAX_PAGE


class Pages(pagination.LimitOffsetPagination):
    """The configuration lists (hosts, checks, rules): offset pages, at most MAX_PAGE rows each."""

    max_limit = MAX_PAGE


class ResultsNewestFirst(NewestFirst):
    ordering = "-started_at"


class EventsNewestFirst(NewestFirst):
    ordering = "-created_at"
