// @teeckin/sdk: a typed client of the Teeckin API. Types are generated from the server's OpenAPI schema
// (schema.ts, by scripts/sdk_generate.py); calls go through openapi-fetch.
export {
  MemoryTokenStore,
  Teeckin,
  TimeEntriesResource,
  TimerResource,
  TopicsResource,
  WebhooksResource,
  type Schemas,
  type TeeckinOptions,
  type TimeEntry,
  type TimeEntryFilters,
  type Token,
  type TokenStore,
  type TopicRef,
  type Webhook,
} from "./client.js";
export * from "./errors.js";
export type { components, operations, paths } from "./schema.js";
export { verifyWebhook, type VerifyOptions, type WebhookEvent } from "./webhooks.js";
