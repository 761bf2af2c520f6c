"""What migrations 0024 and 0025 share (PostgreSQL only): statement-level triggers that keep
a table of word counts current from the transition tables of another table's changes, after
one lock of all counts, and empty it when that table is emptied. The migration loader skips
modules whose names begin with "_"."""

LOCK = "PERFORM pg_advisory_xact_lock(hashtext('programmes word counts'));"
TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def count_function(name, upsert, *, added, removed, changed, counted=""):
    """A trigger function applying the upsert to the words added, removed or changed, where
    any `counted` row (a condition; every row without one) was written."""
    where = f" WHERE {counted}" if counted else ""
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT FROM new_rows{where}) THEN
            {LOCK}
            {upsert.format(changes=added)}
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT FROM old_rows{where}) THEN
            {LOCK}
            {upsert.format(changes=removed)}
        END IF;
    ELSIF EXISTS (SELECT FROM new_rows{where}) OR EXISTS (SELECT FROM old_rows{where}) THEN
        {LOCK}
        {upsert.format(changes=changed)}
    END IF;
    RETURN NULL;
END
$$
"""


def forward(*, table, prefix, function, counts):
    """The functions and triggers on `table` keeping `counts` by `function`."""
    return [
        f"""
CREATE FUNCTION {prefix}_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {counts};
    RETURN NULL;
END
$$
""",
        f"CREATE TRIGGER {prefix}_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_forget()",
        *(
            f"CREATE TRIGGER {prefix}_{event.lower()} AFTER {event} ON {table} {transition} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            for event, transition in TRANSITIONS.items()
        ),
    ]


def backward(*, table, prefix, function):
    events = [*TRANSITIONS, "TRUNCATE"]
    return [
        *(f"DROP TRIGGER {prefix}_{event.lower()} ON {table}" for event in events),
        f"DROP FUNCTION {function}()",
        f"DROP FUNCTION {prefix}_forget()",
    ]


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run
