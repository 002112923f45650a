"""Rows -> Arrow tables for the Parquet files, without pandas (importing pandas costs more CPU than the audits of a
short history): the same columns, types and values as a DataFrame made by `tables.frame`, and the same pandas
metadata, so that `pandas.read_parquet` gives the same dtypes. A value of a kind the direct way does not know
(a float in an integer column, a date in another format) makes `arrow_table` answer None: the caller goes through
pandas then, as before."""

from __future__ import annotations

import json
import re
import sys
from array import array
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .schema import CATEGORIES, TABLES

#: a timestamp as revisions carry it (the dump's and the API's form)
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: how pandas names each kind of column in its metadata: (pandas_type, numpy_type, metadata)
_PANDAS_KINDS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "int": ("int64", "Int64", None), "bool": ("bool", "boolean", None), "float": ("float64", "float64", None),
    "str": ("object", "string", None), "ts": ("datetimetz", "datetime64[s]", {"timezone": "UTC"}),
}


def arrow_type(kind: str) -> Any:
    import pyarrow as pa

    types = {"int": pa.int64(), "bool": pa.bool_(), "float": pa.float64(), "str": pa.string(),
             "ts": pa.timestamp("s", tz="UTC"), "cat": pa.dictionary(pa.int32(), pa.string())}
    return types[kind]


def pandas_metadata(table: str) -> dict[str, Any]:
    """The `pandas` schema metadata pyarrow writes for the table's (empty) DataFrame, made without pandas."""
    import pyarrow as pa

    columns = []
    for col, kind in TABLES[table]:
        meta: dict[str, Any] | None
        if kind == "cat":
            n = len(CATEGORIES.get(col, ()))
            codes = "int8" if n < 2 ** 7 else "int16" if n < 2 ** 15 else "int32"
            ptype, ntype, meta = "categorical", codes, {"num_categories": n, "ordered": False}
        else:
            ptype, ntype, meta = _PANDAS_KINDS[kind]
        columns.append({"name": col, "field_name": col, "pandas_type": ptype, "numpy_type": ntype, "metadata": meta})
    try:
        pandas_version = version("pandas")
    except PackageNotFoundError:  # pragma: no cover - pandas is a requirement of histories
        pandas_version = ""
    return {"index_columns": [], "column_indexes": [], "columns": columns, "attributes": {},
            "creator": {"library": "pyarrow", "version": pa.__version__}, "pandas_version": pandas_version}


def schema_metadata(table: str) -> dict[bytes, bytes]:
    return {b"pandas": json.dumps(pandas_metadata(table)).encode("utf-8")}


def arrow_table(table: str, rows: list[dict], schema: Any) -> Any:
    """The rows as an Arrow table of `schema`, or None when a value needs pandas' coercion.

    The arrays are made from their buffers (Arrow's columnar layout: a validity bitmap, offsets, values), since
    pyarrow's `array()` imports pandas to ask whether a list is one of its objects."""
    import pyarrow as pa

    if sys.byteorder != "little":  # the buffers below are in the machine's order, Arrow's is little-endian
        return None
    arrays = []
    for col, kind in TABLES[table]:
        try:
            array = _column(kind, col, [row.get(col) for row in rows])
        except (pa.ArrowException, ValueError, TypeError, OverflowError, UnicodeError):
            return None
        if array is None:
            return None
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=schema)


def _column(kind: str, col: str, values: list[Any]) -> Any:
    import pyarrow as pa

    if kind in ("int", "ts"):
        if kind == "int" and all(v is None or type(v) is int for v in values):
            return _fixed(pa.int64(), "q", values)
        if kind == "ts" and all(v is None or (type(v) is str and _ISO.match(v) and "1900" <= v[:4] < "2200")
                                for v in values):  # (other years as pandas has them: its range is narrower)
            return _fixed(arrow_type("ts"), "q", [None if v is None else _seconds(v) for v in values])
    elif kind == "float" and all(v is None or type(v) in (int, float) for v in values):
        return _fixed(pa.float64(), "d", [None if v is None or v != v else v for v in values])  # NaN: missing
    elif kind == "bool" and all(v is None or type(v) is bool for v in values):
        valid, nulls = _validity(values)
        return pa.Array.from_buffers(pa.bool_(), len(values), [valid, _bits([v is True for v in values])], nulls)
    elif kind == "str" and all(v is None or type(v) is str for v in values):
        return _strings(values)
    elif kind == "cat" and all(v is None or type(v) is str for v in values):
        known = CATEGORIES.get(col, ())
        categories = [*known, *sorted({v for v in values if v is not None} - set(known))]
        code = {c: i for i, c in enumerate(categories)}
        indices = _fixed(pa.int32(), "i", [None if v is None else code[v] for v in values])
        return pa.DictionaryArray.from_arrays(indices, _strings(categories))
    return None


def _bits(flags: list[bool]) -> Any:
    """A bitmap, least significant bit first."""
    import pyarrow as pa

    out = bytearray((len(flags) + 7) // 8)
    for i, flag in enumerate(flags):
        if flag:
            out[i >> 3] |= 1 << (i & 7)
    return pa.py_buffer(bytes(out))


def _validity(values: list[Any]) -> tuple[Any, int]:
    """The validity bitmap (None: nothing missing) and how many values are missing."""
    nulls = sum(1 for v in values if v is None)
    return (_bits([v is not None for v in values]) if nulls else None), nulls


def _fixed(arrow: Any, code: str, values: list[Any]) -> Any:
    """An array of fixed-width numbers (`code`: the `array` module's type code of the same width)."""
    import pyarrow as pa

    valid, nulls = _validity(values)
    data = array(code, [0 if v is None else v for v in values])
    return pa.Array.from_buffers(arrow, len(values), [valid, pa.py_buffer(data.tobytes())], nulls)


def _strings(values: list[str | None]) -> Any:
    """A string array: the UTF-8 bytes of all values, and where each starts."""
    import pyarrow as pa

    valid, nulls = _validity(values)
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    offsets = array("i", [0])
    end = 0
    for b in encoded:
        end += len(b)
        offsets.append(end)  # OverflowError past 2 GiB: the caller goes through pandas
    return pa.Array.from_buffers(pa.string(), len(values), [valid, pa.py_buffer(offsets.tobytes()),
                                                            pa.py_buffer(b"".join(encoded))], nulls)


def _seconds(iso: str) -> int:
    """Seconds since the epoch of a UTC timestamp `YYYY-MM-DDTHH:MM:SSZ`."""
    return int((datetime.fromisoformat(iso[:-1]).replace(tzinfo=timezone.utc) - _EPOCH).total_seconds())
