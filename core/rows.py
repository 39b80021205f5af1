"""Writing many rows of one model in one executemany.

Django's bulk_update builds a CASE WHEN expression per row and field, and bulk_create
compiles every value through its query compiler; for the 10,000 results and the 2,000
checks, states and hosts of every batch of a probe's backlog that building took most of
the time of writing it. One parameterised statement per row, sent with executemany, does
the same work.
"""

from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model


def update_fields(objs: Sequence[Model], fields: list[str]) -> None:
    """Save `fields` of every one of `objs` (all of one model, already in the database)."""
    if not objs:
        return
    meta = type(objs[0])._meta
    connection = connections[router.db_for_write(type(objs[0]))]
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns] + [obj.pk]
            for obj in objs]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def insert_new(objs: Sequence[Model]) -> None:
    """INSERT all of `objs` (of one model) in one executemany, leaving out rows a unique constraint
    already holds, as bulk_create(ignore_conflicts=True) does; their primary keys are not set."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING"
    rows = [[field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
