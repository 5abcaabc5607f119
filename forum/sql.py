"""Raw SQL for the few queries every socket frame runs, and rows made into models.

Each room frame re-reads the session, the user, the room, the member's ban and grants,
and a `send` writes under the room lock, all in the one database thread every socket of
a process shares. The ORM spends ~0.6 ms compiling each such query and SQLite ~0.07 ms
running it, so those queries are written once as SQL (in the module that owns them),
with table and column names from the models' `_meta`, in SQL that SQLite and PostgreSQL
both run; everything else stays with the ORM.
"""

from functools import cache, lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model
from django.utils import timezone


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return quote(model._meta.db_table)


def column(model: type[Model], field_name: str) -> str:
    return quote(model._meta.get_field(field_name).column)


def columns(model: type[Model], alias: str) -> str:
    """Every column of the model, in the order `instance` expects them."""
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def db_datetime(moment):
    """A datetime as a query parameter, as the ORM passes it (SQLite: naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(moment)


def db_now():
    return db_datetime(timezone.now())


def fetch_one(sql: str, params: list) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetch_all(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def from_db(field: Field, value):
    """A value read with raw SQL, as the ORM gives it (SQLite hands back text and ints)."""
    return _converted(field, (value,))[0]


def instance(model: type[Model], values) -> Model:
    """A model instance from the values of `columns(model, …)`, as a queryset would make it."""
    return model.from_db(DEFAULT_DB_ALIAS, _attnames(model), _converted(model, values))


@cache
def _attnames(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


@lru_cache(maxsize=64)
def _to_convert(source: type[Model] | Field, vendor: str) -> tuple:
    """The columns of a model's row (or the one field) that the ORM converts on this backend."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    fields = source._meta.concrete_fields if isinstance(source, type) else [source]
    cols = ((index, field.get_col(field.model._meta.db_table)) for index, field in enumerate(fields))
    return tuple(
        (index, col) for index, col in cols
        if wrapper.ops.get_db_converters(col) + col.get_db_converters(wrapper)
    )


def _converted(source: type[Model] | Field, values) -> list:
    # The converters are asked of this thread's connection each time: cached ones would
    # keep another thread's connection alive.
    wrapper, values = connections[DEFAULT_DB_ALIAS], list(values)
    for index, col in _to_convert(source, wrapper.vendor):
        for convert in wrapper.ops.get_db_converters(col) + col.get_db_converters(wrapper):
            values[index] = convert(values[index], col, wrapper)
    return values


def upsert_forward(model: type[Model], keys: dict, field_name: str, value: int) -> None:
    """Raises the counter `field_name` of the row `keys` name (by unique fields, as
    attnames without `_id`) to `value`, making the row if need be; never lowers it. One
    statement (SQLite and PostgreSQL both have ON CONFLICT), so a page that notes how far
    a member read runs the same queries whatever they had read before. The model's
    `updated_at` follows the counter."""
    names = [model._meta.get_field(name).column for name in keys]
    target, updated = column(model, field_name), column(model, "updated_at")
    table_name = table(model)
    execute(
        f"INSERT INTO {table_name} ({', '.join(quote(n) for n in names)}, {target}, {updated}) "
        f"VALUES ({', '.join(['%s'] * (len(names) + 2))}) "
        f"ON CONFLICT ({', '.join(quote(n) for n in names)}) DO UPDATE SET {target} = excluded.{target}, "
        f"{updated} = excluded.{updated} WHERE {table_name}.{target} < excluded.{target}",
        [*keys.values(), value, db_now()],
    )
