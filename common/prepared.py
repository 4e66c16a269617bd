"""Read queries whose SQL the ORM builds once per process, then runs with new values.

Building a query's SQL costs the ORM about 0.45 ms (resolving the lookups and joins,
compiling the select, the joins and the conditions); running a small indexed query on
either database about 0.06 ms. The dossier page and the budget dashboard read some twenty
queries of a fixed shape whose only variable is an id: most of their time was spent
building the same SQL again (decision 0069).

`@prepared` wraps a function that returns a `values_list()` queryset built from its
arguments (ints or strings). The first call of each shape builds the queryset with
distinctive placeholder values, compiles it, and keeps the SQL, the positions of the
placeholders among its parameters and its compiled columns. Every call then runs that
SQL with its own values, applies to each column the converters Django applies (dates on
SQLite, booleans, decimals) and returns the rows Django would return, as a list of
tuples. When
a placeholder cannot be found as such among the parameters (a lookup that transforms its
value), the shape is not prepared and the queryset runs as usual: the same rows.
"""

import functools

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.expressions import ColPairs
from django.db.models.query import ValuesListIterable
from django.utils import timezone

# Every prepared read of the project (tests/common/test_prepared.py compares each with its
# queryset).
READS = []

# Placeholders: values that no query of the project uses as constants.
_INT_PLACEHOLDER = -7_340_000_000_000
_STR_PLACEHOLDER = "\x1eprepared-{}\x1e"


class _Plan:
    __slots__ = ("sql", "params", "slots", "columns", "alias")

    def __init__(self, sql, params, slots, columns, alias):
        self.sql, self.params, self.slots = sql, params, slots
        self.columns, self.alias = columns, alias

    def converters(self, connection):
        """[(position, converters, expression)] of the columns Django converts, for this
        connection (SQLCompiler.get_converters, without composite columns)."""
        found = []
        for position, expression in enumerate(self.columns):
            convs = connection.ops.get_db_converters(expression) + expression.get_db_converters(
                connection
            )
            if convs:
                found.append((position, convs, expression))
        return found


def _placeholder(value, index):
    if type(value) is int:
        return _INT_PLACEHOLDER - index
    if type(value) is str:
        return _STR_PLACEHOLDER.format(index)
    return None


def _plan(queryset, placeholders):
    """The plan of `queryset` built with `placeholders`, or None when one of them is not
    a parameter of its SQL as it was given."""
    if queryset._iterable_class is not ValuesListIterable:
        return None  # model instances, dicts, flat or named rows: built otherwise
    query = queryset.query
    compiler = query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    params = list(params)
    slots = []
    for index, placeholder in enumerate(placeholders):
        positions = [i for i, param in enumerate(params) if param == placeholder]
        if not positions:
            return None
        slots.extend((position, index) for position in positions)
    columns = [column[0] for column in compiler.select[0 : compiler.col_count]]
    if any(column is None or isinstance(column, ColPairs) for column in columns):
        return None
    return _Plan(sql, params, slots, columns, queryset.db)


def prepared(build):
    """Decorate `build(*args) -> values_list queryset`: calling it returns that
    queryset's rows (a list of tuples), its SQL built once per shape and database."""
    plans = {}
    unprepared = object()

    @functools.wraps(build)
    def rows(*args):
        placeholders = [_placeholder(value, index) for index, value in enumerate(args)]
        if any(placeholder is None for placeholder in placeholders):
            return list(build(*args))
        # The project reads one database; its vendor and the time zone are part of the
        # SQL (dates extracted in local time).
        key = (
            tuple(type(value) for value in args),
            connections[DEFAULT_DB_ALIAS].vendor,
            timezone.get_current_timezone_name(),
        )
        plan = plans.get(key)
        if plan is None:
            try:
                plan = _plan(build(*placeholders), placeholders)
            except (TypeError, ValueError):  # a placeholder the field refuses ("12" for an id)
                plan = None
            plan = plans[key] = plan or unprepared
        if plan is unprepared:
            return list(build(*args))
        params = list(plan.params)
        for position, index in plan.slots:
            params[position] = args[index]
        connection = connections[plan.alias]
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            fetched = cursor.fetchall()
        converters = plan.converters(connection)
        if not converters:
            return [tuple(row) for row in fetched]
        result = []
        for row in fetched:
            row = list(row)
            for position, convs, expression in converters:
                value = row[position]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[position] = value
            result.append(tuple(row))
        return result

    rows.plans = plans  # for the tests
    READS.append(rows)
    return rows
