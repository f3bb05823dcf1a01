"""Every released schema upgrades to head with data in it, on SQLite and PostgreSQL, and
the migrated schema is the models' schema exactly (types and server defaults too).

For each revision: migrate an empty database to it, put one row in every table that
revision has (every column filled, foreign keys pointing at the rows made before), upgrade
to head, and read every row back both as stored and through the ORM models."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    Uuid,
    and_,
    column,
    func,
    insert,
    select,
    table,
)
from sqlalchemy.types import TypeEngine

from pharmacy_server.db import Database
from pharmacy_server.migrate import alembic_config
from pharmacy_server.models import Base
from tests.helpers.postgres import ThrowawayPostgres
from tests.server.support import encrypted_test_url

Row = dict[str, Any]


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, throwaway_postgres: ThrowawayPostgres
) -> str:
    if request.param == "sqlite":
        return encrypted_test_url(tmp_path / "forward.sqlite3")
    return throwaway_postgres.create()


def _head_type(table_name: str, column_name: str, reflected: TypeEngine[Any]) -> TypeEngine[Any]:
    """The models' type for a column (so values bind as the application binds them)."""
    model_table = Base.metadata.tables.get(table_name)
    if model_table is not None and column_name in model_table.c:
        return model_table.c[column_name].type
    return reflected


def _value(kind: TypeEngine[Any], serial: int) -> object:
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, Uuid):
        return uuid.uuid4()
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer):
        return serial
    if isinstance(kind, Float):
        return serial + 0.5
    if isinstance(kind, LargeBinary):
        return b"%PDF-" + bytes([serial % 256])
    if isinstance(kind, Date):
        return dt.date(2026, 11, 1)
    if hasattr(kind, "timezone"):  # DateTime
        return dt.datetime(2026, 11, 1, 9, 30, serial % 60, tzinfo=dt.UTC)
    if isinstance(kind, Text):
        return '{"from": "an older schema"}'
    if isinstance(kind, String):
        return f"v{serial:03d}"[: kind.length or 16]
    raise AssertionError(f"no sample value for {kind!r}")


def _fill_every_table(url: str) -> dict[str, Row]:
    """One row in each table of the schema as it is now; the rows by table name."""
    database = Database.from_url(url)
    rows: dict[str, Row] = {}
    try:
        with database.writing() as session:
            schema = MetaData()
            schema.reflect(bind=session.connection())
            for serial, reflected in enumerate(schema.sorted_tables, start=1):
                if reflected.name == "alembic_version":
                    continue
                row: Row = {
                    c.name: _value(_head_type(reflected.name, c.name, c.type), serial)
                    for c in reflected.columns
                }
                for key in reflected.foreign_keys:
                    assert key.column.table.name in rows, f"{reflected.name} before its parent"
                    row[key.parent.name] = rows[key.column.table.name][key.column.name]
                typed = table(
                    reflected.name,
                    *(column(name, _head_type(reflected.name, name, reflected.c[name].type))
                      for name in row),
                )  # fmt: skip
                session.execute(insert(typed).values(row))
                rows[reflected.name] = row
    finally:
        database.dispose()
    return rows


def _stored(database: Database, model_table: Table, row: Row) -> Row | None:
    keys = list(model_table.primary_key.columns)
    query = select(model_table).where(and_(*(c == row[c.name] for c in keys)))
    with database.reading() as session:
        found = session.execute(query).mappings().one_or_none()
    return None if found is None else dict(found)


@pytest.mark.parametrize("revision", _revisions())
def test_each_released_schema_upgrades_to_head_with_its_data(
    empty_database_url: str, revision: str
) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, revision)
    rows = _fill_every_table(empty_database_url)
    assert rows, f"revision {revision} has no tables"

    command.upgrade(config, "head")

    database = Database.from_url(empty_database_url)
    try:
        for name, row in rows.items():
            stored = _stored(database, Base.metadata.tables[name], row)
            assert stored is not None, f"{name}: the row from {revision} is gone"
            assert {key: stored[key] for key in row} == row, f"{name} changed"
        with database.reading() as session:
            for mapper in Base.registry.mappers:
                if mapper.class_.__tablename__ in rows:  # every row loads as the models say
                    assert session.scalars(select(mapper.class_)).all()
            if "prescription" in rows and revision < "0005":
                events = session.scalar(select(func.count()).select_from(_events_table()))
                assert events, "0005 gives each older prescription its history"
    finally:
        database.dispose()


def _events_table() -> Table:
    return Base.metadata.tables["prescription_event"]


def test_migrations_and_models_agree_on_types_and_server_defaults(
    empty_database_url: str,
) -> None:
    """Stricter than autogenerate's default: server defaults compared as well."""
    command.upgrade(alembic_config(empty_database_url), "head")
    database = Database.from_url(empty_database_url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        database.dispose()
    assert differences == []


def test_the_sample_values_cover_every_column_type() -> None:
    """A new column type gets a sample value here before a migration can add it."""
    for model_table in Base.metadata.sorted_tables:
        for model_column in model_table.columns:
            assert isinstance(model_column, Column)
            _value(model_column.type, 1)
