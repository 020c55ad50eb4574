"""Text folded as the search indexes fold it, for the words of a search and for names compared
"as typed": one module that both the API (``bzgraph/api/search.py``) and the writers of names (the
importer, the seed loader) use, so that a name is stored and looked up the same way."""

from __future__ import annotations

import re
import unicodedata

from bzgraph.folding_table import FOLDED

_DASHES = re.compile(r"[-\u2015\u2212\ufe58\ufe63]+")  # Lucene folds the other dashes (‐ ‑ ‒ – —) to -
# What people write inside a word and do not type when they search: the apostrophes of names (O'Brien, d’Orléans),
# and a zero-width space (the index splits a word at it: `Oth\u200bmanova` was neither `othmanova` nor found by
# its whole name). `cypher/ingest/researchers.cypher` and `cypher/seed/load.cypher` list the same ones for
# researchers' aliasText.
APOSTROPHES = "'\u2019\u2018\uff07\u02bc\u00b4`"
IN_WORD = APOSTROPHES + "\u200b"
_IN_WORD = re.compile(f"[{re.escape(IN_WORD)}]")


def fold(text: str) -> str:
    """Text folded as the index's analyzer (``standard-folding``: ASCII folding, then lower case)
    folds each word: composed (NFC, as names are stored), Lucene's ASCII folding (``björn`` →
    ``bjorn``, ``straße`` → ``strasse``, ``ə`` → ``a``, ``’`` → ``'``, ``İ`` → ``I``), then lower
    case letter by letter as Lucene does (``Σ`` → ``σ`` also at a word's end). Lower case makes
    AND, OR and NOT plain words. Lucene does not analyse a prefix term, so the prefix typed so far
    must arrive folded."""
    return "".join(c.lower() for ch in unicodedata.normalize("NFC", text) for c in FOLDED.get(ch, ch))


SORT_KEY_CHARS = 300  # a sort key goes into a cursor: a long title's first 300 characters decide


def sort_key(text: str | None) -> str:
    """How a title files in a list sorted by title: as :func:`name_key` gives it (``Äpfel`` with
    ``apfel``, ``éclair`` before ``Zebra``), without the punctuation it starts with (“Quoted”,
    (Bracketed), ¿Qué?), at most ``SORT_KEY_CHARS`` characters."""
    key = name_key(text or "")
    start = next((i for i, ch in enumerate(key) if ch.isalnum()), len(key))
    return key[start:start + SORT_KEY_CHARS]


def spellings(text: str | None) -> str | None:
    """The other spellings search reads for the words of a name or title with an apostrophe (or a
    zero-width space) inside: each such word without it and split at it (the index keeps
    `d'orléans` one word, so `orleans` found nothing); None when there is none. Only those words: the
    whole text again made every other word of it count three times in the ranking."""
    words = [word for word in (text or "").split() if _IN_WORD.search(word)]
    if not words:
        return None
    return " ".join(f"{_IN_WORD.sub('', word)} {_IN_WORD.sub(' ', word)}" for word in words)


def name_key(text: str) -> str:
    """A name as a name "typed exactly" is compared with it: folded (:func:`fold`), apostrophes
    (and zero-width spaces) left out, dashes as spaces, white space single. ``José García`` and ``jose garcia``, ``Khalid
    Al‐Ramadan`` (with U+2010, as 214 names of the OpenAlex sample) and ``Khalid Al-Ramadan``,
    ``O’Brien`` and ``OBrien`` each have one key."""
    return " ".join(_DASHES.sub(" ", _IN_WORD.sub("", fold(text))).split())
