"""Full-text search over researchers, works, topics and institutions, ranked by relevance.

Whatever a user types is safe: the words are lower-cased (so AND/OR/NOT are words, not operators),
and Lucene's special characters and control characters separate words (text of separators alone
finds nothing). Empty input, or input over ``MAX_QUERY`` characters or ``MAX_TERMS`` words, is
``BAD_USER_INPUT``. The indexes fold accents (``cypher/schema/003-fulltext.cypher``); the words are
folded here the same way first, as Lucene does not analyse a prefix term and lower-cases ``İ`` as
``i`` where Python gives ``i`` and a combining dot.
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
_FOLD_LETTERS = {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
                 "ħ": "h", "ŧ": "t", "ŋ": "n"}


def fold(text: str) -> str:
    """Lower-case text with Latin letters folded as the index's analyzer folds them (``björn`` →
    ``bjorn``, ``straße`` → ``strasse``, ``İ`` → ``i``, an accent typed as a combining mark
    dropped); other scripts are left as they are (decomposing Hangul or kana would change them)."""
    out: list[str] = []
    for ch in text:
        decomposed = unicodedata.normalize("NFKD", ch)
        if decomposed and decomposed[0].isascii():
            out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
        elif ch in _FOLD_LETTERS:
            out.append(_FOLD_LETTERS[ch])
        elif not (unicodedata.combining(ch) and out and out[-1][-1:].isascii()):
            out.append(ch)
    return "".join(out)


def lucene_query(text: str) -> str | None:
    """The user's words as a safe Lucene query: every word must be found; the last one may be a
    prefix. None when the text has only separators (``(``, ``-``): nothing can match it."""
    if len(text) > MAX_QUERY:
        raise BadUserInput(f"`query` is longer than {MAX_QUERY} characters", argument="query")
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    if not printable.strip():
        raise BadUserInput("`query` needs at least one word", argument="query")
    # Folded first (decomposition may give special characters: `＊` is `*`), then Lucene's special
    # characters separate words, as the index's analyzer splits on them anyway:
    # escaped, `mean-field` would be one query term the analyzer splits into two optional ones.
    # Lower-cased again after folding: folding makes capitals of some characters (𝐀𝐍𝐃, ᴼᴿ), and
    # AND, OR and NOT in capitals are Lucene's operators.
    words = _SPECIAL.sub(" ", fold(printable.lower()).lower()).split()
    if not words:
        return None
    if len(words) > MAX_TERMS:
        raise BadUserInput(f"`query` has more than {MAX_TERMS} words", argument="query")
    terms = [f"+{w}" for w in words[:-1]]
    last = words[-1]
    terms.append(f"+({last} OR {last}*)" if len(last) >= 3 else f"+{last}")
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
