// Checking that a webhook request came from your Teeckin server, with Web Crypto (Node >= 20 and
// browsers alike). Teeckin signs each delivery twice with the endpoint's secret (whsec_…):
// - Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature "v1,<base64 HMAC-SHA256 of
//   id.timestamp.body>" keyed with the base64-decoded secret. Checked when present (it stops replays);
// - X-Teeckin-Signature / X-Webhook-Signature: "sha256=<hex HMAC-SHA256 of the body>" keyed with the whole
//   secret string (ClockEye's scheme), checked otherwise.

import { WebhookVerificationError } from "./errors.js";

/** The body of every delivery. `data` is the object as the API returns it. */
export interface WebhookEvent {
  id: string;
  event: string;
  createdAt: string;
  data: Record<string, unknown>;
}

export interface VerifyOptions {
  /** How far webhook-timestamp may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** Now, in seconds since the epoch (default: the clock). */
  now?: number;
}

const PLAIN_HEADERS = ["x-teeckin-signature", "x-webhook-signature"];
const encoder = new TextEncoder();

function headerOf(headers: Headers | Record<string, string | string[] | undefined>, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(",") : value;
  }
  return undefined;
}

async function hmacSha256(key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  // Copies into plain ArrayBuffers, which is what Web Crypto's types accept.
  const cryptoKey = await crypto.subtle.importKey("raw", new Uint8Array(key), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, new Uint8Array(message)));
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

// Compares in time independent of where the strings differ, as a signature check must.
function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let difference = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    difference |= (left[i] ?? 0) ^ (right[i] ?? 0);
  }
  return difference === 0;
}

/**
 * Checks a delivery's signature and returns its event. `body` must be the raw body as received (a
 * re-serialised JSON object does not match). Throws `WebhookVerificationError` when no signature checks out.
 */
export async function verifyWebhook(
  body: string | Uint8Array,
  headers: Headers | Record<string, string | string[] | undefined>,
  secret: string,
  options: VerifyOptions = {},
): Promise<WebhookEvent> {
  const raw = typeof body === "string" ? encoder.encode(body) : body;
  const standard = headerOf(headers, "webhook-signature");
  if (standard !== undefined) {
    const id = headerOf(headers, "webhook-id");
    const timestamp = headerOf(headers, "webhook-timestamp");
    if (!id || !timestamp || !/^\d+$/.test(timestamp)) {
      throw new WebhookVerificationError("webhook-id or webhook-timestamp missing or malformed.");
    }
    const now = options.now ?? Date.now() / 1000;
    if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) {
      throw new WebhookVerificationError("webhook-timestamp is too far from now (a replay, or a wrong clock).");
    }
    let key: Uint8Array;
    try {
      key = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (char) => char.charCodeAt(0));
    } catch {
      throw new WebhookVerificationError("The secret is not a whsec_ secret.");
    }
    const expected = toBase64(await hmacSha256(key, concat(encoder.encode(`${id}.${timestamp}.`), raw)));
    const matches = standard
      .split(" ")
      .some((candidate) => candidate.startsWith("v1,") && constantTimeEqual(candidate.slice(3), expected));
    if (!matches) throw new WebhookVerificationError("webhook-signature does not match the body.");
  } else {
    const plain = PLAIN_HEADERS.map((name) => headerOf(headers, name)).find((value) => value !== undefined);
    if (plain === undefined) throw new WebhookVerificationError("No signature header in the request.");
    const expected = "sha256=" + toHex(await hmacSha256(encoder.encode(secret), raw));
    if (!constantTimeEqual(plain.trim(), expected)) {
      throw new WebhookVerificationError("The sha256 signature does not match the body.");
    }
  }
  let event: unknown;
  try {
    event = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new WebhookVerificationError("The body is not JSON.");
  }
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    throw new WebhookVerificationError("The body is not an event object.");
  }
  return event as WebhookEvent;
}
