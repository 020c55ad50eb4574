"""The OpenAlex mapping on real records, without a database: both Work schemas and Author records."""

from __future__ import annotations

from dataclasses import replace

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from bzgraph.ingest.openalex import MalformedRecord, map_record, rebuild_abstract, records_of
from bzgraph.text import is_unicode, scalars

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WORKS_2025 = DATA / "openalex-idb" / "works.jsonl.gz"
WORKS_2022 = DATA / "openalex-2022-sample" / "works-sample.jsonl.gz"
AUTHORS = DATA / "openalex-idb" / "authors.jsonl.gz"


def first_records(path: Path, count: int, where=lambda r: True) -> list[dict]:
    found = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if where(record):
                found.append(record)
                if len(found) == count:
                    break
    return found


def test_abstract_is_rebuilt_in_position_order_with_entities_decoded() -> None:
    assert rebuild_abstract({"world": [1], "Hello": [0], "&amp;": [2], "again": [3]}) == "Hello world & again"
    assert rebuild_abstract({}) is None
    with pytest.raises(MalformedRecord):
        rebuild_abstract({"word": ["x"]})


def test_2025_work_maps_ids_doi_topics_venue_and_authorships() -> None:
    record = first_records(WORKS_2025, 1, lambda r: r["doi"] and r["abstract_inverted_index"] and len(r["authorships"]) > 2
                           and r["topics"] and r["primary_location"] and r["primary_location"]["source"])[0]
    rows = map_record(record)
    (work,) = rows.works
    assert work["id"] == record["id"].rsplit("/", 1)[1]
    assert work["doi"] == record["doi"].removeprefix("https://doi.org/").lower()
    # the abstract, independently: sort (position, word) pairs
    pairs = sorted((p, w) for w, ps in record["abstract_inverted_index"].items() for p in ps)
    assert work["abstract"].split(" ")[:5] == [w for _, w in pairs][:5]
    assert [a["position"] for a in work["authors"]] == [
        i + 1 for i, a in enumerate(record["authorships"]) if a["author"].get("id")]
    assert {t["id"] for t in rows.topics} == {t["id"].rsplit("/", 1)[1] for t in record["topics"]}
    assert all(t["field"] and t["domain"] and t["subfield"] for t in rows.topics)
    assert work["source"] == record["primary_location"]["source"]["id"].rsplit("/", 1)[1]
    assert work["year"] == record["publication_year"] and work["type"] == record["type"]


def test_raw_affiliation_strings_are_never_mapped() -> None:
    def with_email(record: dict) -> bool:
        return any("@" in s for a in record["authorships"] for s in a.get("raw_affiliation_strings") or [])

    records = first_records(WORKS_2025, 20, with_email)
    emails = {word.strip(".,;()") for r in records for a in r["authorships"]
              for s in a.get("raw_affiliation_strings") or [] for word in s.split() if "@" in word}
    assert len(emails) >= 5
    dumped = json.dumps([map_record(r).__dict__ for r in records])
    assert "@" not in dumped and not [e for e in emails if e in dumped]


def test_2022_schema_maps_host_venue_concepts_and_crossref_types() -> None:
    record = first_records(WORKS_2022, 1, lambda r: r["host_venue"].get("id") and r["concepts"])[0]
    rows = map_record(record)
    (work,) = rows.works
    assert record["type"] == "journal-article" and work["type"] == "article"
    assert work["source"] == "S" + record["host_venue"]["id"].rsplit("/V", 1)[1]
    # host_venue.type says how this copy is hosted (publisher, repository), not what the venue is
    assert record["host_venue"]["type"] in ("publisher", "repository")
    assert [(s["id"], s["type"]) for s in rows.sources] == [(work["source"], None)]
    assert {t["topic"] for t in work["topics"]} == {
        c["id"].rsplit("/", 1)[1] for c in record["concepts"] if 0 < c["score"] <= 1}
    # 2022 institutions without an OpenAlex id are raw affiliation strings: not institutions
    assert all(i["id"].startswith("I") for i in rows.institutions)


def test_author_record_gives_name_alternatives_orcid_and_affiliation_years() -> None:
    record = first_records(AUTHORS, 1, lambda r: r["orcid"] and r["affiliations"]
                           and len(r["display_name_alternatives"]) > 1)[0]
    rows = map_record(record)
    (researcher,) = rows.researchers
    assert researcher["authoritative"] and researcher["orcid"] == record["orcid"].rsplit("/", 1)[1]
    assert set(record["display_name_alternatives"]) <= set(researcher["names"])
    first = record["affiliations"][0]
    assert {"researcher": researcher["id"], "institution": first["institution"]["id"].rsplit("/", 1)[1],
            "years": sorted(first["years"])} in rows.affiliations


def test_bundles_and_api_pages_are_unpacked() -> None:
    bundle = {"details": {"id": "A1"}, "works": [{"id": "W1"}, {"id": "W2"}]}
    assert [w for w, _ in records_of(bundle)] == ["details", "works[0]", "works[1]"]
    assert [w for w, _ in records_of({"meta": {}, "results": [{"id": "W1"}]})] == ["results[0]"]


def test_records_that_cannot_be_records_are_refused_in_place() -> None:
    found = records_of([{"id": "W1"}, 7, {"id": "W2"}])
    assert [w for w, _ in found] == ["[0]", "[1]", "[2]"]
    assert isinstance(found[1][1], MalformedRecord) and found[2][1] == {"id": "W2"}
    bundle = records_of({"details": {"id": "A1"}, "works": "nope"})
    assert bundle[0] == ("details", {"id": "A1"}) and isinstance(bundle[1][1], MalformedRecord)


def test_entities_encoded_twice_are_decoded_and_abstracts_too() -> None:
    work = map_record({"id": "W1", "title": "Gal&amp;#225;pagos &amp;amp; more &#x3B1;",
                       "abstract_inverted_index": {"&amp;lt;p&amp;gt;Text": [0], "end\u00a0": [1]}}).works[0]
    assert work["title"] == "Galápagos & more α"
    assert work["abstract"] == "<p>Text end"  # decoded, and trimmed as titles are


def test_only_entities_with_their_semicolon_are_decoded() -> None:
    """``&copy=3`` in a URL's query is text, not ``©=3`` (``html.unescape`` reads HTML5's legacy
    names without a semicolon); a numeric reference is one with or without it."""
    url = "http://x.org/?id=5&section=2&copy=3&not=4&amp"
    work = map_record({"id": "W1", "title": f"See {url}", "abstract_inverted_index": {url: [0], "&amp;copy;": [1],
                                                                                  "2016&#93": [2], "&#x5B;1": [3]}}).works[0]
    assert work["title"] == f"See {url}"
    assert work["abstract"] == f"{url} © 2016] [1"  # a number needs no semicolon, as HTML reads it


def test_names_and_titles_are_stored_composed_as_people_type_them() -> None:
    """Some records spell accents as combining marks, or LaTeX's í as a dotless ı with an accent
    (15 researchers of the sample, e.g. ``Marı́a``): stored so, a search for María could never
    find them. Abstracts too (the sample's ``Lodève`` was found by neither spelling)."""
    rows = map_record({"id": "W1", "title": "Estudio de Mari\u0301a", "publication_year": 2020,
                       "abstract_inverted_index": {"Mari\u0301a": [0]},
                       "authorships": [{"author": {"id": "A1", "display_name": "Marı\u0301a Rodrı\u0301guez"}}]})
    assert rows.works[0]["title"] == "Estudio de Mar\u00eda"
    assert rows.works[0]["abstract"] == "Mar\u00eda"
    assert [r["name"] for r in rows.researchers] == ["Mar\u00eda Rodr\u00edguez"]


def test_invisible_characters_and_bidirectional_controls_are_removed() -> None:
    """A soft hyphen, a word joiner or a stray byte order mark shows nothing and hides the word from
    search (the sample's ``Al-Khalid Oth\u00adman`` was found neither as Othman nor by his whole name);
    bidirectional isolates, like overrides, reorder what follows them (a headline joins topic names).
    The zero-width joiners stay (scripts and emoji need them), and so does the zero-width space: Thai
    separates words with it, and the index breaks words there."""
    rows = map_record({"id": "W1", "title": "Hydro\u00adcarbon \u2067reservoirs\u2069 \u0e02\u0e49\u0e2d\u0e21\u0e39\u0e25\u200b\u0e27\u0e34\u0e08\u0e31\u0e22", "publication_year": 2020,
                       "abstract_inverted_index": {"Oth\u00adman": [0], "\u202eevil": [1], "\x1b[2J": [2], "\u2060": [3],
                                                   "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627": [4]},
                       "authorships": [{"author": {"id": "A1", "display_name": "Al-Khalid Oth\u00adman\ufeff"}}],
                       "topics": [{"id": "T1", "display_name": "Topic \u2068open", "score": 0.5}]})
    assert rows.works[0]["title"] == "Hydrocarbon reservoirs \u0e02\u0e49\u0e2d\u0e21\u0e39\u0e25\u200b\u0e27\u0e34\u0e08\u0e31\u0e22"
    assert rows.works[0]["abstract"] == "Othman evil [2J \u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627"
    assert [r["name"] for r in rows.researchers] == ["Al-Khalid Othman"]
    assert [t["name"] for t in rows.topics] == ["Topic open"]


def test_control_characters_in_names_and_titles_become_spaces() -> None:
    """They would drive the terminals names and titles are shown on (``bzgraph cypher``)."""
    rows = map_record({"id": "W1", "title": "Line\none\x1b[2J\x00", "publication_year": 2020,
                       "authorships": [{"author": {"id": "A1", "display_name": "Bad\x00Name\x07"}}]})
    assert rows.works[0]["title"] == "Line one [2J"
    assert [r["name"] for r in rows.researchers] == ["Bad Name"]


@pytest.mark.parametrize("shown", ["\u221e", "\U0001f642", "\u2211\u220f"])
def test_symbols_alone_show(shown: str) -> None:
    """A symbol shows as a letter does: a title of a formula's symbols, a name of an emoji is kept."""
    rows = map_record({"id": "W1", "title": shown, "publication_year": 2020,
                       "authorships": [{"author": {"id": "A1", "display_name": shown}}]})
    assert (rows.works[0]["title"], [r["name"] for r in rows.researchers]) == (shown, [shown])


@pytest.mark.parametrize("invisible", ["\u200b", " \u2060\ufeff ", "\u3164", "\u200d\u200c"])
def test_text_that_shows_nothing_counts_as_none(invisible: str) -> None:
    """A name or title of zero-width, format or filler characters alone would be drawn as nothing
    and found by no search: it is left out as an empty one is (the name falls back as for none)."""
    def mapped(value: str) -> tuple:
        rows = map_record({"id": "W1", "title": value, "publication_year": 2020,
                           "authorships": [{"author": {"id": "A1", "display_name": value},
                                            "institutions": [{"id": "I1", "display_name": value}]}]})
        return rows.works[0]["title"], [r["name"] for r in rows.researchers], [i["name"] for i in rows.institutions]

    assert mapped(invisible) == mapped("") == (None, mapped("")[1], ["I1"])
    for title in (f"<i>{invisible}</i>", f"{invisible}<br/>{invisible}", f"<mml:math>{invisible}</mml:math>"):
        assert mapped(title)[0] is None, title  # nothing left to show once the markup is gone
    assert mapped("\ufeffAda\u200d") == ("Ada\u200d", ["Ada\u200d"], ["Ada\u200d"])  # visible: kept, the mark removed


def test_titles_lose_their_inline_markup_and_abstracts_stay_exact() -> None:
    """``SrFe<sub>12</sub>O<sub>19</sub>`` is shown and searched as SrFe12O19, as a page renders
    it; markup written as entities goes too; other ``<`` signs stay."""
    rows = map_record({"id": "W1", "publication_year": 2020,
                       "title": "Cr<sup>3+</sup> in SrFe<sub>12</sub>O<sub>19</sub> &lt;i&gt;in vitro&lt;/i&gt;, "
                                "<SCP>d</SCP>-glucose, <mml:math><mml:mi>x</mml:mi></mml:math> for a < b > c",
                       "abstract_inverted_index": {"<i>E.": [0], "coli</i>": [1]}})
    assert rows.works[0]["title"] == "Cr3+ in SrFe12O19 in vitro, d-glucose, x for a < b > c"
    assert rows.works[0]["abstract"] == "<i>E. coli</i>"
    assert map_record({"id": "W2", "title": "<i></i>", "display_name": "Named"}).works[0]["title"] == "Named"
    for title, shown in (("Part one<br>Part two", "Part one Part two"), ("Part one <br/> part two", "Part one part two"),
                         ("Fe<jats:sub>2</jats:sub>O<jats:sub>3</jats:sub> and <jats:italic>E. coli</jats:italic>",
                          "Fe2O3 and E. coli"), ("<jats:title>Abstract</jats:title>Text", "Abstract Text"),
                         # the sample's W1927598922, its subtitle tag encoded twice
                         ("Ghawar Arab-D Reservoir&lt;subtitle&gt;Widespread Porosity&lt;/subtitle&gt;",
                          "Ghawar Arab-D Reservoir Widespread Porosity")):
        assert map_record({"id": "W3", "title": title}).works[0]["title"] == shown, title


def test_an_author_listed_twice_keeps_the_first_position_and_both_institutions() -> None:
    def place(institution: str) -> dict:
        return {"author": {"id": "A1", "display_name": "Twice"},
                "institutions": [{"id": institution, "display_name": institution}]}

    rows = map_record({"id": "W1", "publication_year": 2020, "authorships": [place("I1"), place("I2")]})
    assert rows.works[0]["authors"] == [{"researcher": "A1", "position": 1, "institutions": ["I1", "I2"]}]
    assert [(a["researcher"], a["institution"]) for a in rows.affiliations] == [("A1", "I1"), ("A1", "I2")]


def test_values_a_database_index_or_type_cannot_take_are_refused_or_left_out() -> None:
    """Out-of-range numbers, impossible dates and overlong indexed strings would fail a whole batch."""
    work = map_record({"id": "W1", "publication_year": 10**30, "cited_by_count": 2**64,
                       "publication_date": "2020-02-30", "authorships": [{"author": {"id": "A1"},
                       "institutions": [{"id": "I1", "ror": "https://ror.org/" + "x" * 500}]}]})
    assert (work.works[0]["year"], work.works[0]["citedByCount"], work.works[0]["date"]) == (None, 0, None)
    assert work.institutions[0]["ror"] is None
    assert map_record({"id": "W1", "publication_date": "\uff12\uff10\uff12\uff10-01-01"}).works[0]["date"] is None
    assert map_record({"id": "W1", "publication_date": "2020-02-29"}).works[0]["date"] == "2020-02-29"
    assert map_record({"id": "W1", "title": "t" * 20_000}).works[0]["title"] == "t" * 20_000  # any length
    # the API's Int is 32 bits: a count past it broke every read of the work (a search lost all its hits)
    assert map_record({"id": "W1", "cited_by_count": 3_000_000_000}).works[0]["citedByCount"] == 0
    assert map_record({"id": "W1", "cited_by_count": 2**31 - 1}).works[0]["citedByCount"] == 2**31 - 1


def test_a_work_type_and_language_are_cleaned_and_short() -> None:
    """They show on every work of a profile: cleaned as names are (a NUL, a bidirectional override),
    and no longer than a label (a 2 MB type was stored)."""
    work = map_record({"id": "W1", "type": "art\x00icle\u202e", "language": "e\u202en"}).works[0]
    assert (work["type"], work["language"]) == ("art icle", "en")
    work = map_record({"id": "W1", "type": "x" * 300, "language": "y" * 300}).works[0]
    assert (work["type"], work["language"]) == ("other", None)


@pytest.mark.parametrize("record, reason", [
    ({"id": "https://openalex.org/X12"}, "not an OpenAlex Work or Author"),
    ({"id": "https://openalex.org/Wabc"}, "work id"),
    ({"id": "https://openalex.org/W" + "1" * 30}, "work id"),
    ({"id": "https://openalex.org/W\u00b2"}, "work id"),  # a digit to str.isdigit, not to OpenAlex
    ({"id": "W12", "doi": "https://doi.org/10.1/" + "x" * 10_000}, "doi is longer"),
    ({"id": "W12", "authorships": "nope"}, "authorships is not a list"),
    (["W1"], "not a JSON object"),
])
def test_malformed_records_are_refused_with_a_reason(record: object, reason: str) -> None:
    with pytest.raises(MalformedRecord, match=reason):
        map_record(record)


def test_values_of_the_wrong_type_are_left_out_not_stored_or_fatal() -> None:
    """A country code, institution type or venue type that is not text (an object, a list, a number
    past 64 bits) would be refused by the database and stop the batch; a years value that is not a
    list, a boolean score or position, a negative count are left out as well."""
    inst = {"id": "I1", "country_code": {"code": "SA"}, "type": 2**64}
    work = map_record({"id": "W1", "cited_by_count": -5, "authorships": [{"author": {"id": "A1"}, "institutions": [inst]}],
                       "primary_location": {"source": {"id": "S1", "display_name": "V", "type": ["journal", "x"]}},
                       "topics": [{"id": "T1", "score": True}, {"id": "T2", "score": 0.5}, {"id": "T2", "score": 0.9},
                                  {"id": "T3", "score": 0}, {"id": "T4", "score": 1.5}]})  # a score lies in (0, 1]
    assert (work.institutions[0]["country"], work.institutions[0]["type"], work.sources[0]["type"]) == (None, None, None)
    assert work.works[0]["citedByCount"] == 0
    assert work.works[0]["topics"] == [{"topic": "T2", "score": 0.5}]  # a topic listed twice counts once
    author = map_record({"id": "A1", "display_name": "X", "affiliations": [{"institution": {"id": "I1"}, "years": 2020}]})
    assert author.affiliations == [{"researcher": "A1", "institution": "I1", "years": []}]
    with pytest.raises(MalformedRecord, match="non-integer positions"):
        map_record({"id": "W1", "abstract_inverted_index": {"yes": [True]}})


def test_identifiers_and_text_in_the_forms_records_carry() -> None:
    work = map_record({"id": "W1", "doi": "DOI: 10.1/ABC", "title": "Evil \u202etxt.exe",
                       "abstract_inverted_index": {"a": [0], "": [1], "b": [2]},
                       "authorships": [{"author": {"id": "A1", "orcid": "https://orcid.org/0000-0002-1825-0097/"}}],
                       "topics": [], "primary_location": None, "updated_date": "2025-01-02T03:04:05.123456Z"})
    assert work.works[0]["doi"] == "10.1/abc" and work.works[0]["title"] == "Evil txt.exe"
    assert work.works[0]["abstract"] == "a b" and work.researchers[0]["orcid"] == "0000-0002-1825-0097"
    assert work.works[0]["version"] == "2025-01-02T03:04:05.123456"  # the same instant as without the Z
    assert map_record({"id": "W1", "doi": "https://www.doi.org/10.1/x"}).works[0]["doi"] == "10.1/x"


@pytest.mark.parametrize(("given", "stored"), [
    ("https://orcid.org/0000-0002-1694-233x", "0000-0002-1694-233X"),
    ("0000000216942 33X".replace(" ", ""), "0000-0002-1694-233X"),
    ("0000-0002-1825-0098", None),  # the wrong check digit: no ORCID, as a claim's evidence would say
    ("https://sandbox.orcid.org/0000-0002-1825-0097", None),  # another registry's iD
    ("see 0000-0002-1825-0097", None),
])
def test_an_orcid_is_read_as_claims_and_search_read_it(given: str, stored: str | None) -> None:
    record = map_record({"id": "W1", "authorships": [{"author": {"id": "A1", "orcid": given}}]})
    assert record.researchers[0]["orcid"] == stored
    assert map_record({"id": "A1", "display_name": "X", "orcid": given}).researchers[0]["orcid"] == stored


def test_invalid_text_is_found_in_map_keys_and_at_any_depth() -> None:
    """The walk that finds text no database string can hold (records and query parameters alike)
    looks at map keys as well as values, and at nesting deeper than Python's stack."""
    deep: object = "\ud800"
    for _ in range(5000):
        deep = [deep]
    found = sorted(s for s in scalars({"a": [1, {"\udfff": None}], "b": deep}) if isinstance(s, str) and not is_unicode(s))
    assert found == ["\ud800", "\udfff"]
    assert is_unicode("Müller 名前 😀") and not is_unicode("x\ud800")


def test_a_partial_dated_record_is_refused_with_what_it_lacks() -> None:
    """An API download with `select=` gives records of a few fields; dated, such a record wins over
    the older whole copy and would clear its authors, topics, venue and ORCID (orphaning researchers).
    Refused as malformed, naming the keys; an undated record loses to every dated copy, and maps."""
    dated = {"updated_date": "2026-01-01T00:00:00"}
    with pytest.raises(MalformedRecord, match="partial Work record .* lacks authorships, topics or concepts, "
                                              "primary_location or host_venue"):
        map_record({"id": "W1", "title": "T", "cited_by_count": 3, **dated})
    with pytest.raises(MalformedRecord, match="partial Author record .* lacks orcid"):
        map_record({"id": "A1", "display_name": "X", **dated})
    whole_2022 = {"id": "W1", "display_name": "T", "authorships": [], "concepts": [], "host_venue": None, **dated}
    assert map_record(whole_2022).works[0]["title"] == "T"  # a record of 2022's shape is whole
    assert map_record({"id": "A1", "display_name": "X", "orcid": None, **dated}).researchers[0]["orcid"] is None
    assert map_record({"id": "W1", "title": "T"}).works[0]["title"] == "T"


def test_a_record_with_the_other_kinds_id_letter_is_named_for_its_shape() -> None:
    """A Work with an author's id is not "an Author lacking orcid", nor an Author with a work's id
    "a Work lacking authorships": the reason says what the record looks like."""
    work = {"id": "https://openalex.org/A5", "title": "T", "authorships": [], "publication_year": 2020,
            "updated_date": "2026-01-01T00:00:00"}
    with pytest.raises(MalformedRecord, match="^a Work record .* with an Author id: 'https://openalex.org/A5'$"):
        map_record(work)
    author = {"id": "W5", "display_name": "X", "works_count": 3, "updated_date": "2026-01-01T00:00:00"}
    with pytest.raises(MalformedRecord, match="^an Author record .* with a Work id: 'W5'$"):
        map_record(author)
    # a record with keys of its own kind too is that kind's (its reason, if any, is that kind's)
    assert map_record({"id": "W6", "title": "T", "works_count": 1, "publication_year": 2020}).works[0]["id"] == "W6"


def _authorships(count: int, last: str) -> list[dict]:
    return [{"author": {"id": f"A{k}"}, "author_position": "first" if k == 1 else "middle"} for k in range(1, count)] \
        + [{"author": {"id": f"A{count}"}, "author_position": last}]


def test_an_author_list_cut_at_100_is_taken_as_cut_also_when_the_record_does_not_say_so() -> None:
    """OpenAlex's list endpoints keep the first 100 authors; records from before
    `is_authors_truncated` do not say so (five of the sample's works: 100 authors, the last a
    `middle` one). Taken as whole, such a copy deleted the authors past the 100th."""
    cut = map_record({"id": "W1", "title": "T", "authorships": _authorships(100, "middle")}).works[0]
    whole = map_record({"id": "W1", "title": "T", "authorships": _authorships(100, "last")}).works[0]
    short = map_record({"id": "W1", "title": "T", "authorships": _authorships(12, "middle")}).works[0]
    said = map_record({"id": "W1", "title": "T", "is_authors_truncated": True,
                       "authorships": _authorships(3, "last")}).works[0]
    said_whole = map_record({"id": "W1", "title": "T", "is_authors_truncated": False,  # the flag, when there, decides
                             "authorships": _authorships(100, "middle")}).works[0]
    assert (cut["authorsTruncated"], whole["authorsTruncated"], short["authorsTruncated"], said["authorsTruncated"],
            said_whole["authorsTruncated"]) == (True, False, False, True, False)


def test_the_importer_digest_follows_the_queries_that_write_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A change to a query that writes rows (an upgrade) changes the digest every fingerprint is keyed
    by, so every record is written again; a change to a query that writes nothing of a record does not."""
    from bzgraph import queries
    from bzgraph.ingest import load

    real = queries.get

    def changed(target: str) -> bytes:
        monkeypatch.setattr(queries, "get", lambda name: replace(real(name), text=real(name).text + "\n// changed")
                            if name == target else real(name))
        load.importer.cache_clear()
        try:
            return load.importer()
        finally:
            monkeypatch.setattr(queries, "get", real)
            load.importer.cache_clear()

    before = load.importer()
    assert changed("ingest/works") != before and changed("trust/recompute") != before
    import inspect
    import re

    # every query a batch writes with (its checkpoint aside: where the import is, not what it writes)
    written = set(re.findall(r'"((?:ingest|trust|explore)/[a-z-]+)"', inspect.getsource(load.write_batch)))
    assert len(written) >= 10 and written - {"ingest/checkpoint-save"} <= set(load.WRITERS)
    assert all(changed(name) != before for name in load.WRITERS), "a query the digest does not follow"
    assert changed("explore/refresh") != before  # the lists a written record's nodes get
    assert changed("profile/researchers") == before == load.importer()


# -- mapping details pinned by mutation testing (round 5) ------------------------------------------------------

@pytest.mark.parametrize("prefix", ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/",
                                    "doi:", "DOI: ", "https://www.doi.org/", "HTTPS://DOI.ORG/"])
def test_a_doi_is_stored_bare_whatever_prefix_it_came_with(prefix: str) -> None:
    assert map_record({"id": "W1", "doi": f"{prefix}10.1/AbC"}).works[0]["doi"] == "10.1/abc"


def test_a_doi_or_ror_at_its_length_limit_is_kept_and_one_past_it_is_not() -> None:
    from bzgraph.ingest.openalex import DOI_MAX, ROR_MAX

    doi = "10.1/" + "x" * (DOI_MAX - 5)
    assert map_record({"id": "W1", "doi": doi}).works[0]["doi"] == doi
    with pytest.raises(MalformedRecord, match="doi is longer"):
        map_record({"id": "W1", "doi": doi + "x"})

    def ror(value: str) -> str | None:
        work = {"id": "W1", "authorships": [{"author": {"id": "A1"}, "institutions": [{"id": "I1", "ror": value}]}]}
        return map_record(work).institutions[0]["ror"]

    assert ror("r" * ROR_MAX) == "r" * ROR_MAX and ror("r" * (ROR_MAX + 1)) is None


def test_an_arxiv_doi_gives_the_arxiv_id_alone() -> None:
    work = map_record({"id": "W1", "doi": "https://doi.org/10.48550/arXiv.2012.03772"}).works[0]
    assert (work["doi"], work["arxivId"]) == ("10.48550/arxiv.2012.03772", "2012.03772")
    assert map_record({"id": "W1", "doi": "10.1/x"}).works[0]["arxivId"] is None


def test_ids_are_read_in_any_case_and_with_white_space_around_them() -> None:
    from bzgraph.ingest.openalex import short_id

    assert short_id("w1", "W") == "W1" and short_id("https://openalex.org/w12", "W") == "W12"
    assert short_id(" https://openalex.org/W1 ", "W") == "W1" and short_id("W1 ", "W") == "W1"
    assert short_id("A1", "W") is None and short_id("Wx1", "W") is None
    # every form the API's ids take (bzgraph/identifiers.py), so that an imported node is the one the API finds
    for given in ("HTTPS://OPENALEX.ORG/W123", "http://openalex.org/W123", "https://api.openalex.org/works/W123",
                  "openalex.org/w123"):
        assert short_id(given, "W") == "W123", given
    assert short_id("https://openalex.org/V123", "SV") == "V123" and short_id("W" + "1" * 20, "W") == "W" + "1" * 20
    assert short_id("https://api.openalex.org/authors/A1", "W") is None  # an author's id is no work's
    assert short_id(" https://openalex.org/V123 ", "SV") == "V123"


def test_abstracts_keep_the_records_word_order_at_a_shared_position_and_refuse_what_is_no_index() -> None:
    assert rebuild_abstract({"zeta": [0], "alpha": [0], "mid": [1]}) == "zeta alpha mid"  # as listed, not sorted
    with pytest.raises(MalformedRecord, match="is not an object"):
        map_record({"id": "W1", "abstract_inverted_index": [["word", [0]]]})


def test_a_topics_taxonomy_is_kept_level_by_level() -> None:
    topic = {"id": "https://openalex.org/T1", "display_name": "Gradient flows", "score": 0.9,
             "subfield": {"id": "s", "display_name": "Applied Mathematics"},
             "field": {"id": "f", "display_name": "Mathematics"},
             "domain": {"id": "d", "display_name": "Physical Sciences"}}
    (row,) = map_record({"id": "W1", "topics": [topic]}).topics
    assert (row["name"], row["subfield"], row["field"], row["domain"]) == (
        "Gradient flows", "Applied Mathematics", "Mathematics", "Physical Sciences")


def test_a_year_is_an_integer_not_a_truth_value() -> None:
    assert map_record({"id": "W1", "publication_year": True}).works[0]["year"] is None
    assert map_record({"id": "W1", "publication_year": 2020}).works[0]["year"] == 2020


@pytest.mark.parametrize("updated", ["yesterday", "9999", "2025-13", "2025-01-01 garbage", 20250101])
def test_an_updated_date_that_is_no_date_is_no_version(updated: object) -> None:
    """A junk `updated_date` ("yesterday" sorts after every real date) would win over every dated copy
    for good: it counts as none, and so loses to any dated copy."""
    from bzgraph.ingest.openalex import record_version

    assert record_version({"updated_date": updated}) == ""
    assert record_version({"updated_date": "2025-01-02T03:04:05.1Z"}) == "2025-01-02T03:04:05.1"


def test_a_dated_record_lacking_its_title_or_name_is_partial() -> None:
    dated = {"updated_date": "2026-01-01T00:00:00"}
    with pytest.raises(MalformedRecord, match="lacks title or display_name"):
        map_record({"id": "W1", "authorships": [], "topics": [], "primary_location": None, **dated})
    with pytest.raises(MalformedRecord, match="lacks display_name"):
        map_record({"id": "A1", "orcid": None, **dated})


def test_authors_without_an_id_stay_raw_names_as_the_paper_prints_them() -> None:
    """An authorship without an author id is a raw name on the work (the string parsed from the paper
    first, else the display name); an author with an id is named by the display name, else the raw
    string, and the raw string, often several names run together, is never one of their aliases."""
    work = map_record({"id": "W1", "authorships": [
        {"author": {"display_name": "Ada Lovelace"}, "raw_author_name": "A. Lovelace"},
        {"author": {"display_name": "Only Display"}},
        {"author": {}, "raw_author_name": "Only Raw"},
        {"author": {"id": "A2"}, "raw_author_name": "C. Babbage and friends"},
        {"author": {"id": "A3", "display_name": "Mary Somerville"}, "raw_author_name": "M. Somerville"}]})
    assert work.works[0]["rawAuthorNames"] == ["A. Lovelace", "Only Display", "Only Raw"]
    researchers = {r["id"]: r for r in work.researchers}
    assert (researchers["A2"]["name"], researchers["A2"]["names"]) == ("C. Babbage and friends", [])
    assert (researchers["A3"]["name"], researchers["A3"]["names"]) == ("Mary Somerville", ["Mary Somerville"])


def test_a_work_citing_itself_has_no_such_reference() -> None:
    work = map_record({"id": "W1", "referenced_works": ["https://openalex.org/W1", "https://openalex.org/W2"]})
    assert work.works[0]["references"] == ["W2"]


def test_an_author_records_alternative_names_are_cleaned_as_names_are() -> None:
    import unicodedata

    alternatives = ["Ren&eacute; Ab", "Evil \u202eName", unicodedata.normalize("NFD", "José Ab")]
    (researcher,) = map_record({"id": "A1", "display_name": "René Ab", "display_name_alternatives": alternatives}).researchers
    assert researcher["names"] == ["René Ab", "René Ab", "Evil Name", "José Ab"]


def test_same_date_copies_of_a_topic_or_institution_win_by_every_value_whatever_the_order() -> None:
    """Two copies of one date that differ in a topic's domain or an institution's type: the same copy
    wins in either order (the version holds those values)."""
    def topic(domain: str) -> dict:
        return map_record({"id": "W1", "updated_date": "2025-01-01", "authorships": [], "primary_location": None,
                           "title": "T", "topics": [{"id": "T1", "display_name": "X", "score": 0.5,
                                                     "domain": {"display_name": domain}}]}).topics[0]

    def institution(kind: str) -> dict:
        return map_record({"id": "W1", "authorships": [{"author": {"id": "A1"}, "institutions": [
            {"id": "I1", "display_name": "X", "type": kind}]}]}).institutions[0]

    assert topic("Life Sciences")["version"] != topic("Physical Sciences")["version"]
    assert institution("education")["version"] != institution("company")["version"]


def test_a_same_date_copy_that_names_a_node_wins_over_one_that_names_it_only_by_its_id() -> None:
    """A venue, topic, institution or author that one copy names and another of the same date leaves
    nameless (named by its id): the named copy's version is the higher, whichever name sorts first."""
    def work(named: bool) -> Any:
        return map_record({"id": "W1", "updated_date": "2025-01-01", "title": "T",
                           "primary_location": {"source": {"id": "S9", "display_name": "Acta" if named else None}},
                           "topics": [{"id": "T9", "display_name": "Algebra" if named else None, "score": 0.5}],
                           "authorships": [{"author": {"id": "A9", "display_name": "A. Lovelace" if named else None},
                                            "institutions": [{"id": "I9", "display_name": "ETH" if named else None}]}]})

    named, nameless = work(True), work(False)
    for kind in ("sources", "topics", "institutions", "researchers"):
        (with_name,), (without,) = getattr(named, kind), getattr(nameless, kind)
        assert without["name"] == without["id"] and with_name["name"] != with_name["id"], kind
        assert with_name["name"] < without["id"], kind  # the id sorts after the name: the values alone would pick it
        assert with_name["version"] > without["version"], kind


def test_a_bundle_without_details_gives_its_works_only() -> None:
    assert [w for w, _ in records_of({"details": None, "works": [{"id": "W1"}]})] == ["works[0]"]


def test_entities_encoded_three_times_are_decoded() -> None:
    from bzgraph.ingest.openalex import unescape

    assert unescape("&amp;amp;amp;") == "&" and unescape("&amp;amp;#225;") == "á"
