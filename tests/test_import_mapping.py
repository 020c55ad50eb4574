"""The OpenAlex mapping on real records, without a database: both Work schemas and Author records."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bzgraph.ingest.openalex import MalformedRecord, map_record, rebuild_abstract, records_of

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


@pytest.mark.parametrize("record, reason", [
    ({"id": "https://openalex.org/X12"}, "not an OpenAlex Work or Author"),
    ({"id": "https://openalex.org/Wabc"}, "work id"),
    ({"id": "W12", "authorships": "nope"}, "authorships is not a list"),
    (["W1"], "not a JSON object"),
])
def test_malformed_records_are_refused_with_a_reason(record: object, reason: str) -> None:
    with pytest.raises(MalformedRecord, match=reason):
        map_record(record)
