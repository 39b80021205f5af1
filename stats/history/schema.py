"""Table layout that migrations apply beyond what Django models say."""


def cluster_on_sqlite(apps, schema_editor, names: list[str]) -> None:
    """On SQLite, store these empty tables in primary-key order (WITHOUT ROWID).

    A series' rows then lie together on disk, so a range read touches a few pages
    instead of one per row, and the table needs no separate primary-key index.
    PostgreSQL keeps its usual heap and index.
    """
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in names:
        model = apps.get_model("stats", name)
        create, params = schema_editor.table_sql(model)
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(model._meta.db_table)}")
        schema_editor.execute(f"{create} WITHOUT ROWID", params)
        for index in model._meta.indexes:
            schema_editor.add_index(model, index)
