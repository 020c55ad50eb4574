"""Full-text search over researchers, works, topics and institutions, ranked by relevance.

Whatever a user types is safe: the words are lower-cased (so AND/OR/NOT are words, not operators),
and Lucene's special characters and control characters separate words (text of separators alone
finds nothing). Empty input, or input over ``MAX_QUERY`` characters or ``MAX_TERMS`` words, is
``BAD_USER_INPUT``. The indexes fold accents (``cypher/schema/003-fulltext.cypher``); Lucene does not
analyse a prefix term, so the prefix is folded here.
"""

from __future__ import annotations

import re
import unicodedata

import strawberry
from strawberry.types import Info

from bzgraph.api.nodes import Node, NodeKind
from bzgraph.api.profile import check_first, node_from_row
from bzgraph.context import Context
from bzgraph.errors import BadUserInput

MAX_QUERY = 500
MAX_TERMS = 32
HITS_RANKED = 1000  # per index: totalCount counts at most this many hits of each kind
_SPECIAL = re.compile(r'[+\-&|!(){}\[\]^"~*?:\\/]')  # Lucene's special characters
# Letters that Lucene's ASCIIFoldingFilter folds but Unicode decomposition leaves as they are.
_FOLD_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d",
                               "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "n"})


def fold(word: str) -> str:
    """A lower-case word as the index's analyzer folds it (``björn`` → ``bjorn``, ``straße`` → ``strasse``)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_FOLD_LETTERS)


def lucene_query(text: str) -> str | None:
    """The user's words as a safe Lucene query: every word must be found; the last one may be a
    prefix. None when the text has only separators (``(``, ``-``): nothing can match it."""
    if len(text) > MAX_QUERY:
        raise BadUserInput(f"`query` is longer than {MAX_QUERY} characters", argument="query")
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    if not printable.strip():
        raise BadUserInput("`query` needs at least one word", argument="query")
    # Lucene's special characters separate words, as the index's analyzer splits on them anyway:
    # escaped, `mean-field` would be one query term the analyzer splits into two optional ones.
    words = _SPECIAL.sub(" ", printable).lower().split()
    if not words:
        return None
    if len(words) > MAX_TERMS:
        raise BadUserInput(f"`query` has more than {MAX_TERMS} words", argument="query")
    terms = [f"+{w}" for w in words[:-1]]
    last = words[-1]
    # The whole word goes through the analyzer; the prefix does not, so it is folded here (and
    # stripped of what decomposition may turn into spaces or special characters: `＊` is `*`).
    prefix = _SPECIAL.sub("", "".join(fold(last).split()))
    terms.append(f"+({last} OR {prefix}*)" if len(prefix) >= 3 else f"+{last}")
    return " ".join(terms)


@strawberry.type(description="A search hit, with its relevance score.")
class SearchHit:
    score: float
    node: Node


@strawberry.type
class SearchResult:
    total_count: int = strawberry.field(description=f"hits found (at most {HITS_RANKED} per kind are counted)")
    hits: list[SearchHit]


@strawberry.type
class SearchQuery:
    @strawberry.field(description="Full-text search, ranked by relevance; `first` at most 100.")
    async def search(self, info: Info[Context, None], query: str, kinds: list[NodeKind] | None = None,
                     first: int = 10) -> SearchResult:
        check_first(first)
        lucene = lucene_query(query)
        if lucene is None:
            return SearchResult(total_count=0, hits=[])
        rows = await info.context.db.read(
            "search", query=lucene, first=first, cap=HITS_RANKED,
            kinds=[k.value for k in (kinds or list(NodeKind))])
        row = rows[0]
        return SearchResult(total_count=row["totalCount"],
                            hits=[SearchHit(score=h["score"],
                                            node=node_from_row(h["label"], h["props"], info.context))
                                  for h in row["hits"]])
