"""Identity reverts, one revision at a time (shaped like mwreverts' `Detector`).

A revision whose checksum equals that of one of the `radius` + 1 revisions before it reverts every revision after
the latest such one; a revision identical to its predecessor reverts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from ..errors import InputError
from .defaults import RADIUS

R = TypeVar("R")


@dataclass
class Revert(Generic[R]):
    """`reverting` brought the page back to `reverted_to`, undoing `reverteds` (newest first)."""

    reverting: R
    reverted_to: R
    reverteds: list[R]


class Detector(Generic[R]):
    """Feed checksums in page order with whatever stands for each revision (here its position); `process` returns
    the Revert the revision makes, or None."""

    def __init__(self, radius: int = RADIUS):
        if radius < 1:
            raise InputError(f"revert radius must be a positive integer, not {radius}")
        self.radius = radius
        self._window: list[tuple[object, R]] = []  # (checksum, revision), oldest first, at most radius + 1

    def process(self, checksum: str | None, revision: R) -> Revert[R] | None:
        key: object = checksum if checksum is not None else object()  # an unknown checksum matches nothing
        revert = None
        for i in range(len(self._window) - 1, -1, -1):
            if self._window[i][0] == key:
                reverteds = [r for _, r in reversed(self._window[i + 1:])]
                if reverteds:
                    revert = Revert(revision, self._window[i][1], reverteds)
                break
        self._window.append((key, revision))
        if len(self._window) > self.radius + 1:
            del self._window[0]
        return revert


#: the name this class had before the package split
RevertDetector = Detector
