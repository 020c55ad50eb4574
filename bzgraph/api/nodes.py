"""The ``Node`` interface every graph object implements, and ``NodeKind``."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="The kinds of node a UI can draw and search.")
class NodeKind(Enum):
    RESEARCHER = strawberry.enum_value("RESEARCHER", description="a researcher (an author record)")
    WORK = strawberry.enum_value("WORK", description="a work")
    TOPIC = strawberry.enum_value("TOPIC", description="a research topic")
    INSTITUTION = strawberry.enum_value("INSTITUTION", description="an institution")


LABEL_OF_KIND: dict[NodeKind, str] = {
    NodeKind.RESEARCHER: "Researcher",
    NodeKind.WORK: "Work",
    NodeKind.TOPIC: "Topic",
    NodeKind.INSTITUTION: "Institution",
}
KIND_OF_LABEL: dict[str, NodeKind] = {label: kind for kind, label in LABEL_OF_KIND.items()}


@strawberry.interface(description="Any object of the graph; ids are unique across the whole graph.")
class Node:
    id: strawberry.ID = strawberry.field(description="unique across the whole graph; opaque")
