// The SDK against a live Teeckin server. Started by tests/clients/test_typescript_sdk.py, which passes
// the server's URL and real credentials (an agent allowed "agent webhooks", an API key) in the environment
// and has created PAGED_COUNT finished entries between PAGED_FROM and PAGED_TO.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";

import {
  ApiError,
  AuthenticationError,
  MemoryTokenStore,
  NoActiveTimerError,
  NotFoundError,
  Teeckin,
  TopicAmbiguousError,
  TopicNotFoundError,
  ValidationError,
  verifyWebhook,
  WebhookVerificationError,
} from "../dist/index.js";

const env = process.env;
const baseUrl = env.TEECKIN_TEST_URL;
if (!baseUrl) {
  throw new Error("No live server: run these tests through pytest tests/clients/test_typescript_sdk.py.");
}
const credentials = { clientId: env.TEECKIN_TEST_CLIENT_ID, clientSecret: env.TEECKIN_TEST_CLIENT_SECRET };

describe("against a live server", () => {
  const client = new Teeckin({ baseUrl, ...credentials });

  test("a timer round trip with client credentials and a misspelt topic", async () => {
    const started = await client.timer.start({ topic: "reserch", notes: "Reading the RFC" });
    assert.equal(started.started, true);
    assert.equal(started.topic.name, "Research");
    const status = await client.timer.status();
    assert.equal(status.running, true);
    assert.equal(status.clockedTimeId, started.clockedTimeId);
    assert.equal((await client.timer.notes("Reading RFC 6749")).updated, true);
    assert.deepEqual((await client.timer.tags(["spec", "reading"])).tags.sort(), ["reading", "spec"]);
    const stopped = await client.timer.stop();
    assert.equal(stopped.clockedTimeId, started.clockedTimeId);
    assert.equal((await client.timer.status()).running, false);
    const entry = await client.timeEntries.get(started.clockedTimeId);
    assert.equal(entry.notes, "Reading RFC 6749");
    assert.deepEqual(entry.tags, ["reading", "spec"]);
  });

  test("a topic that matches nothing, or several, throws with candidates", async () => {
    const missing = await client.timer.start({ topic: "Quarterly taxes" }).catch((error) => error);
    assert.ok(missing instanceof TopicNotFoundError && missing instanceof NotFoundError);
    assert.equal(missing.code, "TOPIC_NOT_FOUND");
    assert.equal(missing.status, 404);
    const ambiguous = await client.timer.start({ topic: "project" }).catch((error) => error);
    assert.ok(ambiguous instanceof TopicAmbiguousError);
    const names = ambiguous.candidates.map((candidate) => candidate.name);
    assert.ok(names.includes("Project Alpha") && names.includes("Project Beta"));
  });

  test("errors throw the class of their code family", async () => {
    const noTimer = await client.timer.stop().catch((error) => error);
    assert.ok(noTimer instanceof NoActiveTimerError && noTimer instanceof ApiError);
    assert.equal(noTimer.code, "NO_ACTIVE_TIMER");
    const invalid = await client.timeEntries.log({ topic: "Research", durationMinutes: 0 }).catch((e) => e);
    assert.ok(invalid instanceof ValidationError);
    assert.ok("duration_minutes" in invalid.details);
    const wrong = new Teeckin({ baseUrl, clientId: credentials.clientId, clientSecret: "tcs_wrong" });
    const refused = await wrong.topics.list().catch((error) => error);
    assert.ok(refused instanceof AuthenticationError);
    assert.equal(refused.code, "invalid_client");
  });

  test("a token about to expire is renewed before it is sent", async () => {
    const store = new MemoryTokenStore();
    let now = Date.now();
    const sdk = new Teeckin({ baseUrl, ...credentials, tokenStore: store, now: () => now });
    await sdk.topics.list();
    const first = store.load();
    assert.ok(first.accessToken.startsWith("tat_") && first.expiresAt > now + 3000_000);
    now = first.expiresAt - 30_000; // 30 s left: under the 60 s margin
    await sdk.topics.list();
    assert.notEqual(store.load().accessToken, first.accessToken);
  });

  test("a token the server no longer accepts is renewed once on 401", async () => {
    const store = new MemoryTokenStore();
    store.save({ accessToken: "tat_stale", expiresAt: Date.now() + 3600_000 });
    const sdk = new Teeckin({ baseUrl, ...credentials, tokenStore: store });
    const topics = await sdk.topics.list();
    assert.deepEqual(
      topics.map((topic) => topic.name),
      ["Project Alpha", "Project Beta", "Research"],
    );
    assert.ok(store.load().accessToken !== "tat_stale");
  });

  test("an API key works without a token", async () => {
    const sdk = new Teeckin({ baseUrl, apiKey: env.TEECKIN_TEST_API_KEY });
    const me = await sdk.me();
    assert.equal(me.agent, null);
    assert.equal(me.user.username, "olivia");
  });

  test("time entries are iterated across pages", async () => {
    const ids = [];
    let previous;
    for await (const entry of client.timeEntries.list({
      startDate: env.PAGED_FROM,
      endDate: env.PAGED_TO,
      pageSize: 100,
    })) {
      ids.push(entry.id);
      if (previous) assert.ok(entry.startTime <= previous, "newest first");
      previous = entry.startTime;
    }
    assert.equal(ids.length, Number(env.PAGED_COUNT));
    assert.equal(new Set(ids).size, ids.length);
  });

  describe("webhooks", () => {
    const received = [];
    let receiver;
    let receiverUrl;

    before(async () => {
      receiver = createServer((request, response) => {
        const chunks = [];
        request.on("data", (chunk) => chunks.push(chunk));
        request.on("end", () => {
          received.push({ body: Buffer.concat(chunks), headers: request.headers });
          response.end("ok");
        });
      });
      await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      receiverUrl = `http://127.0.0.1:${receiver.address().port}/hook`;
    });

    after(() => receiver.close());

    test("a real delivery verifies; a tampered one does not", async () => {
      const hooks = new Teeckin({ baseUrl, ...credentials, scope: "agent webhooks" });
      const created = await hooks.webhooks.create({ url: receiverUrl, events: ["time_entry.started"] });
      assert.ok(created.secret.startsWith("whsec_"));
      assert.deepEqual(
        (await hooks.webhooks.list()).map((hook) => hook.id),
        [created.id],
      );

      const started = await hooks.timer.start({ topic: "Research" });
      for (let waited = 0; received.length === 0 && waited < 15_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(received.length, 1, "the server delivered the event");
      const { body, headers } = received[0];

      const event = await hooks.webhooks.verify(body, headers, created.secret);
      assert.equal(event.event, "time_entry.started");
      assert.equal(event.data.id, started.clockedTimeId);
      const receiverClient = new Teeckin({ baseUrl, apiKey: "tak_unused", webhookSecret: created.secret });
      assert.deepEqual(await receiverClient.webhooks.verify(body, headers), event);
      for (const name of ["x-teeckin-signature", "x-webhook-signature"]) {
        const plain = await verifyWebhook(body, { [name]: headers[name] }, created.secret);
        assert.equal(plain.id, event.id);
      }
      const tampered = new TextEncoder().encode(body.toString().replace("Research", "Vacation"));
      await assert.rejects(verifyWebhook(tampered, headers, created.secret), WebhookVerificationError);
      const late = Number(headers["webhook-timestamp"]) + 3600;
      await assert.rejects(verifyWebhook(body, headers, created.secret, { now: late }), /too far/);

      await hooks.webhooks.delete(created.id);
      assert.deepEqual(await hooks.webhooks.list(), []);
      await hooks.timer.stop();
    });
  });
});
