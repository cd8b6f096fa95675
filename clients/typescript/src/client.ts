// The Teeckin client: a small facade over openapi-fetch, typed by the generated schema (schema.ts).
// Everything the Python SDK does per request happens in `send` below, the fetch openapi-fetch calls:
// credentials (X-API-Key, or a client-credentials token fetched, stored and renewed), an Idempotency-Key
// on writes (one per call, the same on its retries) and retries of 429/503 and network failures.

import createClient, { type Client } from "openapi-fetch";

import { errorFromResponse, TransportError } from "./errors.js";
import type { components, paths } from "./schema.js";
import { verifyWebhook, type VerifyOptions, type WebhookEvent } from "./webhooks.js";

export type Schemas = components["schemas"];
export type TopicRef = Schemas["TopicRefOutput"];
export type TimeEntry = Schemas["ClockedTimeOutput"];
export type Webhook = Schemas["WebhookOutput"];

/** An access token and when it stops working (milliseconds since the epoch). */
export interface Token {
  accessToken: string;
  expiresAt: number;
}

/** Where the client keeps its access token; bring your own to share one between runs or processes. */
export interface TokenStore {
  load(): Token | undefined | Promise<Token | undefined>;
  save(token: Token): void | Promise<void>;
}

export class MemoryTokenStore implements TokenStore {
  private token: Token | undefined;
  load(): Token | undefined {
    return this.token;
  }
  save(token: Token): void {
    this.token = token;
  }
}

export interface TeeckinOptions {
  /** The server, e.g. "https://teeckin.example.com" (no /api). */
  baseUrl: string;
  /** A personal API key (tak_…), sent as X-API-Key. */
  apiKey?: string;
  /** An agent's client credentials: a token is fetched from /api/oauth/token and renewed as needed. */
  clientId?: string;
  clientSecret?: string;
  /** Scopes to ask for, e.g. "agent webhooks" (default: the server's, "agent"). */
  scope?: string;
  tokenStore?: TokenStore;
  /** Renew a token this many seconds before it expires (default 60). */
  renewMarginSeconds?: number;
  /** Retries of 429, 503 and network failures (default 2). */
  maxRetries?: number;
  /** Never wait longer than this for a retry, in seconds (default 60); a longer Retry-After throws. */
  maxRetryWaitSeconds?: number;
  /** Base of the exponential backoff when no Retry-After is given, in seconds (default 0.5). */
  backoffSeconds?: number;
  /** Per-attempt timeout in milliseconds (default 30000). */
  timeoutMs?: number;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** The clock, in milliseconds since the epoch (default Date.now). */
  now?: () => number;
  /** The signing secret (whsec_…) `webhooks.verify` uses when it is given none. */
  webhookSecret?: string;
}

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const RETRY_STATUSES = new Set([429, 503]);

function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

function retryAfterSeconds(response: Response, nowMs: number): number | undefined {
  const value = response.headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max((date - nowMs) / 1000, 0);
}

async function bodyOf(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

export class Teeckin {
  readonly topics: TopicsResource;
  readonly timer: TimerResource;
  readonly timeEntries: TimeEntriesResource;
  readonly webhooks: WebhooksResource;
  /** The openapi-fetch client, for endpoints the facade does not wrap (typed by the schema). */
  readonly api: Client<paths>;

  private readonly options: Required<
    Pick<TeeckinOptions, "renewMarginSeconds" | "maxRetries" | "maxRetryWaitSeconds" | "backoffSeconds" | "timeoutMs">
  > &
    TeeckinOptions;
  private readonly fetchImpl: typeof fetch;
  private readonly tokenStore: TokenStore;
  private tokenRequest: Promise<Token> | undefined;

  constructor(options: TeeckinOptions) {
    if (!options.apiKey && !(options.clientId && options.clientSecret)) {
      throw new TypeError("Teeckin needs apiKey, or clientId and clientSecret.");
    }
    this.options = {
      renewMarginSeconds: 60,
      maxRetries: 2,
      maxRetryWaitSeconds: 60,
      backoffSeconds: 0.5,
      timeoutMs: 30_000,
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
    };
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.tokenStore = options.tokenStore ?? new MemoryTokenStore();
    this.api = createClient<paths>({ baseUrl: this.options.baseUrl, fetch: (request) => this.send(request) });
    this.topics = new TopicsResource(this.api);
    this.timer = new TimerResource(this.api);
    this.timeEntries = new TimeEntriesResource(this.api);
    this.webhooks = new WebhooksResource(this.api, options.webhookSecret);
  }

  /** Who these credentials act as: the agent (null for an API key), its owner, the organization. */
  async me(): Promise<Schemas["AgentMeOutput"]> {
    return unwrap(await this.api.GET("/api/agent/me"));
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async token(renew: boolean): Promise<Token> {
    if (!renew) {
      const stored = await this.tokenStore.load();
      if (stored && this.now() < stored.expiresAt - this.options.renewMarginSeconds * 1000) return stored;
    }
    // Concurrent calls share one token request.
    this.tokenRequest ??= this.fetchToken().finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  private async fetchToken(): Promise<Token> {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.options.clientId ?? "",
      client_secret: this.options.clientSecret ?? "",
    });
    if (this.options.scope) form.set("scope", this.options.scope);
    const requestedAt = this.now();
    const response = await this.attempt(
      () =>
        new Request(`${this.options.baseUrl}/api/oauth/token`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
          body: form,
        }),
    );
    const body = await bodyOf(response);
    if (!response.ok) throw errorFromResponse(response.status, body, response.headers);
    const issued = body as { access_token: string; expires_in: number };
    // Counted from when the request left: the server's clock started no earlier than that.
    const token = { accessToken: issued.access_token, expiresAt: requestedAt + issued.expires_in * 1000 };
    await this.tokenStore.save(token);
    return token;
  }

  // Sends one logical call, retrying as the options allow; every attempt is a fresh copy of `make()`.
  private async attempt(make: () => Request | Promise<Request>): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      // Outside the try: an error making the request (a refused token) is not a network failure to retry.
      const request = await make();
      let response: Response;
      try {
        response = await this.fetchImpl(request, { signal: AbortSignal.timeout(this.options.timeoutMs) });
      } catch (error) {
        if (attempt >= this.options.maxRetries) {
          throw new TransportError(`Could not reach ${this.options.baseUrl}: ${String(error)}`);
        }
        await sleep(Math.random() * this.options.backoffSeconds * 2 ** attempt);
        continue;
      }
      if (!RETRY_STATUSES.has(response.status) || attempt >= this.options.maxRetries) return response;
      const wait = retryAfterSeconds(response, this.now()) ?? Math.random() * this.options.backoffSeconds * 2 ** attempt;
      if (wait > this.options.maxRetryWaitSeconds) return response;
      await response.body?.cancel();
      await sleep(wait);
    }
  }

  // The fetch openapi-fetch calls, once per logical call.
  private async send(request: Request): Promise<Response> {
    const template = request.clone();
    const key = WRITES.has(request.method) ? (request.headers.get("Idempotency-Key") ?? crypto.randomUUID()) : undefined;
    let renew = false;
    const make = async (): Promise<Request> => {
      const copy = template.clone();
      copy.headers.set("Accept", "application/json");
      if (key) copy.headers.set("Idempotency-Key", key);
      if (this.options.apiKey) {
        copy.headers.set("X-API-Key", this.options.apiKey);
      } else {
        copy.headers.set("Authorization", `Bearer ${(await this.token(renew)).accessToken}`);
      }
      return copy;
    };
    let response = await this.attempt(make);
    if (response.status === 401 && !this.options.apiKey) {
      // The token expired early or was pruned: one fresh token, one more try (same Idempotency-Key).
      await response.body?.cancel();
      renew = true;
      response = await this.attempt(make);
    }
    return response;
  }
}

interface ApiResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function unwrap<T>(result: ApiResult<T>): T {
  if (result.error !== undefined || !result.response.ok) {
    throw errorFromResponse(result.response.status, result.error ?? null, result.response.headers);
  }
  return result.data as T;
}

type WriteOptions = { idempotencyKey?: string };

function keyHeader(options?: WriteOptions): Record<string, string> {
  return options?.idempotencyKey ? { "Idempotency-Key": options.idempotencyKey } : {};
}

export class TopicsResource {
  constructor(private readonly api: Client<paths>) {}

  /** The organization's usable (unarchived) topics. */
  async list(): Promise<TopicRef[]> {
    return unwrap(await this.api.GET("/api/agent/topics")).topics;
  }

  async forAgent(): Promise<Schemas["TopicsForAgentOutput"]> {
    return unwrap(await this.api.GET("/api/v1/topics/for-agent"));
  }
}

export class TimerResource {
  constructor(private readonly api: Client<paths>) {}

  /** Starts a timer on a topic named by id or by (fuzzy) name; a running timer is stopped first. */
  async start(
    input: { topic: string; notes?: string },
    options?: WriteOptions,
  ): Promise<Schemas["AgentTimerStartOutput"]> {
    return unwrap(await this.api.POST("/api/agent/timer/start", { body: input, headers: keyHeader(options) }));
  }

  /** Stops the running timer (NoActiveTimerError when none runs); `notes` replace its notes. */
  async stop(input: { notes?: string } = {}, options?: WriteOptions): Promise<Schemas["AgentTimerStopOutput"]> {
    return unwrap(await this.api.POST("/api/agent/timer/stop", { body: input, headers: keyHeader(options) }));
  }

  async status(): Promise<Schemas["AgentTimerStatusOutput"]> {
    return unwrap(await this.api.GET("/api/agent/timer"));
  }

  /** Replaces the running timer's notes. */
  async notes(notes: string, options?: WriteOptions): Promise<Schemas["AgentTimerUpdateOutput"]> {
    return unwrap(await this.api.PATCH("/api/agent/timer", { body: { notes }, headers: keyHeader(options) }));
  }

  /** Adds tags by name to the running timer; missing tags are created. */
  async tags(tags: string[], options?: WriteOptions): Promise<Schemas["AgentTimerTagsOutput"]> {
    return unwrap(await this.api.POST("/api/agent/timer/tags", { body: { tags }, headers: keyHeader(options) }));
  }
}

export interface TimeEntryFilters {
  startDate?: string;
  endDate?: string;
  topicId?: string;
  tag?: string;
  pageSize?: number;
}

export class TimeEntriesResource {
  constructor(private readonly api: Client<paths>) {}

  /** Every matching entry, newest first, fetched a page at a time: `for await (const e of ...list())`. */
  async *list(filters: TimeEntryFilters = {}): AsyncGenerator<TimeEntry> {
    for (let page = 1; ; page++) {
      const answer = unwrap(
        await this.api.GET("/api/v1/clocked-times", {
          params: {
            query: {
              page,
              page_size: filters.pageSize ?? 100,
              start_date: filters.startDate,
              end_date: filters.endDate,
              topic_id: filters.topicId,
              tag: filters.tag,
            },
          },
        }),
      );
      yield* answer.results;
      if (answer.results.length === 0 || answer.page * answer.pageSize >= answer.count) return;
    }
  }

  async get(id: string): Promise<TimeEntry> {
    return unwrap(await this.api.GET("/api/v1/clocked-times/{entry_id}", { params: { path: { entry_id: id } } }));
  }

  /** Records finished work between two times (ISO 8601 with a zone). */
  async create(
    input: { topicId: string; startTime: string; endTime: string; notes?: string; tags?: string[] },
    options?: WriteOptions,
  ): Promise<TimeEntry> {
    return unwrap(await this.api.POST("/api/v1/clocked-times", { body: input, headers: keyHeader(options) }));
  }

  /** Records `durationMinutes` of finished work on a topic named by id or (fuzzy) name. */
  async log(
    input: { topic: string; durationMinutes: number; notes?: string; startTime?: string },
    options?: WriteOptions,
  ): Promise<Schemas["AgentTimeOutput"]> {
    const body = {
      topic: input.topic,
      duration_minutes: input.durationMinutes,
      ...(input.notes === undefined ? {} : { notes: input.notes }),
      ...(input.startTime === undefined ? {} : { start_time: input.startTime }),
    };
    return unwrap(await this.api.POST("/api/agent/time", { body, headers: keyHeader(options) }));
  }

  async delete(id: string, options?: WriteOptions): Promise<void> {
    const result = await this.api.DELETE("/api/v1/clocked-times/{entry_id}", {
      params: { path: { entry_id: id } },
      headers: keyHeader(options),
    });
    unwrap(result);
  }
}

export class WebhooksResource {
  constructor(
    private readonly api: Client<paths>,
    private readonly secret?: string,
  ) {}

  /** Subscribes `url` to `events`; the answer's `secret` is shown this once. */
  async create(
    // The event names are an enum in the schema (an unknown name is refused with 400).
    input: Schemas["WebhookCreateInputRequest"],
    options?: WriteOptions,
  ): Promise<Schemas["WebhookCreatedOutput"]> {
    return unwrap(await this.api.POST("/api/v1/webhooks", { body: input, headers: keyHeader(options) }));
  }

  async list(): Promise<Webhook[]> {
    return unwrap(await this.api.GET("/api/v1/webhooks")).webhooks;
  }

  async delete(id: string, options?: WriteOptions): Promise<void> {
    const result = await this.api.DELETE("/api/v1/webhooks/{webhook_id}", {
      params: { path: { webhook_id: id } },
      headers: keyHeader(options),
    });
    unwrap(result);
  }

  /** Checks a received delivery's signature and returns its event (see `verifyWebhook`); `secret`
   * defaults to the client's `webhookSecret`. */
  verify(
    body: string | Uint8Array,
    headers: Headers | Record<string, string | string[] | undefined>,
    secret?: string,
    options?: VerifyOptions,
  ): Promise<WebhookEvent> {
    const chosen = secret ?? this.secret;
    if (!chosen) throw new TypeError("No webhook secret: pass it to verify() or as webhookSecret.");
    return verifyWebhook(body, headers, chosen, options);
  }
}
