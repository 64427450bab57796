/**
 * The public federation gateway benchmark's four subgraphs (accounts, inventory, products,
 * reviews) and its deep query, reimplemented in Node: each serves from memory, parses and
 * validates an operation once, so almost all the cost measured is the gateway's. Composes
 * their supergraph (routing URLs to these ports) into a temporary file it reports.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { failChild, serveChild } from './child';

const USERS = Array.from({ length: 6 }, (_, i) => ({
  id: String(i + 1),
  name: `User ${i + 1}`,
  username: `user${i + 1}`,
  birthday: 1_000_000 + i,
}));
const PRODUCTS = Array.from({ length: 9 }, (_, i) => ({
  upc: String(i + 1),
  name: `Product ${i + 1}`,
  price: 100 + i * 7,
  weight: 10 + i,
}));
const REVIEWS = PRODUCTS.flatMap((product, p) =>
  [0, 1].map((r) => ({
    id: String(p * 2 + r + 1),
    body: `Review ${r + 1} of ${product.name}`,
    productUpc: product.upc,
    authorId: USERS[(p + r) % USERS.length]!.id,
  })),
);

const FED =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])';

const SUBGRAPHS = {
  accounts: {
    typeDefs: `${FED}
      type Query { me: User user(id: ID!): User users: [User] }
      type User @key(fields: "id") { id: ID! name: String username: String @shareable birthday: Int }`,
    resolvers: {
      Query: {
        me: () => USERS[0],
        user: (_: unknown, { id }: { id: string }) => USERS.find((u) => u.id === id),
        users: () => USERS,
      },
      User: { __resolveReference: (ref: { id: string }) => USERS.find((u) => u.id === ref.id) },
    },
  },
  inventory: {
    typeDefs: `${FED}
      type Product @key(fields: "upc") {
        upc: String! weight: Int @external price: Int @external inStock: Boolean
        shippingEstimate: Int @requires(fields: "price weight")
      }`,
    resolvers: {
      Product: {
        __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ({
          ...ref,
          inStock: Number(ref.upc) % 3 !== 0,
        }),
        shippingEstimate: (p: { price?: number; weight?: number }) =>
          (p.price ?? 0) > 1000 ? 0 : Math.round((p.weight ?? 0) / 2),
      },
    },
  },
  products: {
    typeDefs: `${FED}
      type Query { topProducts(first: Int = 5): [Product] }
      type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }`,
    resolvers: {
      Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first) },
      Product: { __resolveReference: (ref: { upc: string }) => PRODUCTS.find((p) => p.upc === ref.upc) },
    },
  },
  reviews: {
    typeDefs: `${FED}
      type Review @key(fields: "id") { id: ID! body: String product: Product author: User @provides(fields: "username") }
      type User @key(fields: "id") { id: ID! username: String @external reviews: [Review] }
      type Product @key(fields: "upc") { upc: String! reviews: [Review] }`,
    resolvers: {
      Review: {
        __resolveReference: (ref: { id: string }) => REVIEWS.find((r) => r.id === ref.id),
        product: (r: { productUpc: string }) => ({ upc: r.productUpc }),
        author: (r: { authorId: string }) => ({
          id: r.authorId,
          username: USERS.find((u) => u.id === r.authorId)!.username,
        }),
      },
      User: {
        __resolveReference: (ref: { id: string }) => ref,
        reviews: (u: { id: string }) => REVIEWS.filter((r) => r.authorId === u.id),
      },
      Product: {
        __resolveReference: (ref: { upc: string }) => ref,
        reviews: (p: { upc: string }) => REVIEWS.filter((r) => r.productUpc === p.upc),
      },
    },
  },
};

function serve(schema: GraphQLSchema): Promise<string> {
  const documents = new Map<string, DocumentNode>();
  const server = createServer((req, res) => {
    requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        query: string;
        variables?: Record<string, unknown>;
      };
      let document = documents.get(body.query);
      if (!document) {
        document = parse(body.query);
        const errors = validate(schema, document);
        if (errors.length > 0) {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ errors }));
        }
        documents.set(body.query, document);
      }
      // Entity resolution may return promises: wait for the whole result.
      const result = await execute({ schema, document, variableValues: body.variables });
      const text = JSON.stringify(result);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`)),
  );
}

let requests = 0;

async function main() {
  const services = [];
  for (const [name, { typeDefs, resolvers }] of Object.entries(SUBGRAPHS)) {
    const typeDefsNode = parse(typeDefs);
    const schema = buildSubgraphSchema([{ typeDefs: typeDefsNode, resolvers: resolvers as never }]);
    const url = await serve(schema);
    services.push({ name, typeDefs: typeDefsNode, url });
  }
  const composed = composeServices(services);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  const file = join(mkdtempSync(join(tmpdir(), 'agora-bench-fed-')), 'supergraph.graphql');
  writeFileSync(file, composed.supergraphSdl);
  serveChild({ supergraph: file, urls: Object.fromEntries(services.map((s) => [s.name, s.url])) }, () => ({
    requests,
  }));
}

main().catch(failChild);
