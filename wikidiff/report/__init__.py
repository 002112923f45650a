"""Renderers: an Audit -> text in one format. Each format lives in its own module with render(audit) -> str."""

from __future__ import annotations

import importlib

from ..errors import InputError

FORMATS = {"text": "text", "json": "json_report", "markdown": "markdown", "html": "html", "wikitext": "wikitext"}


def render(audit, fmt: str = "text", *, color: bool | None = None, brief: bool = False) -> str:
    """The report in `fmt`; `color` applies to the text report (None: only on a terminal, see NO_COLOR); `brief`
    (text only) stops after the summary and what to fix first."""
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
    if fmt == "text":
        return module.render(audit, color=color, brief=brief)
    return module.render(audit)
