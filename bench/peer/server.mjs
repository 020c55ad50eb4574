// The peer of bench/peer_bench.py: @neo4j/graphql (its generated schema and its single Cypher query per
// operation) over bzgraph's graph as it is stored (docs/graph-model.md), on the same Neo4j.
//
//     npm ci --prefix bench/peer && node bench/peer/server.mjs --port 8753
//
// The database is the one bzgraph uses, read from the same environment variables as bzgraph/settings.py:
// BZGRAPH_NEO4J_URI, BZGRAPH_NEO4J_USER, BZGRAPH_NEO4J_PASSWORD (unset: the local server's password in
// $BZGRAPH_STATE_DIR/neo4j-password, else "neo4j") and BZGRAPH_NEO4J_DATABASE.
//
// Served by graphql-yoga rather than @apollo/server: the lighter of the two (12 dependencies against 20, no
// usage-reporting or CORS middleware on the way), on node:http directly. Like bzgraph, it caches parsed and
// validated documents by their text (yoga's default).
//
// Every answer carries `extensions.cypherQueries`: the Cypher queries the operation sent (counted at the driver,
// each transaction.run or session.run), as bzgraph's answers carry `cypherRoundTrips`.
import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { Neo4jGraphQL } from "@neo4j/graphql";
import { createYoga } from "graphql-yoga";
import neo4j from "neo4j-driver";

// Types over the stored graph: the nodes and relationships the profile page reads, with their stored properties.
// Nothing derived (a headline, close collaborators, the current affiliation): the peer serves what is stored.
const typeDefs = /* GraphQL */ `
  type Researcher @node {
    id: ID!
    name: String!
    aliases: [String!]
    orcid: String
    openalexId: String
    bio: String
    openToCollaborate: Boolean
    worksCount: Int
    trustScore: Int
    trustTier: String
    verificationLevel: String
    trustKeys: [String!]
    trustLabels: [String!]
    trustValues: [Float!]
    trustPoints: [Int!]
    trustMaxPoints: [Int!]
    works: [Work!]! @relationship(type: "AUTHORED", direction: OUT, properties: "Authored")
    affiliations: [Institution!]!
      @relationship(type: "AFFILIATED_WITH", direction: OUT, properties: "AffiliatedWith")
    followers: [User!]! @relationship(type: "FOLLOWS", direction: IN, properties: "Follows")
    claims: [Claim!]! @relationship(type: "CLAIMS", direction: IN)
  }

  type Authored @relationshipProperties {
    position: Int
    institutions: [String!]
  }

  type AffiliatedWith @relationshipProperties {
    years: [Int!]
    recordYears: [Int!]
  }

  type Follows @relationshipProperties {
    since: DateTime
  }

  type Work @node {
    id: ID!
    title: String
    abstract: String
    sortTitle: String
    year: Int
    date: Date
    type: String!
    language: String
    doi: String
    arxivId: String
    citedByCount: Int
    rawAuthorNames: [String!]
    authors: [Researcher!]! @relationship(type: "AUTHORED", direction: IN, properties: "Authored")
    topics: [Topic!]! @relationship(type: "HAS_TOPIC", direction: OUT, properties: "HasTopic")
    source: Source @relationship(type: "PUBLISHED_IN", direction: OUT) # the primary location's venue: one at most
    cites: [Work!]! @relationship(type: "CITES", direction: OUT)
  }

  type HasTopic @relationshipProperties {
    score: Float
  }

  type Topic @node {
    id: ID!
    name: String!
    subfield: String
    field: String
    domain: String
    worksCount: Int
    works: [Work!]! @relationship(type: "HAS_TOPIC", direction: IN, properties: "HasTopic")
  }

  type Institution @node {
    id: ID!
    name: String!
    ror: String
    country: String
    type: String
    researchersCount: Int
    researchers: [Researcher!]!
      @relationship(type: "AFFILIATED_WITH", direction: IN, properties: "AffiliatedWith")
  }

  type Source @node {
    id: ID!
    name: String!
    type: String
    issn: String
    works: [Work!]! @relationship(type: "PUBLISHED_IN", direction: IN)
  }

  type User @node {
    id: ID!
    follows: [Researcher!]! @relationship(type: "FOLLOWS", direction: OUT, properties: "Follows")
  }

  type Claim @node {
    id: ID!
    status: String!
    researchers: [Researcher!]! @relationship(type: "CLAIMS", direction: OUT)
  }
`;

const { values: options } = parseArgs({ options: { port: { type: "string", default: "8753" } } });
const env = process.env;
const stateDir = env.BZGRAPH_STATE_DIR || join(dirname(fileURLToPath(import.meta.url)), "..", "..", ".bzgraph");

function password() {
  if (env.BZGRAPH_NEO4J_PASSWORD) return env.BZGRAPH_NEO4J_PASSWORD;
  try {
    return readFileSync(resolve(stateDir, "neo4j-password"), "utf8").trim();
  } catch {
    return "neo4j";
  }
}

const driver = neo4j.driver(env.BZGRAPH_NEO4J_URI || "bolt://127.0.0.1:7687",
  neo4j.auth.basic(env.BZGRAPH_NEO4J_USER || "neo4j", password()));
const database = env.BZGRAPH_NEO4J_DATABASE || "neo4j";

// The operation a query runs for, and how many it has run: counted at the driver, whatever the library calls;
// with the queries and their parameters when the request asks for them (below).
const operation = new AsyncLocalStorage();

function counted(run, target) {
  return (query, parameters, ...rest) => {
    const store = operation.getStore();
    if (store) {
      store.cypherQueries += 1;
      store.cypher?.push({ query, parameters });
    }
    return run.call(target, query, parameters, ...rest);
  };
}

function countingTransaction(tx) {
  return new Proxy(tx, { get: (target, name) => (name === "run" ? counted(target.run, target) : target[name]) });
}

const openSession = driver.session.bind(driver);
driver.session = (config) => {
  const session = openSession(config);
  session.run = counted(session.run, session);
  for (const name of ["executeRead", "executeWrite"]) {
    const execute = session[name].bind(session);
    session[name] = (work, txConfig) => execute((tx) => work(countingTransaction(tx)), txConfig);
  }
  return session;
};

const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
const schema = await neoSchema.getSchema();

// A request whose body carries `"extensions": {"showCypher": true}` is also answered the Cypher it sent, with its
// parameters (`extensions.cypher`): bench/peer_bench.py times it through the raw driver, as bzgraph's own query.
const countCypher = {
  onExecute({ executeFn, setExecuteFn }) {
    setExecuteFn((args) => {
      const show = args.contextValue?.params?.extensions?.showCypher === true;
      const store = { cypherQueries: 0, cypher: show ? [] : undefined };
      return operation.run(store, async () => {
        const result = await executeFn(args);
        result.extensions = { ...result.extensions, cypherQueries: store.cypherQueries };
        if (show) result.extensions.cypher = JSON.parse(JSON.stringify(store.cypher, plainIntegers));
        return result;
      });
    });
  },
};

function plainIntegers(key, value) {
  return neo4j.isInt(value) ? value.toNumber() : value;
}

const yoga = createYoga({
  schema,
  context: { sessionConfig: { database } },
  graphiql: false,
  logging: "warn",
  plugins: [countCypher],
});

const server = createServer(yoga);
server.listen(Number(options.port), "127.0.0.1", () => {
  console.log(`peer: @neo4j/graphql on http://127.0.0.1:${options.port}/graphql`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close(() => driver.close().then(() => process.exit(0)));
    server.closeAllConnections(); // a keep-alive client still connected would hold close() open
  });
}
