// Retries, backoff and Idempotency-Key against a real local HTTP server that fails on purpose (the live
// Teeckin server cannot be made to answer 503 on demand).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, beforeEach, test } from "node:test";

import { RateLimitError, ServerError, Teeckin, TransportError } from "../dist/index.js";

const START_ANSWER = {
  started: true,
  topic: { id: "top-1", name: "Research", category: "Internal" },
  clockedTimeId: "ct-1",
  startedAt: "2026-01-05T09:00:00Z",
  stopped: null,
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// Each test queues the answers the server gives, in order; every request is logged.
let answers = [];
let log = [];
let server;
let baseUrl;

before(async () => {
  server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      log.push({ method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString() });
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      response.writeHead(answer.status, { "Content-Type": "application/json", ...(answer.headers ?? {}) });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

beforeEach(() => {
  answers = [];
  log = [];
});

const unavailable = { status: 503, body: { error: "Down.", code: "UNAVAILABLE", details: {} }, headers: { "Retry-After": "0" } };
const client = (options = {}) => new Teeckin({ baseUrl, apiKey: "tak_test", backoffSeconds: 0.01, ...options });

test("a write retried after a 503 carries the same Idempotency-Key", async () => {
  answers = [unavailable, { status: 201, body: START_ANSWER }];
  const started = await client().timer.start({ topic: "Research" });
  assert.equal(started.clockedTimeId, "ct-1");
  assert.equal(log.length, 2);
  const [first, second] = log.map((request) => request.headers["idempotency-key"]);
  assert.match(first, UUID);
  assert.equal(first, second);
  assert.deepEqual(log.map((request) => JSON.parse(request.body)), [{ topic: "Research" }, { topic: "Research" }]);
  assert.equal(log[0].headers["x-api-key"], "tak_test");
});

test("each logical write gets its own key; a caller's key is kept; reads carry none", async () => {
  answers = [{ status: 201, body: START_ANSWER }];
  const sdk = client();
  await sdk.timer.start({ topic: "Research" });
  await sdk.timer.start({ topic: "Research" });
  await sdk.timer.start({ topic: "Research" }, { idempotencyKey: "session-42" });
  answers = [{ status: 200, body: { topics: [] } }];
  await sdk.topics.list();
  const keys = log.map((request) => request.headers["idempotency-key"]);
  assert.notEqual(keys[0], keys[1]);
  assert.equal(keys[2], "session-42");
  assert.equal(keys[3], undefined);
});

test("a 429 waits as Retry-After says", async () => {
  answers = [
    { status: 429, body: { error: "Slow down.", code: "RATE_LIMITED", details: { retryAfter: 1 } }, headers: { "Retry-After": "1" } },
    { status: 200, body: { topics: [] } },
  ];
  const began = Date.now();
  assert.deepEqual(await client().topics.list(), []);
  assert.ok(Date.now() - began >= 1000);
  assert.equal(log.length, 2);
});

test("a wait longer than allowed throws at once", async () => {
  answers = [
    { status: 429, body: { error: "Quota.", code: "RATE_LIMITED", details: { retryAfter: 1800 } }, headers: { "Retry-After": "1800" } },
  ];
  const error = await client({ maxRetryWaitSeconds: 30 }).timer.stop().catch((e) => e);
  assert.ok(error instanceof RateLimitError);
  assert.equal(error.retryAfter, 1800);
  assert.equal(log.length, 1);
});

test("retries are bounded", async () => {
  answers = [unavailable];
  const error = await client({ maxRetries: 3 }).timer.status().catch((e) => e);
  assert.ok(error instanceof ServerError);
  assert.equal(error.code, "UNAVAILABLE");
  assert.equal(log.length, 4);
});

test("a 401 renews the token and resends with the same key", async () => {
  answers = [
    { status: 200, body: { access_token: "tat_first", token_type: "Bearer", expires_in: 3600 } },
    { status: 401, body: { error: "Expired.", code: "INVALID_TOKEN", details: {} } },
    { status: 200, body: { access_token: "tat_second", token_type: "Bearer", expires_in: 3600 } },
    { status: 201, body: START_ANSWER },
  ];
  const sdk = new Teeckin({ baseUrl, clientId: "teeckin_agent_x", clientSecret: "tcs_x" });
  await sdk.timer.start({ topic: "Research" });
  const tokens = log.filter((request) => request.url === "/api/oauth/token");
  const writes = log.filter((request) => request.url === "/api/agent/timer/start");
  assert.equal(tokens.length, 2);
  assert.match(tokens[0].body, /grant_type=client_credentials/);
  assert.deepEqual(writes.map((request) => request.headers.authorization), ["Bearer tat_first", "Bearer tat_second"]);
  assert.equal(writes[0].headers["idempotency-key"], writes[1].headers["idempotency-key"]);
});

test("an unreachable server is a TransportError after the retries", async () => {
  const closed = createServer();
  await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = closed.address().port;
  await new Promise((resolve) => closed.close(resolve));
  const sdk = new Teeckin({ baseUrl: `http://127.0.0.1:${port}`, apiKey: "tak_x", backoffSeconds: 0.01 });
  await assert.rejects(sdk.timer.start({ topic: "Research" }), TransportError);
});
