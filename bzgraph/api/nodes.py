"""The ``Node`` interface every graph object implements, and ``NodeKind``."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="The kinds of node a UI can draw and search.")
class NodeKind(Enum):
    RESEARCHER = "RESEARCHER"
    WORK = "WORK"
    TOPIC = "TOPIC"
    INSTITUTION = "INSTITUTION"


LABEL_OF_KIND: dict[NodeKind, str] = {
    NodeKind.RESEARCHER: "Researcher",
    NodeKind.WORK: "Work",
    NodeKind.TOPIC: "Topic",
    NodeKind.INSTITUTION: "Institution",
}
KIND_OF_LABEL: dict[str, NodeKind] = {label: kind for kind, label in LABEL_OF_KIND.items()}


@strawberry.interface(description="Any object of the graph; ids are unique across the whole graph.")
class Node:
    id: strawberry.ID
