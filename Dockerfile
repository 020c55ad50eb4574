# The bzgraph API image (docker compose builds it; Neo4j runs in its own container).
FROM python:3.11-slim
WORKDIR /app
# The dependencies first, from pyproject.toml alone: a change to the source rebuilds only the layers
# after them.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt
COPY bzgraph ./bzgraph
COPY cypher ./cypher
COPY seeds ./seeds
# Editable: bzgraph reads cypher/ and seeds/ from the project folder (/app), which a plain install
# would leave behind.
RUN pip install --no-cache-dir --no-deps -e .
# Not root: the server needs to write only its state (the development JWT secret), in its volume.
RUN useradd --system --uid 10001 --no-create-home bzgraph \
 && mkdir -p /var/lib/bzgraph && chown bzgraph /var/lib/bzgraph
USER bzgraph
ENV BZGRAPH_STATE_DIR=/var/lib/bzgraph
EXPOSE 8000
# The seed graph (idempotent) unless BZGRAPH_SEED is false, 0 or no; then exec: the server, not the shell, is
# PID 1 and receives SIGTERM (docker stop) for its graceful shutdown.
CMD ["sh", "-c", "case \"${BZGRAPH_SEED:-true}\" in [Ff][Aa][Ll][Ss][Ee]|0|[Nn][Oo]) ;; *) bzgraph seed ;; esac && exec bzgraph serve --host 0.0.0.0 --port 8000"]
