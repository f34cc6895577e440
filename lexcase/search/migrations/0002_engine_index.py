"""The engine index: an FTS5 table on SQLite, a tsvector column + GIN index on PostgreSQL.

Both index `lexcase_search_searchentry.tokens`, the pre-tokenised text
(lexcase.search.tokens): the engines only split on spaces and never segment Chinese.
"""

from django.db import migrations

SQLITE_UP = [
    # External content: the tokens live once, in the entry table; triggers keep the
    # index in step with every insert, update and (cascading) delete.
    """CREATE VIRTUAL TABLE lexcase_search_fts USING fts5(
        tokens, content='lexcase_search_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER lexcase_search_fts_ai AFTER INSERT ON lexcase_search_searchentry BEGIN
        INSERT INTO lexcase_search_fts(rowid, tokens) VALUES (new.id, new.tokens); END""",
    """CREATE TRIGGER lexcase_search_fts_ad AFTER DELETE ON lexcase_search_searchentry BEGIN
        INSERT INTO lexcase_search_fts(lexcase_search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); END""",
    """CREATE TRIGGER lexcase_search_fts_au AFTER UPDATE OF tokens ON lexcase_search_searchentry BEGIN
        INSERT INTO lexcase_search_fts(lexcase_search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
        INSERT INTO lexcase_search_fts(rowid, tokens) VALUES (new.id, new.tokens); END""",
    "INSERT INTO lexcase_search_fts(lexcase_search_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS lexcase_search_fts_ai",
    "DROP TRIGGER IF EXISTS lexcase_search_fts_ad",
    "DROP TRIGGER IF EXISTS lexcase_search_fts_au",
    "DROP TABLE IF EXISTS lexcase_search_fts",
]

POSTGRES_UP = [
    # Stored, so ranking reads the vector instead of re-parsing the tokens of every hit.
    """ALTER TABLE lexcase_search_searchentry ADD COLUMN tsv tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, tokens)) STORED""",
    "CREATE INDEX lexcase_search_searchentry_tsv_gin ON lexcase_search_searchentry USING gin (tsv)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS lexcase_search_searchentry_tsv_gin",
    "ALTER TABLE lexcase_search_searchentry DROP COLUMN IF EXISTS tsv",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("lexcase_search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
