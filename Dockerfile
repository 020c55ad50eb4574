# The bzgraph API image (docker compose builds it; Neo4j runs in its own container).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bzgraph ./bzgraph
COPY cypher ./cypher
COPY seeds ./seeds
# Editable: bzgraph reads cypher/ and seeds/ from the project folder (/app), which a plain install
# would leave behind.
RUN pip install --no-cache-dir -e .
ENV BZGRAPH_STATE_DIR=/var/lib/bzgraph
EXPOSE 8000
# exec: the server, not the shell, is PID 1 and receives SIGTERM (docker stop) for its graceful shutdown
CMD ["sh", "-c", "bzgraph seed && exec bzgraph serve --host 0.0.0.0 --port 8000"]
