"""The tables of a run (schemas), the sinks that take their rows (memory, Parquet/CSV/JSON Lines files), and
`History`, the DataFrames a run gives back or `History.load` reads from a folder."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import InputError
from .arrow import arrow_table, arrow_type, schema_metadata
from .defaults import BATCH, FORMATS
from .schema import CATEGORIES, TABLES, RunStats


def frame(table: str, rows: list[dict]) -> Any:
    """Rows -> a pandas DataFrame with the table's columns and dtypes (nullable ints, UTC timestamps)."""
    import pandas as pd

    cols = TABLES[table]
    df = pd.DataFrame(rows, columns=[c for c, _ in cols])
    return coerce(table, df)


def coerce(table: str, df: Any) -> Any:
    """The table's columns, in order, with their dtypes: nullable Int64 and boolean, string, UTC timestamps to
    the second, and categories for flag codes and severities."""
    import pandas as pd

    kinds = {"int": "Int64", "bool": "boolean", "float": "float64", "str": "string"}
    for col, kind in TABLES[table]:
        if col not in df.columns:
            df[col] = None
        if kind == "ts":
            df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601").astype("datetime64[s, UTC]")
        elif kind == "cat":
            known = CATEGORIES.get(col, ())
            values = df[col].astype("string")
            extra = sorted(set(values.dropna()) - set(known))
            df[col] = values.astype(object).astype(pd.CategoricalDtype([*known, *extra]))
        else:
            df[col] = df[col].astype(kinds[kind])
    return df[[c for c, _ in TABLES[table]]]


_SCHEMAS: dict[str, Any] = {}


def arrow_schema(table: str) -> Any:
    """The table's Arrow schema, carrying pandas' metadata so that a plain `pandas.read_parquet` gives the same
    dtypes as `History.load` (nullable integers and booleans, categories), not float64 and object."""
    schema = _SCHEMAS.get(table)
    if schema is None:
        import pyarrow as pa

        schema = pa.schema([(c, arrow_type(k)) for c, k in TABLES[table]])
        schema = _SCHEMAS[table] = schema.with_metadata(schema_metadata(table))
    return schema


def _arrow(table: str, rows: list[dict]) -> Any:
    """The rows as an Arrow table: directly (see wikidiff.histories.arrow), or through a DataFrame."""
    got = arrow_table(table, rows, arrow_schema(table))
    if got is None:
        import pyarrow as pa

        got = pa.Table.from_pandas(frame(table, rows), schema=arrow_schema(table), preserve_index=False)
    return got


class MemorySink:
    """Collects rows; `frames()` makes the DataFrames."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {t: [] for t in TABLES}

    def __call__(self, table: str, rows: list[dict]) -> None:
        self.rows[table].extend(rows)

    def frames(self) -> dict[str, Any]:
        return {t: frame(t, rows) for t, rows in self.rows.items()}

    def close(self) -> None:
        pass


def table_paths(out: Path, table: str, fmt: str) -> list[Path]:
    """Where a table lives in an output folder: one file, or part files (a Dask run) in a sub-folder."""
    single = out / f"{table}.{fmt}"
    if single.exists():
        return [single]
    folder = out / table
    return sorted(folder.glob(f"*.{fmt}")) if folder.is_dir() else []


def clear_output(out: Path) -> None:
    """Remove the tables of an earlier run (ours only) from an output folder."""
    for table in TABLES:
        for fmt in FORMATS:
            (out / f"{table}.{fmt}").unlink(missing_ok=True)
        folder = out / table
        if folder.is_dir():
            for p in folder.iterdir():
                if p.suffix.lstrip(".") in FORMATS or (p.name.startswith(".") and p.name.endswith(".tmp")):
                    p.unlink()
            if not any(folder.iterdir()):
                folder.rmdir()


class FileSink:
    """Writes each table as rows arrive: `<out>/<table>.<fmt>`, or `<out>/<table>/<part>.parquet` for a part.

    Rows are buffered and written in batches (a Parquet row group each); `close()` writes the rest and makes every
    file complete, so an interrupted or failed run leaves readable tables holding all it processed.
    """

    def __init__(self, out: str | Path, fmt: str = "parquet", part: str | None = None, batch: int = BATCH):
        if fmt not in FORMATS:
            raise InputError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
        self.out, self.fmt, self.part, self.batch = Path(out), fmt, part, batch
        self.out.mkdir(parents=True, exist_ok=True)
        self._buf: dict[str, list[dict]] = {t: [] for t in TABLES}
        self._writers: dict[str, Any] = {}
        self._started: set[str] = set()
        self.written: Counter = Counter()
        self._closed = False
        if part is None:
            clear_output(self.out)

    def path(self, table: str, final: bool = False) -> Path:
        if self.part is None:
            return self.out / f"{table}.{self.fmt}"
        (self.out / table).mkdir(exist_ok=True)
        name = f"{self.part}.{self.fmt}"
        return self.out / table / (name if final else f".{name}.tmp")

    def __call__(self, table: str, rows: list[dict]) -> None:
        buf = self._buf[table]
        buf.extend(rows)
        if len(buf) >= self.batch or table == "pages":
            self._write(table)

    def _write(self, table: str) -> None:
        rows, self._buf[table] = self._buf[table], []
        if not rows and table in self._started:
            return
        path = self.path(table)
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            writer = self._writers.get(table)
            if writer is None:
                writer = self._writers[table] = pq.ParquetWriter(path, arrow_schema(table))
            writer.write_table(_arrow(table, rows))
        elif self.fmt == "csv":
            df = frame(table, rows)
            df.to_csv(path, mode="a" if table in self._started else "w", header=table not in self._started,
                      index=False, date_format="%Y-%m-%dT%H:%M:%SZ")
        else:
            df = frame(table, rows)
            if table == "flags":  # fields as a JSON object of the line, not a string holding JSON
                df = df.astype({"fields": object})
                df["fields"] = [json.loads(x) if isinstance(x, str) else None for x in df["fields"]]
            text = df.to_json(orient="records", lines=True, date_format="iso", date_unit="s", force_ascii=False)
            with path.open("a" if table in self._started else "w", encoding="utf-8") as f:
                if text.strip():
                    f.write(text if text.endswith("\n") else text + "\n")
        self._started.add(table)
        self.written[table] += len(rows)

    def flush(self) -> None:
        for table in TABLES:
            if self._buf[table]:
                self._write(table)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for table in TABLES:
            self._write(table)  # the rest, or an empty table with its columns
        for w in self._writers.values():
            w.close()
        self._writers.clear()
        if self.part is not None:  # a part appears only once complete (a killed worker leaves none)
            for table in TABLES:
                self.path(table).replace(self.path(table, final=True))


def table_format(out: Path) -> str:
    """The format of the tables in an output folder, or InputError when it holds none."""
    for fmt in FORMATS:
        if table_paths(out, "pages", fmt) or table_paths(out, "revisions", fmt):
            return fmt
    raise InputError(f"{out}: no history tables here (expected revisions.parquet, .csv or .jsonl, or Dask parts)")


def read_table(out: str | Path, table: str) -> Any:
    """One table of an output folder (whatever its format, one file or Dask parts) as a DataFrame."""
    import pandas as pd

    out = Path(out)
    for fmt in FORMATS:
        paths = table_paths(out, table, fmt)
        if not paths:
            continue
        if fmt == "parquet":
            df = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
        elif fmt == "csv":
            df = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""]) for p in paths],
                           ignore_index=True)
            df = _from_text(table, df)
        else:
            rows: list[dict] = []
            for p in paths:
                with p.open(encoding="utf-8") as f:
                    rows.extend(json.loads(line) for line in f if line.strip())
            for row in rows:
                if isinstance(row.get("fields"), dict):
                    row["fields"] = json.dumps(row["fields"], ensure_ascii=False, sort_keys=True)
            df = pd.DataFrame(rows, columns=[c for c, _ in TABLES[table]])
        return coerce(table, df)
    raise InputError(f"{out}: no {table} table here (expected {table}.parquet, .csv or .jsonl)")


def _from_text(table: str, df: Any) -> Any:
    for col, kind in TABLES[table]:
        if col in df.columns and kind == "bool":
            df[col] = df[col].map({"True": True, "False": False, "true": True, "false": False})
        elif col in df.columns and kind == "int":
            df[col] = df[col].astype("Float64").astype("Int64")
    return df



class History:
    """A history (one page or many) as pandas DataFrames: `revisions`, `flags`, `reverts`, `refs` (lifetimes),
    `mutual_reverts` and `pages` (one row per page with its M).

    Made by `wikidiff.history(...)`, or read from an output folder with `History.load(folder)`; a history read from
    a folder loads each table when it is first used.
    """

    def __init__(self, revisions: Any = None, flags: Any = None, reverts: Any = None, refs: Any = None,
                 mutual_reverts: Any = None, pages: Any = None, stats: RunStats | None = None, *,
                 folder: str | Path | None = None):
        given = {"revisions": revisions, "flags": flags, "reverts": reverts, "refs": refs,
                 "mutual_reverts": mutual_reverts, "pages": pages}
        self._frames: dict[str, Any] = {t: df for t, df in given.items() if df is not None}
        self.folder = Path(folder) if folder is not None else None
        if self.folder is None and len(self._frames) != len(TABLES):
            raise InputError(f"a History needs all its tables ({', '.join(TABLES)}) or a folder to read them from")
        self.stats = stats

    def _table(self, name: str) -> Any:
        df = self._frames.get(name)
        if df is None:
            assert self.folder is not None
            df = self._frames[name] = read_table(self.folder, name)
        return df

    @property
    def revisions(self) -> Any:
        return self._table("revisions")

    @property
    def flags(self) -> Any:
        return self._table("flags")

    @property
    def reverts(self) -> Any:
        return self._table("reverts")

    @property
    def refs(self) -> Any:
        return self._table("refs")

    @property
    def mutual_reverts(self) -> Any:
        return self._table("mutual_reverts")

    @property
    def pages(self) -> Any:
        return self._table("pages")

    @classmethod
    def from_frames(cls, frames: dict[str, Any], stats: RunStats | None = None) -> History:
        return cls(**{t: frames[t] for t in TABLES}, stats=stats)

    @classmethod
    def load(cls, out: str | Path, stats: RunStats | None = None) -> History:
        """The tables a run wrote to an output folder (any format; single run or Dask parts), each read when
        first used; an InputError now when the folder holds no tables."""
        table_format(Path(out))
        return cls(folder=out, stats=stats)

    def M(self, title: str | None = None) -> int:
        """The controversy measure M of a page (the only page when there is one)."""
        pages = self.pages if title is None else self.pages[self.pages["title"] == title]
        if len(pages) != 1:
            raise InputError(f"{len(pages)} pages match; name one: {', '.join(map(str, self.pages['title']))}")
        return int(pages["M"].iloc[0])

    def to_files(self, out: str | Path, fmt: str = "parquet") -> None:
        sink = FileSink(out, fmt)
        for t in TABLES:
            df = getattr(self, t)
            sink(t, df.astype(object).where(df.notna(), None).to_dict("records"))
        sink.close()

    def plot_activity(self, **kw: Any) -> Any:
        from .plots import plot_activity

        return plot_activity(self.revisions, **kw)

    def plot_refs(self, **kw: Any) -> Any:
        from .plots import plot_refs

        return plot_refs(self.revisions, **kw)

    def plot_revert_graph(self, **kw: Any) -> Any:
        from .plots import plot_revert_graph

        return plot_revert_graph(self.reverts, self.revisions, **kw)

    def __repr__(self) -> str:
        reverted = int(self.revisions["is_reverted"].fillna(False).sum())
        return (f"<History {len(self.pages)} pages, {len(self.revisions)} revisions, {len(self.flags)} flags, "
                f"{int(self.revisions['is_revert'].fillna(False).sum())} reverts, {reverted} reverted revisions, "
                f"{len(self.refs)} ref lifetimes>")
