"""Full-text search over researchers, works, topics and institutions, ranked by relevance.

Whatever a user types is safe: the words are lower-cased (so AND/OR/NOT are words, not operators)
and split as the index's analyzer splits text (Lucene's special characters, control characters and
other punctuation separate words; text of separators alone finds nothing). Empty input, or input
over ``MAX_QUERY`` characters or ``MAX_TERMS`` words, is ``BAD_USER_INPUT``. The indexes fold
accents (``cypher/schema/003-fulltext.cypher``); the words are folded here the same way first
(:func:`fold`), as Lucene does not analyse a prefix term. An identifier pasted whole and a name typed
exactly rank first (``cypher/search.cypher``; docs/explore.md).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Annotated

import strawberry
from strawberry.types import Info

from bzgraph import cursors, identifiers
from bzgraph.folding import fold, name_key
from bzgraph.api.inputs import MAX_PAGE, check_first, size_argument
from bzgraph.api.nodes import Node, NodeKind
from bzgraph.api.profile import node_from_row
from bzgraph.api.works import PageInfo
from bzgraph.context import Context
from bzgraph.errors import BadUserInput

MAX_QUERY = 500
MAX_TERMS = 32
# The last word is also searched as a prefix up to this length in UTF-8: Lucene refuses a prefix of
# about 1,000 bytes ("input automaton is too large"), 334 Thai or Chinese characters, one word as
# those scripts have no spaces. A word that long is pasted, not being typed.
PREFIX_MAX_BYTES = 250
HITS_FIRST = 10  # hits on a page when `first` is left out
HITS_RANKED = 1000  # per index: totalCount counts at most this many hits of each kind
_SPECIAL = re.compile(r'[+\-&|!(){}\[\]^"~*?:\\/]')  # Lucene's special characters
# The index's analyzer drops these words (Lucene's English stop words): a required prefix clause
# for one of them could never match the word itself.
STOP_WORDS = frozenset("a an and are as at be but by for if in into is it no not of on or such that the their then "
                       "there these they this to was will with".split())
_JOINERS = {"\u200c", "\u200d"}  # zero-width (non-)joiner: part of a word, as the index keeps them
_LABELLED = re.compile(r"^(doi|arxiv)\s*:\s+", re.IGNORECASE)
_INITIAL = re.compile(r"(?<![^\W\d_])([a-z])\.")  # a letter alone before a dot: `l.` in `l. bungert` (folded)


def lucene_query(text: str) -> str | None:
    """The user's words as a safe Lucene query: every word must be found; the last one may be a
    prefix. None when the text has only separators (``(``, ``-``): nothing can match it."""
    text = unicodedata.normalize("NFC", text)  # counted as typed: `é` is one character, however it came
    if len(text) > MAX_QUERY:
        raise BadUserInput(f"`query` is longer than {MAX_QUERY} characters", argument="query")
    printable = "".join(ch if ch.isprintable() or ch in _JOINERS else " " for ch in text)
    if not printable.replace("\u200c", "").replace("\u200d", "").strip():
        raise BadUserInput("`query` needs at least one word", argument="query")
    # Folded first (folding may give special characters: `＊` is `*`), then split into words as the
    # index's analyzer splits text: left whole, `mean-field` or `carbonate,reef` would be one query
    # term the analyzer splits into two optional ones, and `A.` a term that is no stop word.
    folded = fold(printable)
    words = _words(folded)
    if not words:
        return None
    if len(words) > MAX_TERMS:
        raise BadUserInput(f"`query` has more than {MAX_TERMS} words", argument="query")
    # an initial as reference lists write names (`L. Bungert`, `Bungert, L.`) is no word of its own in
    # the index, so it may match; a letter without its dot (`Arab-D`, `Khuff C`) must
    initials = {m.group(1) for m in _INITIAL.finditer(folded)}
    must = {w: "" if w in initials else "+" for w in words}
    terms = [f"{must[w]}{_any_form(w)}" for w in words[:-1]]
    last = words[-1]
    if len(last) < _prefix_from(last) or len(last.encode("utf-8")) > PREFIX_MAX_BYTES:
        terms.append(f"{must[last]}{_any_form(last)}")
    else:  # a stop word typed last may be a whole word (dropped) or the start of one: optional
        terms.append(f"{'' if last in STOP_WORDS else '+'}({' OR '.join([*_forms(last), last + '*'])})")
    return " ".join(terms)


# Hangul and kana words are written without spaces, and a syllable or two is a whole surname or most of
# a name (`김` of 김민수): the prefix is searched from the first character. Latin and the rest: from three.
_SYLLABIC = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\uac00-\ud7af\uff66-\uff9f]")


def _prefix_from(word: str) -> int:
    """The length from which a word typed last is also searched as the start of a longer one."""
    return 1 if _SYLLABIC.search(word) else 3


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or ch in _JOINERS or unicodedata.category(ch)[0] == "M"


def _words(text: str) -> list[str]:
    """``text`` split into words as the index's analyzer (Lucene's StandardTokenizer, Unicode's word
    boundaries) splits it, closely enough for a query: runs of letters, digits, marks, ``_`` and the
    zero-width joiners; ``.`` and ``'`` join two letters or two digits (``o'brien``, ``e.g``, ``3.5``),
    ``,`` and ``;`` two digits (``1,000``); anything else, Lucene's special characters included,
    separates. A script the analyzer splits further (Chinese: each character) is left to it, as each
    word goes to Lucene quoted (:func:`_forms`)."""
    words: list[str] = []
    word: list[str] = []
    for i, ch in enumerate(text):
        if _is_word_char(ch) and not _SPECIAL.match(ch):
            word.append(ch)
            continue
        if word and i + 1 < len(text) and _is_word_char(text[i + 1]):
            before, after = text[i - 1], text[i + 1]
            letters, digits = before.isalpha() and after.isalpha(), before.isdigit() and after.isdigit()
            if (ch in ".'" and (letters or digits)) or (ch in ",;" and digits):
                word.append(ch)
                continue
        if word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return [w for w in (w.strip("".join(_JOINERS)) for w in words) if w]


def _forms(word: str) -> list[str]:
    """The spellings of a typed (folded) word the index may hold: with and without an English
    possessive, which the analyzer keeps on its word (``murray`` finds *Murray's Pool*, ``murray's``
    finds *Murray*), and with a word-final Greek sigma in either form (the analyzer lower-cases a
    capital Σ to σ, and a typed ς stays ς). A stop word stays as typed: the analyzer drops it, and
    its possessive would be a required word. Each form is quoted, a phrase of the terms the analyzer
    makes of it (one term, but for scripts it splits further)."""
    base = word[:-2] if word.endswith("'s") and len(word) > 2 else word
    if base in STOP_WORDS:
        return [word]
    forms = [base, base + "'s"] if base[-1].isascii() and base[-1].isalpha() else [base]
    if base.endswith(("σ", "ς")):
        forms.append(base[:-1] + ("ς" if base.endswith("σ") else "σ"))
    return [f'"{form}"' for form in forms]  # quoted: all the terms the analyzer makes of it, in order


def _any_form(word: str) -> str:
    forms = _forms(word)
    return forms[0] if len(forms) == 1 else f"({' OR '.join(forms)})"


@strawberry.type(description="A search hit, with its relevance score.")
class SearchHit:
    score: float = strawberry.field(description="Lucene's relevance score, raised above every other hit's for an "
                                                "identifier pasted whole or a name typed exactly; compare only "
                                                "within one search")
    node: Node = strawberry.field(description="the researcher, work, topic or institution found")


@strawberry.type(description="A search hit with its cursor: an edge of the page as a Relay connection has them.")
class SearchEdge:
    cursor: str = strawberry.field(description="pass as `after` for the hits after this one")
    score: float = strawberry.field(description="as `SearchHit.score`")
    node: Node = strawberry.field(description="the researcher, work, topic or institution found")


@strawberry.type(description="A page of search hits, most relevant first.")
class SearchResult:
    total_count: int = strawberry.field(description=f"hits found (at most {HITS_RANKED} per kind are counted)")
    hits: list[SearchHit] = strawberry.field(description="this page's hits, most relevant first")
    page_info: PageInfo = strawberry.field(description="pass `endCursor` as `after` for the next page")
    edges: list[SearchEdge] = strawberry.field(default_factory=list, description=(
        "the same hits with a cursor each, as a connection (Relay's `@connection`, Apollo's `relayStylePagination`)"))
    truncated: bool = strawberry.field(default=False, description=(
        f"true when a kind has more than {HITS_RANKED} hits: only its {HITS_RANKED} most relevant are counted and "
        "paged (the last page says `hasNextPage: false`); more words, or `kinds`, narrow the search"))


def exact_text(text: str) -> str:
    """The typed text as a name is compared with it exactly where the graph holds no ``nameKey``
    (written before 2026-11-29): composed, lower case, white space as single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def identifier_lookup(text: str) -> dict[str, object]:
    """What an identifier pasted whole names, as the graph stores it (null when ``text`` is not one
    of that kind): ``ids`` (the text itself, and an OpenAlex id from its address), ``doi``,
    ``arxiv``, ``orcid``, ``rors`` (a ROR id bare and as its address, as records give it)."""
    pasted = _LABELLED.sub(r"\1:", text.strip())  # "DOI: 10.…", "arXiv: 1407.0782" as one word
    if not pasted or any(ch.isspace() for ch in pasted) or len(pasted) > 300:
        return {"ids": [], "doi": None, "arxiv": None, "orcid": None, "rors": []}
    openalex, ror = identifiers.openalex(pasted), identifiers.ror(pasted)
    return {"ids": [pasted] + ([openalex] if openalex and openalex != pasted else []),
            "doi": identifiers.doi(pasted), "arxiv": identifiers.arxiv(pasted), "orcid": identifiers.orcid(pasted),
            "rors": [ror, f"https://ror.org/{ror}"] if ror else []}


def _search_scope(kinds: list[str], *ranked_by: object) -> str:
    """The list a search cursor belongs to: the same kinds and the same inputs of the ranking (the
    words as searched, the text compared with names, the identifiers looked up), hashed, so that
    a cursor stays short whatever was typed."""
    return "search:" + hashlib.sha256(repr((sorted(kinds), *ranked_by)).encode()).hexdigest()[:24]


@strawberry.type
class SearchQuery:
    @strawberry.field(description="Full-text search, ranked by relevance (an identifier pasted whole, such as a DOI or "
                                  "an ORCID iD, then a name typed exactly, come first); `first` at most 100.")
    async def search(self, info: Info[Context, None],
                     query: Annotated[str, strawberry.argument(description=f"the words to find (at most {MAX_QUERY} characters, {MAX_TERMS} words); the last may be the start of a word")],
                     kinds: Annotated[list[NodeKind] | None, strawberry.argument(description="the kinds of node to search; null or empty: all")] = None,
                     first: Annotated[int, size_argument(f"hits to return, 0 to {MAX_PAGE}")] = HITS_FIRST,
                     after: Annotated[str | None, strawberry.argument(
                         description="the endCursor of the page before, from the same search; null for the first page")] = None,
                     ) -> SearchResult | None:
        first = check_first(first)
        lucene = lucene_query(query)
        kind_names = [k.name for k in (kinds or list(NodeKind))]
        lookup, exact, exact_key = identifier_lookup(query), exact_text(query), name_key(query)
        scope = _search_scope(kind_names, lucene or "", exact, exact_key, lookup)
        skip = cursors.decode(scope, after, (int,))[0] if after is not None else 0
        if not 0 <= skip <= len(NodeKind) * HITS_RANKED:  # no search has more hits than that
            raise BadUserInput("malformed cursor", argument="after")
        if lucene is None:
            return SearchResult(total_count=0, hits=[], page_info=PageInfo(
                has_next_page=False, end_cursor=None, has_previous_page=after is not None))
        rows = await info.context.db.read("search", query=lucene, lookup=lookup, exact=exact, exactKey=exact_key,
                                          skip=skip, first=first,
                                          cap=HITS_RANKED, kinds=kind_names)
        row = rows[0]
        hits = [SearchHit(score=h["score"], node=node_from_row(h["label"], h["props"], info.context))
                for h in row["hits"]]
        edges = [SearchEdge(cursor=cursors.encode(scope, [skip + rank]), score=hit.score, node=hit.node)
                 for rank, hit in enumerate(hits, 1)]
        end = skip + len(hits)
        return SearchResult(total_count=row["totalCount"], hits=hits, edges=edges, truncated=row["truncated"], page_info=PageInfo(
            has_next_page=end < row["totalCount"], end_cursor=cursors.encode(scope, [end]) if hits else None,
            has_previous_page=skip > 0, start_cursor=cursors.encode(scope, [skip + 1]) if hits else None))
