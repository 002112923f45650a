"""Defaults of history runs, as mwreverts keeps them in one place."""

#: identity reverts look this many revisions back (mwreverts' default)
RADIUS = 15
#: table formats a run writes
FORMATS = ("parquet", "csv", "jsonl")
#: bump when the cached audit row changes shape
CACHE_SCHEMA = 2
#: audits kept in memory by the audit cache (an edit war repeats pairs)
CACHE_MEMORY = 512
#: rows buffered per table before a write (a Parquet row group each)
BATCH = 5000
