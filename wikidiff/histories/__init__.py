"""Page histories -> tables: every consecutive pair audited, identity reverts, mutual reverts, Sumi et al.'s M,
reference lifetimes; in one process or on Dask.

Modules, lowest first: `defaults` (radius, formats), `detector` (identity reverts, as mwreverts), `mutual`
(mutual reverts and M), `reflife` (ref lifetimes), `schema` (the tables' columns), `cache` (finished audits),
`run` (one page: each consecutive pair audited), `tables` (sinks and `History`), `progress`, `pages` (dump files
and the API), `facade` (`history(...)`), `dask` (partitions on Dask), `plots` (matplotlib).

Definitions (see DOMAIN.md):
- identity revert (as in mwreverts): a revision whose SHA-1 equals that of one of the `radius` + 1 revisions before
  it reverts every revision after the latest such one; a revision identical to its predecessor reverts nothing;
- self-revert: a revert all of whose reverted revisions were made by the reverting editor;
- editor A reverted editor B when a revert by A reverted a revision by B (A != B; hidden users are left out);
  a mutually reverting pair reverted each other at least once each way;
- M (Sumi, Yasseri, Rung, Kornai, Kertész 2011, "Edit wars in Wikipedia"): for each mutually reverting pair,
  min(N_a, N_b) with N the editor's number of edits to the page; sum over all pairs but the one with the largest
  value; times E, the number of editors in mutually reverting pairs.
"""

from .cache import AuditCache
from .defaults import FORMATS, RADIUS
from .detector import Detector, Revert, RevertDetector
from .facade import history
from .mutual import controversy, mutual_pairs
from .pages import ApiOptions, api_pages, file_pages
from .reflife import ref_identities
from .run import Options, PageRun, PageSource, normalise_since, run_pages
from .schema import TABLES, RunStats, flag_column
from .tables import FileSink, History, MemorySink, read_table

__all__ = ["FORMATS", "RADIUS", "TABLES", "ApiOptions", "AuditCache", "Detector", "FileSink", "History",
           "MemorySink", "Options", "PageRun", "PageSource", "Revert", "RevertDetector", "RunStats", "api_pages",
           "controversy", "file_pages", "flag_column", "history", "mutual_pairs", "normalise_since",
           "read_table", "ref_identities", "run_pages"]
