from django.db.models import QuerySet

# Rows deleted per statement, so that one prune never holds the table's lock for long.
PRUNE_BATCH = 10_000


def delete_in_batches(queryset: QuerySet) -> int:
    """Delete every row of `queryset`, a batch at a time; returns how many."""
    deleted = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:PRUNE_BATCH])
        if not ids:
            return deleted
        deleted += queryset.model.objects.filter(pk__in=ids).delete()[0]
