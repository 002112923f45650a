"""Errors that the CLI turns into one clear line on stderr and exit status 2."""


class WikidiffError(Exception):
    """Base class: bad input, a fetch that cannot succeed, a missing cache entry."""


class InputError(WikidiffError):
    """The input cannot be read or understood (bad file, bad encoding, bad URL, bad ids)."""


class FetchError(WikidiffError):
    """A revision could not be fetched (network fault, deleted revision, missing page)."""
