"""Control characters (Unicode's Cc: C0, DEL and C1) in text that people and records send us, the
bidirectional controls that reorder what a reader sees, invisible characters that split or join
words unseen, text that is not valid Unicode, and text that shows nothing (:func:`is_visible`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
LINE_BREAKS_AND_TABS = "\n\r\t"
# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO): they make text read other than it is stored
# ("Trojan Source"); typed right-to-left text never needs them.
BIDI_OVERRIDES = re.compile("[\u202a-\u202e]")
# Those and the isolates (LRI, RLI, FSI, PDI), which typed text may use to embed a phrase, but which, left
# open in an imported name, reorder whatever text follows it where names are joined (a headline).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Soft hyphen, word joiner, zero-width no-break space (a byte order mark inside text): they show nothing, and a
# search index keeps them inside the word (`Oth\u00adman` is neither `othman` nor `oth` and `man`). The zero-width
# space stays (Thai, Khmer, Lao and Burmese separate words with it, and the index breaks words there), and so do
# the zero-width (non-)joiners (Persian, Indic scripts and emoji need them).
INVISIBLE = re.compile("[\u00ad\u2060\ufeff]")
# What an import removes from names and titles (BIDI_CONTROLS, INVISIBLE), one character each.
REMOVED_AT_IMPORT = ("\u00ad", "\u2060", "\ufeff", *(chr(c) for c in range(0x202a, 0x202f)),
                     *(chr(c) for c in range(0x2066, 0x206a)))
FILLERS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"})  # letters and symbols that show nothing


def is_visible(value: str) -> bool:
    """Whether ``value`` shows anything: a letter, number, punctuation or symbol that is not a
    filler; white space, zero-width and format characters alone show nothing."""
    return any(unicodedata.category(ch)[0] in "LNPS" and ch not in FILLERS for ch in value)


def controls_as_spaces(value: str) -> str:
    """``value`` with every control character (line breaks too) a space."""
    return CONTROL.sub(" ", value)


def controls_escaped(value: str) -> str:
    """``value`` with every control character written as a Python escape (``\\x1b``)."""
    return CONTROL.sub(lambda m: repr(m.group())[1:-1], value)


def has_controls(value: str, allowed: str = "") -> bool:
    """Whether ``value`` holds a control character other than those in ``allowed``."""
    return any(ch not in allowed for ch in CONTROL.findall(value))


def scalars(value: Any) -> Iterator[Any]:
    """Every value inside ``value`` that is not a map or a list (map keys too), without recursion:
    records and parameters may nest deeper than Python's stack."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack += item.keys()
            stack += item.values()
        elif isinstance(item, (list, tuple)):
            stack += item
        else:
            yield item


def is_unicode(value: str) -> bool:
    """Whether ``value`` is valid Unicode text, as a database string must be (no lone surrogate,
    such as JSON's ``"\\ud800"`` decodes to)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
