// The SDK's errors: one class per family of the API's error codes, as in the Python SDK. The class is
// chosen by code first (TOPIC_NOT_FOUND is a TopicNotFoundError) and by HTTP status otherwise, so codes
// the server adds later still land in the right family.

export class TeeckinError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The server could not be reached (after the retries allowed). */
export class TransportError extends TeeckinError {}

/** A webhook request's signature is missing, wrong or too old. */
export class WebhookVerificationError extends TeeckinError {}

/** The server answered with an error status; `code`, `message` and `details` come from its envelope. */
export class ApiError extends TeeckinError {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly headers: Headers;

  constructor(message: string, status: number, code: string, details: Record<string, unknown>, headers: Headers) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export class ValidationError extends ApiError {}
export class AuthenticationError extends ApiError {}
export class PermissionDeniedError extends ApiError {}
export class NotFoundError extends ApiError {}
export class ConflictError extends ApiError {}
export class IdempotencyError extends ApiError {}
export class ServerError extends ApiError {}

export class RateLimitError extends ApiError {
  /** Seconds until the limit resets, from the envelope or the Retry-After header. */
  get retryAfter(): number | undefined {
    const fromBody = this.details["retryAfter"];
    if (typeof fromBody === "number") return fromBody;
    const header = this.headers.get("retry-after");
    return header && /^\d+$/.test(header) ? Number(header) : undefined;
  }
}

/** A topic as the API suggests it when a name did not match (closest first). */
export interface TopicCandidate {
  id: string;
  name: string;
  category: string;
  score: number;
}

function candidatesOf(details: Record<string, unknown>): TopicCandidate[] {
  const candidates = details["candidates"];
  return Array.isArray(candidates) ? (candidates as TopicCandidate[]) : [];
}

export class TopicNotFoundError extends NotFoundError {
  get candidates(): TopicCandidate[] {
    return candidatesOf(this.details);
  }
}

export class NoActiveTimerError extends NotFoundError {}

export class TopicAmbiguousError extends ConflictError {
  get candidates(): TopicCandidate[] {
    return candidatesOf(this.details);
  }
}

type ApiErrorClass = new (
  message: string,
  status: number,
  code: string,
  details: Record<string, unknown>,
  headers: Headers,
) => ApiError;

const BY_CODE: Record<string, ApiErrorClass> = {
  TOPIC_NOT_FOUND: TopicNotFoundError,
  NO_ACTIVE_TIMER: NoActiveTimerError,
  TOPIC_AMBIGUOUS: TopicAmbiguousError,
  IDEMPOTENCY_KEY_REUSED: IdempotencyError,
  IDEMPOTENCY_KEY_IN_PROGRESS: IdempotencyError,
  RATE_LIMITED: RateLimitError,
  // OAuth's codes at the token endpoint (RFC 6749 §5.2).
  invalid_client: AuthenticationError,
  invalid_request: ValidationError,
  invalid_scope: ValidationError,
  unsupported_grant_type: ValidationError,
};

const BY_STATUS: Record<number, ApiErrorClass> = {
  400: ValidationError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  415: ValidationError,
  422: ValidationError,
  429: RateLimitError,
};

/** The error for an answer's status and body (the envelope, OAuth's error shape, or anything else). */
export function errorFromResponse(status: number, body: unknown, headers: Headers): ApiError {
  let code = `HTTP_${status}`;
  let message = `The server answered HTTP ${status}.`;
  let details: Record<string, unknown> = {};
  if (body !== null && typeof body === "object") {
    const fields = body as Record<string, unknown>;
    if (typeof fields["code"] === "string") {
      code = fields["code"];
      message = String(fields["error"] ?? "");
      const given = fields["details"];
      details = given !== null && typeof given === "object" ? (given as Record<string, unknown>) : {};
    } else if (typeof fields["error"] === "string") {
      code = fields["error"];
      message = String(fields["error_description"] ?? fields["error"]);
    }
  }
  const ErrorClass = BY_CODE[code] ?? BY_STATUS[status] ?? (status >= 500 ? ServerError : ApiError);
  return new ErrorClass(`${message} (${code}, HTTP ${status})`, status, code, details, headers);
}
