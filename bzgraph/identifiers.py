"""Scholarly identifiers as people paste them: ORCID iDs, DOIs, arXiv ids, ROR ids and OpenAlex ids,
bare or as their web addresses, turned into the forms the graph stores (docs/graph-model.md)."""

from __future__ import annotations

import re

# bare or as an orcid.org address (any case, with or without the scheme and "www."), with or without
# hyphens, the check character X in either case
_ORCID = re.compile(r"^(?:(?:https?://)?(?:www\.)?orcid\.org/)?([0-9]{4})-?([0-9]{4})-?([0-9]{4})-?([0-9]{3}[0-9X])/?$",
                    re.IGNORECASE)
_DOI = re.compile(r"^(?:(?:https?://)?(?:dx\.|www\.)?doi\.org/|doi:\s*)?(10\.[0-9]{4,9}/\S+)$", re.IGNORECASE)
_ARXIV = re.compile(r"^(?:(?:https?://)?(?:www\.)?arxiv\.org/(?:abs|pdf)/|arxiv:\s*)?([0-9]{4}\.[0-9]{4,5})(?:v[0-9]+)?$",
                    re.IGNORECASE)
_ROR = re.compile(r"^(?:(?:https?://)?(?:www\.)?ror\.org/)?(0[a-z0-9]{6}[0-9]{2})/?$", re.IGNORECASE)
# bare, as a record gives it (https://openalex.org/W…), or as a page of the site or the API shows it
# (https://openalex.org/works/W…, https://api.openalex.org/works/W…)
_OPENALEX = re.compile(r"^(?:(?:https?://)?(?:www\.|api\.)?openalex\.org/"
                       r"(?:(?:works|authors|institutions|topics|sources|concepts)/)?)?([WAITSC][0-9]{1,18})$", re.IGNORECASE)


def orcid_form(value: str) -> str | None:
    """``value`` as an ORCID iD written ``0000-0002-1825-0097`` (upper-case X), its check digit not
    yet checked; None when it is not written as one."""
    match = _ORCID.match(value.strip())
    return "-".join(match.groups()).upper() if match else None


def orcid_checks(orcid: str) -> bool:
    """Whether an iD written as :func:`orcid_form` gives it has the right check character (ISO 7064 11,2)."""
    digits = orcid.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def orcid(value: str) -> str | None:
    """A valid ORCID iD in its stored form, or None."""
    found = orcid_form(value)
    return found if found and orcid_checks(found) else None


def doi(value: str) -> str | None:
    """A DOI without its address or ``doi:`` prefix, lower case (as stored), or None."""
    match = _DOI.match(value.strip())
    return match.group(1).lower() if match else None


def arxiv(value: str) -> str | None:
    """A new-style arXiv id (``2012.03772``, its version left off), bare, ``arXiv:`` or an arxiv.org
    address, or None."""
    match = _ARXIV.match(value.strip())
    return match.group(1) if match else None


def ror(value: str) -> str | None:
    """A ROR id (``03yez3163``), bare or as its ror.org address, lower case, or None."""
    match = _ROR.match(value.strip())
    return match.group(1).lower() if match else None


def openalex(value: str) -> str | None:
    """An OpenAlex id (``W4200344755``), bare or as its openalex.org address, or None."""
    match = _OPENALEX.match(value.strip())
    return match.group(1).upper() if match else None
