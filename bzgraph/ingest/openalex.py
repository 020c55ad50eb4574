"""Pure mapping from OpenAlex JSON records to the row dicts the loader writes (no I/O, no database).

Both Work schemas are understood: the current one (``primary_location``, ``topics``) and the 2022
one (``host_venue``, ``concepts``, Crossref type names). Author records map to researchers with
their alternative names and affiliations. ``raw_affiliation_strings`` are never read: they can
hold e-mail addresses. What is mapped and what is not is listed in ``docs/import.md``.
"""

from __future__ import annotations

import datetime
import html
import re
import unicodedata
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from bzgraph import identifiers
from bzgraph.folding import name_key, sort_key, spellings
from bzgraph.queries import CYPHER_INTEGER
from bzgraph.text import BIDI_CONTROLS, INVISIBLE, REMOVED_AT_IMPORT, controls_as_spaces, is_visible

OPENALEX_PREFIX = "https://openalex.org/"
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/",
                "https://www.doi.org/", "http://www.doi.org/", "doi:")
ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$")
DATE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# ISO 8601 as OpenAlex writes it; a trailing Z (UTC, as OpenAlex means anyway) is dropped so that copies compare
VERSION_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9:.]{1,20})?Z?$")
_DIGITS = re.compile(r"^[0-9]{1,20}$")  # OpenAlex ids have about 10; ids are range-indexed (8 kB at most)
DOI_MAX = 1000  # characters; DOIs are range-indexed, and real ones are far shorter
ROR_MAX = 200
LABEL_MAX = 200  # characters of a country code, a language, a work, institution or venue type: longer is not one
INT32_MAX = 2**31 - 1  # the largest GraphQL Int: a count the API shows is no larger

# Crossref type names of the 2022 schema -> OpenAlex's current names (others pass through).
LEGACY_WORK_TYPES = {
    "journal-article": "article",
    "proceedings-article": "article",
    "posted-content": "preprint",
    "book-part": "book-chapter",
    "book-section": "book-chapter",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "reference-entry": "reference-entry",
}


class MalformedRecord(ValueError):
    """A record that cannot be mapped; the message is the reason shown to the user."""


@dataclass
class Rows:
    """Everything one or more records contribute, as lists of plain dicts (Cypher parameters)."""

    sources: list[dict[str, Any]] = field(default_factory=list)
    topics: list[dict[str, Any]] = field(default_factory=list)
    institutions: list[dict[str, Any]] = field(default_factory=list)
    researchers: list[dict[str, Any]] = field(default_factory=list)
    works: list[dict[str, Any]] = field(default_factory=list)
    affiliations: list[dict[str, Any]] = field(default_factory=list)


_PLAIN_ID = re.compile(r"(?:https://openalex\.org/)?([A-Za-z])([0-9]{1,20})")


def short_id(value: Any, prefixes: str) -> str | None:
    """``https://openalex.org/W123`` -> ``W123`` when it starts with one of ``prefixes``."""
    if not isinstance(value, str) or not value:
        return None
    plain = _PLAIN_ID.fullmatch(value)  # the usual form, in one step (a work lists ~40 references)
    if plain is not None:
        letter = plain[1].upper()
        return letter + plain[2] if letter in prefixes else None
    found = identifiers.openalex(value)  # every form the API takes (http, any case, api.openalex.org/works/…)
    if found is not None:
        return found if found[0] in prefixes else None
    ident = value.strip().removeprefix(OPENALEX_PREFIX).strip()  # a 2022 `V` id, or one of 19-20 digits
    if not ident or ident[0].upper() not in prefixes or not _DIGITS.match(ident[1:]):
        return None
    return ident[0].upper() + ident[1:]


def clean_doi(value: Any) -> str | None:
    """A DOI without URL prefix, lower case."""
    if not isinstance(value, str) or not value.strip():
        return None
    doi = value.strip()
    for prefix in DOI_PREFIXES:
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):].strip()
            break
    if len(doi) > DOI_MAX:
        raise MalformedRecord(f"doi is longer than {DOI_MAX} characters")
    return doi.lower() or None


def clean_orcid(value: Any) -> str | None:
    """An ORCID iD as ``0000-0000-0000-0000``, from a bare iD or an orcid.org URL, read as a claim's
    evidence or a search is (:func:`bzgraph.identifiers.orcid`: the whole value, its check
    character checked); anything else is no ORCID."""
    return identifiers.orcid(value) if isinstance(value, str) else None


# An entity: a name with its semicolon, or a decimal or hexadecimal number with or without one (as HTML reads
# them: the sample has `2016&#93`). A name without its semicolon (`&copy=3` in a URL's query) is text: browsers
# read some such names, but in text it is a URL far more often.
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31};|#[0-9]{1,8};?|#[xX][0-9A-Fa-f]{1,6};?)")


def _decoded(match: re.Match[str]) -> str:
    return html.unescape(match.group())


def unescape(value: str) -> str:
    """HTML entities decoded, also when the source encoded them twice (``&amp;#225;`` -> ``á``);
    a named one only with its semicolon (``?id=5&copy=3`` stays as it is)."""
    for _ in range(3):
        if "&" not in value:
            break
        decoded = _ENTITY.sub(_decoded, value)
        if decoded == value:
            break
        value = decoded
    return value


_DOTLESS_I_ACCENTED = re.compile("\u0131(?=[\u0300-\u036f])")


def compose(value: str) -> str:
    """Text in Unicode's composed form (NFC), as people type it and search for it; a dotless ``ı``
    carrying an accent (how some records write ``í``, from LaTeX's ``\\'{\\i}``) is an ``i``."""
    return unicodedata.normalize("NFC", _DOTLESS_I_ACCENTED.sub("i", value))


def text(value: Any) -> str | None:
    """A string with HTML entities decoded, control characters (line breaks too) made spaces,
    bidirectional controls and invisible characters (soft hyphens, word joiners) removed,
    composed (:func:`compose`) and surrounding white space removed, or None for non-strings and for
    text that shows nothing (white space, zero-width or format characters alone)."""
    if not isinstance(value, str):
        return None
    cleaned = compose(controls_as_spaces(INVISIBLE.sub("", BIDI_CONTROLS.sub("", unescape(value))))).strip()
    return cleaned if is_visible(cleaned) else None


# Markup OpenAlex titles carry (HTML and JATS formatting, MathML): inline tags join what they wrap
# to its neighbours (`SrFe<sub>12</sub>O<sub>19</sub>`), breaks and paragraphs separate words.
_INLINE = re.compile(r"</?(?:i|b|u|em|strong|sub|sup|scp|sc|small|span|tt|mml:[a-z]+|jats:(?:italic|bold|sub|sup|sc|"
                     r"underline|monospace|inline-formula|styled-content))(?:\s[^<>]*)?/?>", re.I)
_BREAK = re.compile(r"</?(?:br|p|jats:p|jats:title|subtitle|jats:subtitle)(?:\s[^<>]*)?/?>", re.I)
_SPACES = re.compile(r"\s{2,}")
_SPACE_RUNS = re.compile(" {2,}")


def title_text(value: Any) -> str | None:
    """A title as :func:`text` gives it, without its markup: shown and searched as words
    (``SrFe12O19``), never rendered as HTML. Other ``<`` signs stay (``a < b``)."""
    title = text(value)
    if not title:
        return None
    title = _SPACES.sub(" ", _BREAK.sub(" ", _INLINE.sub("", title))).strip()
    return title if is_visible(title) else None  # `<i>\u200b</i>` shows nothing once its markup is gone


def rebuild_abstract(inverted: Any) -> str | None:
    """The abstract from ``abstract_inverted_index``: words in position order, single spaces,
    cleaned as :func:`text` cleans names and titles (composed, so that search finds its accented
    words; without controls, bidirectional controls and invisible characters)."""
    if not inverted:
        return None
    if not isinstance(inverted, dict):
        raise MalformedRecord("abstract_inverted_index is not an object")
    if not all(type(positions) is list for positions in inverted.values()):
        raise MalformedRecord("abstract_inverted_index has non-integer positions")
    placed = [(position, word) for word, positions in inverted.items() for position in positions]
    if not {type(position) for position, _ in placed} <= {int}:
        raise MalformedRecord("abstract_inverted_index has non-integer positions")
    placed.sort(key=itemgetter(0))  # stable: words sharing a position keep their record order
    abstract = text(" ".join([word for _, word in placed if word]))
    return _SPACE_RUNS.sub(" ", abstract) if abstract else None  # a word cleaned away leaves one space


def _list(record: dict[str, Any], key: str) -> list[Any]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedRecord(f"{key} is not a list")
    return value


def _name(value: Any) -> str | None:
    return text(value.get("display_name")) if isinstance(value, dict) else None


def _institution(inst: Any) -> dict[str, Any] | None:
    """An institution row; None for institutions without an OpenAlex id (raw strings)."""
    if not isinstance(inst, dict):
        return None
    ident = short_id(inst.get("id"), "I")
    if ident is None:
        return None
    ror = inst.get("ror")
    name = _name(inst) or ident
    return {"id": ident, "name": name, "nameKey": name_key(name), "spellings": spellings(name),
            "ror": ror if isinstance(ror, str) and 0 < len(ror) <= ROR_MAX else None,
            "country": _label(inst.get("country_code")), "type": _label(inst.get("type"))}


def _topic(topic: dict[str, Any]) -> dict[str, Any] | None:
    ident = short_id(topic.get("id"), "T")
    if ident is None:
        return None
    name = _name(topic) or ident
    return {"id": ident, "name": name, "nameKey": name_key(name), "spellings": spellings(name),
            "subfield": _name(topic.get("subfield")),
            "field": _name(topic.get("field")), "domain": _name(topic.get("domain"))}


def _concept(concept: dict[str, Any]) -> dict[str, Any] | None:
    """A 2022 concept as a topic (no subfield/field/domain in that taxonomy)."""
    ident = short_id(concept.get("id"), "C")
    if ident is None:
        return None
    name = _name(concept) or ident
    return {"id": ident, "name": name, "nameKey": name_key(name), "spellings": spellings(name), "subfield": None,
            "field": None, "domain": None}


def _source(work: dict[str, Any]) -> dict[str, Any] | None:
    """The venue of the primary location (2022: ``host_venue``, whose ``V`` ids are ``S`` ids; its
    ``type`` says how that one copy is hosted, ``publisher`` or ``repository``, not what the venue
    is, so a 2022 venue has no type)."""
    current = "primary_location" in work
    if current:
        location = work.get("primary_location")
        source = location.get("source") if isinstance(location, dict) else None
    else:
        source = work.get("host_venue")
    if not isinstance(source, dict):
        return None
    ident = short_id(source.get("id"), "SV")
    if ident is None:
        return None
    issn = source.get("issn_l")
    return {"id": "S" + ident[1:], "name": _name(source) or ident, "type": _label(source.get("type")) if current else None,
            "issn": issn if isinstance(issn, str) else None}


def _score(value: Any) -> float | None:
    return float(value) if type(value) in (int, float) and 0 < value <= 1 else None  # not a bool


def _count(value: Any) -> int | None:
    """A count: an integer from 0 that Cypher can hold (64 bits); None for anything else."""
    return value if type(value) is int and 0 <= value and value in CYPHER_INTEGER else None


def _label(value: Any) -> str | None:
    """A short text value (a country code, a type); None for anything that is not text."""
    return text(value) if isinstance(value, str) and len(value) <= LABEL_MAX else None


def _year(value: Any) -> int | None:
    return value if type(value) is int and -9999 <= value <= 9999 else None


def _date(value: Any) -> str | None:
    """An ISO date (``YYYY-MM-DD``) that exists in the calendar; None for anything else."""
    if not isinstance(value, str) or not DATE_PATTERN.match(value):
        return None
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return value


def record_version(record: dict[str, Any]) -> str:
    """When OpenAlex last updated ``record`` (its ``updated_date``, ISO 8601; "" when unknown). Copies
    of one record compare by it, and the newest wins, in whatever order they are imported."""
    value = record.get("updated_date")
    return value.removesuffix("Z") if isinstance(value, str) and VERSION_PATTERN.match(value) else ""


def versioned(row: dict[str, Any], version: str, *keys: str) -> dict[str, Any]:
    """``row`` with the ``version`` it wins by: the record's version, then its own values of ``keys``.
    A venue, topic, institution or author named in many records gets its properties from the newest
    record; between records with the same ``updated_date``, the values decide, so the result never
    depends on order. A name that is only the node's id (the record gave none) counts as no name, so
    that a copy of the same date that names the node wins."""
    row["version"] = version + "".join("\x1f" + ("" if row[k] is None or (k == "name" and row[k] == row["id"])
                                                  else str(row[k]).translate(_REMOVED)) for k in keys)
    return row


# The characters an import removes from text, left out of the values a version holds: a stored version is compared
# without them (cypher/ingest/entities.cypher), so a raw value holding one (an ISSN) must be compared so too, or the
# copy that wins between two of the same date would depend on which came first.
_REMOVED = str.maketrans("", "", "".join(REMOVED_AT_IMPORT))


# Keys every whole record has (null when empty), each as alternatives of the record's eras. A dated
# record (with `updated_date`) without one of them is partial, as the API's `select=` gives: taken as
# whole, it would win over older copies and clear what it leaves out (authors, topics, the venue, an
# ORCID), orphaning the researchers only it named. An undated record loses to every dated copy.
WORK_KEYS = (("authorships",), ("topics", "concepts"), ("primary_location", "host_venue"), ("title", "display_name"))
AUTHOR_KEYS = (("display_name",), ("orcid",))
# OpenAlex's list endpoints cut author lists at this many; records from before `is_authors_truncated`
# do not say so, but a cut list's last author is not the `last`.
AUTHORS_CUT_AT = 100


def _whole(record: dict[str, Any], keys: tuple[tuple[str, ...], ...], kind: str) -> None:
    """``MalformedRecord`` for a partial dated record (``keys``: what every whole one has)."""
    if not record_version(record):
        return
    missing = [" or ".join(alternatives) for alternatives in keys if not any(k in record for k in alternatives)]
    if missing:
        raise MalformedRecord(f"a partial {kind} record (as the API's select= gives) lacks {', '.join(missing)}: "
                              f"only whole records are imported, since what one leaves out would be cleared")


def _authors_cut(record: dict[str, Any]) -> bool:
    """Whether the record's author list is cut short: as it says, or (a record from before the flag)
    when it has as many authors as the list endpoints keep and its last is not the last author."""
    said = record.get("is_authors_truncated")
    if isinstance(said, bool):  # the records that carry the flag say it either way
        return said
    authorships = record.get("authorships")
    return (isinstance(authorships, list) and len(authorships) >= AUTHORS_CUT_AT
            and isinstance(authorships[-1], dict) and authorships[-1].get("author_position") != "last")


def map_work(record: dict[str, Any]) -> Rows:
    """One OpenAlex Work -> rows (work, its researchers, institutions, topics, venue)."""
    ident = short_id(record.get("id"), "W")
    if ident is None:
        raise MalformedRecord(f"work id is missing or not an OpenAlex W id: {record.get('id')!r}")
    _whole(record, WORK_KEYS, "Work")
    rows = Rows()
    version = record_version(record)
    year = _year(record.get("publication_year"))
    doi = clean_doi(record.get("doi"))
    arxiv = ARXIV_DOI.match(doi) if doi else None
    work_type = _label(record.get("type")) or "other"
    cited_by = record.get("cited_by_count")
    title = title_text(record.get("title")) or title_text(record.get("display_name"))  # None: no title
    work: dict[str, Any] = {
        "id": ident,
        "title": title,
        "sortTitle": sort_key(title),
        "spellings": spellings(title),
        "abstract": rebuild_abstract(record.get("abstract_inverted_index")),
        "year": year,
        "date": _date(record.get("publication_date")),
        "type": LEGACY_WORK_TYPES.get(work_type, work_type),
        "language": _label(record.get("language")),
        "doi": doi,
        "arxivId": arxiv.group(1) if arxiv else None,
        # an API Int is 32 bits: a count past it (no work is cited that often) is no count
        "citedByCount": cited if (cited := _count(cited_by)) is not None and cited <= INT32_MAX else 0,
        "rawAuthorNames": [],
        # OpenAlex's list endpoints cut author lists at 100: the authors past them are kept
        "authorsTruncated": _authors_cut(record),
        "authors": [],
        "topics": [],
        "references": [],
        "source": None,
        "version": version,
    }
    places: dict[str, dict[str, Any]] = {}  # author id -> their entry in work["authors"]
    for position, authorship in enumerate(_list(record, "authorships"), start=1):
        if not isinstance(authorship, dict):
            raise MalformedRecord(f"authorships[{position - 1}] is not an object")
        author: dict[str, Any] = authorship["author"] if isinstance(authorship.get("author"), dict) else {}
        author_id = short_id(author.get("id"), "A")
        raw_name = text(authorship.get("raw_author_name"))
        display = _name(author)
        if author_id is None:
            if raw_name or display:
                work["rawAuthorNames"].append(raw_name or display)
            continue
        # OpenAlex sometimes lists an author twice: the first place is the position, the
        # institutions of both count.
        if author_id not in places:
            places[author_id] = {"researcher": author_id, "position": position, "institutions": []}
            work["authors"].append(places[author_id])
            # raw_author_name is the string as parsed from the paper (often several names run
            # together): it names the author on this work only and is not kept as an alias.
            shown = display or raw_name or author_id
            rows.researchers.append(versioned({"id": author_id, "name": shown, "nameKey": name_key(shown),
                                               "orcid": clean_orcid(author.get("orcid")),
                                               "names": [display] if display else [],
                                               "authoritative": False}, version, "name", "orcid"))
        for inst in _list(authorship, "institutions"):
            institution = _institution(inst)
            if institution is None:
                continue
            rows.institutions.append(versioned(institution, version, "name", "ror", "country", "type"))
            rows.affiliations.append({"researcher": author_id, "institution": institution["id"],
                                      "years": [year] if year is not None else []})
            listed = places[author_id]["institutions"]  # the institutions this work gives the author
            if institution["id"] not in listed:
                listed.append(institution["id"])
    if "topics" in record:
        topics = [(_topic(t), t.get("score")) for t in _list(record, "topics") if isinstance(t, dict)]
    else:
        topics = [(_concept(c), c.get("score")) for c in _list(record, "concepts") if isinstance(c, dict)]
    for topic, score in topics:
        if topic is not None and _score(score) is not None and all(t["topic"] != topic["id"] for t in work["topics"]):
            rows.topics.append(versioned(topic, version, "name", "subfield", "field", "domain"))
            work["topics"].append({"topic": topic["id"], "score": _score(score)})
    work["references"] = sorted({ref for ref in (short_id(r, "W") for r in _list(record, "referenced_works"))
                                 if ref is not None and ref != ident})
    source = _source(record)
    if source is not None:
        rows.sources.append(versioned(source, version, "name", "type", "issn"))
        work["source"] = source["id"]
    rows.works.append(work)
    return rows


def map_author(record: dict[str, Any]) -> Rows:
    """One OpenAlex Author record -> a researcher (authoritative name, alternatives) and affiliations."""
    ident = short_id(record.get("id"), "A")
    if ident is None:
        raise MalformedRecord(f"author id is missing or not an OpenAlex A id: {record.get('id')!r}")
    _whole(record, AUTHOR_KEYS, "Author")
    rows = Rows()
    name = _name(record)
    alternatives = [t for t in (text(a) for a in _list(record, "display_name_alternatives")) if t]
    version = record_version(record)
    rows.researchers.append({"id": ident, "name": name or ident, "nameKey": name_key(name or ident),
                             "orcid": clean_orcid(record.get("orcid")),
                             "names": [n for n in [name, *alternatives] if n], "authoritative": True,
                             "version": version})
    for affiliation in _list(record, "affiliations"):
        if not isinstance(affiliation, dict):
            continue
        institution = _institution(affiliation.get("institution"))
        if institution is None:
            continue
        listed = affiliation.get("years")
        years = sorted({y for y in listed if _year(y) is not None}) if isinstance(listed, list) else []
        rows.institutions.append(versioned(institution, version, "name", "ror", "country", "type"))
        rows.affiliations.append({"researcher": ident, "institution": institution["id"], "years": years})
    return rows


def records_of(document: Any) -> list[tuple[str, Any]]:
    """The records inside one parsed JSON value, each with where it sits (``works[3]``, ``results[0]``).

    A value is a Work, an Author, a ``{"details": author, "works": [...]}`` bundle, an API page
    ``{"results": [...]}`` or a list of any of these. What cannot be a record (a number inside a
    list, say) comes as a :class:`MalformedRecord` in its place, so the records around it still count.
    """
    if isinstance(document, list):
        return [(f"[{i}]{'.' + where if where else ''}", rec)
                for i, item in enumerate(document) for where, rec in records_of(item)]
    if not isinstance(document, dict):
        return [("", MalformedRecord("not a JSON object"))]
    if "details" in document and "works" in document:
        found = [("details", document["details"])] if document["details"] is not None else []
        works = document["works"]
        if not isinstance(works, list):
            return found + [("works", MalformedRecord("works is not a list"))]
        return found + [(f"works[{i}]", w) for i, w in enumerate(works)]
    if "results" in document and isinstance(document["results"], list):
        return [(f"results[{i}]", r) for i, r in enumerate(document["results"])]
    return [("", document)]


# Keys only one kind of record has: a record with the other kind's id letter is named for its shape,
# not reported as a record of that kind lacking its keys.
_WORK_ONLY = ("authorships", "abstract_inverted_index", "referenced_works", "publication_year")
_AUTHOR_ONLY = ("works_count", "display_name_alternatives", "last_known_institutions", "affiliations")


def map_record(record: Any) -> Rows:
    """A Work or an Author, told apart by the id's letter."""
    if not isinstance(record, dict):
        raise MalformedRecord("record is not a JSON object")
    ident = record.get("id")
    kind = ident.removeprefix(OPENALEX_PREFIX)[:1].upper() if isinstance(ident, str) else ""
    works_keys, authors_keys = (any(k in record for k in keys) for keys in (_WORK_ONLY, _AUTHOR_ONLY))
    if kind == "A" and works_keys and not authors_keys:
        raise MalformedRecord(f"a Work record (by its keys) with an Author id: {ident!r}")
    if kind == "W" and authors_keys and not works_keys:
        raise MalformedRecord(f"an Author record (by its keys) with a Work id: {ident!r}")
    if kind == "W":
        return map_work(record)
    if kind == "A":
        return map_author(record)
    raise MalformedRecord(f"not an OpenAlex Work or Author id: {ident!r}")
