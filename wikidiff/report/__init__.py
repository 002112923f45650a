"""Renderers: an Audit -> text in one format. Each format lives in its own module with render(audit) -> str."""

from __future__ import annotations

import importlib

from ..errors import InputError

FORMATS = {"text": "text", "json": "json_report", "markdown": "markdown", "html": "html", "wikitext": "wikitext"}


def render(audit, fmt: str = "text", *, brief: bool = False) -> str:
    """The audit as a report in `fmt`; `brief` (text only) stops after what to fix first."""
    if brief and fmt != "text":
        raise InputError(f"a brief report is a text report, not {fmt}", param="brief")
    module_name = FORMATS.get(fmt)
    if module_name is None:
        raise InputError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
    try:
        module = importlib.import_module(f"wikidiff.report.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"wikidiff.report.{module_name}":
            raise InputError(f"the {fmt} report is not available in this version") from None
        raise
    return module.render(audit, brief=True) if brief else module.render(audit)
