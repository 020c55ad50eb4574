"""Bringing outside data into the graph: OpenAlex mapping (``openalex``) and batched writes (``load``)."""
