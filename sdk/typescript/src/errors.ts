/**
 * Typed errors for the Open Banking API.
 *
 * Every 4xx/5xx from the API is an RFC 9457 `application/problem+json` body:
 * `{type, title, status, detail, code, request_id, errors: [{field, code, message}]}`.
 * `createApiError()` maps such a body to the right `ApiError` subclass; `unwrap()`
 * throws it from an openapi-fetch result.
 */

/** One field-level problem inside `errors[]`. */
export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** The RFC 9457 problem document as sent by the platform (extra members allowed). */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  request_id?: string;
  errors?: FieldError[];
  [key: string]: unknown;
}

export type ApiErrorKind =
  | "authentication"
  | "permission"
  | "not_found"
  | "conflict"
  | "validation"
  | "rate_limit"
  | "server"
  | "api";

/** Base class of every error thrown by this SDK. */
export class OpenBankError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Rate limit information from the `RateLimit-*` headers (all may be undefined). */
export interface RateLimitInfo {
  limit?: number;
  remaining?: number;
  /** Seconds until the window resets. */
  reset?: number;
}

/** An HTTP error response from the API (status >= 400). */
export class ApiError extends OpenBankError {
  /** Discriminant, handy in `switch` statements. */
  readonly kind: ApiErrorKind = "api";
  readonly status: number;
  /** Stable snake_case error code from the problem document, e.g. `insufficient_funds`. */
  readonly code: string | undefined;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly type: string | undefined;
  /** `request_id` from the body, or the `X-Request-ID` response header. */
  readonly requestId: string | undefined;
  readonly errors: FieldError[];
  /** The raw parsed body (problem document, or text/undefined for non-JSON bodies). */
  readonly problem: ProblemDetails | undefined;
  readonly raw: unknown;
  readonly headers: Headers | undefined;

  constructor(status: number, body: unknown, headers?: Headers) {
    const problem = isObject(body) ? (body as ProblemDetails) : undefined;
    const code = asString(problem?.code);
    const title = asString(problem?.title);
    const detail = asString(problem?.detail);
    const requestId = asString(problem?.request_id) ?? headers?.get("x-request-id") ?? undefined;
    let message = `HTTP ${status}`;
    if (code) message += ` ${code}`;
    if (detail || title) message += `: ${detail ?? title}`;
    if (requestId) message += ` (request_id ${requestId})`;
    super(message);
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = detail;
    this.type = asString(problem?.type);
    this.requestId = requestId;
    this.errors = Array.isArray(problem?.errors) ? (problem.errors as FieldError[]) : [];
    this.problem = problem;
    this.raw = body;
    this.headers = headers;
  }
}

/** 401: missing, expired or revoked credentials. */
export class AuthenticationError extends ApiError {
  override readonly kind = "authentication" as const;
}
/** 403: authenticated but not allowed (scope, consent, role). */
export class PermissionError extends ApiError {
  override readonly kind = "permission" as const;
}
/** 404. */
export class NotFoundError extends ApiError {
  override readonly kind = "not_found" as const;
}
/** 409: conflict, including `idempotency_key_in_use`. */
export class ConflictError extends ApiError {
  override readonly kind = "conflict" as const;
}
/** 400 / 422: invalid request; see `errors[]` for field-level details. */
export class ValidationError extends ApiError {
  override readonly kind = "validation" as const;
}
/** 429: throttled. `retryAfter` is in seconds (undefined if the header was missing). */
export class RateLimitError extends ApiError {
  override readonly kind = "rate_limit" as const;
  readonly retryAfter: number | undefined;
  readonly rateLimit: RateLimitInfo;
  constructor(status: number, body: unknown, headers?: Headers) {
    super(status, body, headers);
    const ms = headers ? parseRetryAfterMs(headers.get("retry-after")) : undefined;
    this.retryAfter = ms === undefined ? undefined : ms / 1000;
    this.rateLimit = {
      limit: asNumber(headers?.get("ratelimit-limit")),
      remaining: asNumber(headers?.get("ratelimit-remaining")),
      reset: asNumber(headers?.get("ratelimit-reset")),
    };
  }
}
/** 5xx. */
export class ServerError extends ApiError {
  override readonly kind = "server" as const;
}

/** The request never produced an HTTP response (DNS, connection reset, timeout...). */
export class NetworkError extends OpenBankError {}

/** The per-attempt timeout elapsed before response headers arrived. */
export class TimeoutError extends NetworkError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`Request timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** An OAuth 2 endpoint (token / revoke) answered with `{error, error_description}`. */
export class OAuthError extends OpenBankError {
  readonly status: number;
  readonly error: string;
  readonly errorDescription: string | undefined;
  readonly requestId: string | undefined;
  constructor(status: number, body: unknown, headers?: Headers) {
    const obj = isObject(body) ? body : {};
    const error = asString(obj["error"]) ?? `http_${status}`;
    const description = asString(obj["error_description"]);
    super(`OAuth error ${error}${description ? `: ${description}` : ""} (HTTP ${status})`);
    this.status = status;
    this.error = error;
    this.errorDescription = description;
    this.requestId = headers?.get("x-request-id") ?? undefined;
  }
}

/** Build the right ApiError subclass for a status + parsed body. */
export function createApiError(status: number, body: unknown, headers?: Headers): ApiError {
  switch (status) {
    case 400:
    case 422:
      return new ValidationError(status, body, headers);
    case 401:
      return new AuthenticationError(status, body, headers);
    case 403:
      return new PermissionError(status, body, headers);
    case 404:
      return new NotFoundError(status, body, headers);
    case 409:
      return new ConflictError(status, body, headers);
    case 429:
      return new RateLimitError(status, body, headers);
    default:
      return status >= 500 ? new ServerError(status, body, headers) : new ApiError(status, body, headers);
  }
}

/** Read a (non-ok) fetch Response and build the matching ApiError. Consumes the body. */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = undefined;
  try {
    const text = await response.text();
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
  } catch {
    // body unreadable: keep undefined
  }
  return createApiError(response.status, body, response.headers);
}

/** Shape of an openapi-fetch result (`{data, error, response}`). */
export interface FetchResultLike<D, E> {
  data?: D;
  error?: E;
  response: Response;
}

/**
 * Return `data` from an openapi-fetch result, or throw the typed ApiError.
 *
 * ```ts
 * const account = unwrap(await client.GET("/api/v1/accounts/{id}/", { params: { path: { id } } }));
 * ```
 */
export function unwrap<D, E>(result: FetchResultLike<D, E>): D {
  const { response } = result;
  if (!response.ok) {
    throw createApiError(response.status, result.error, response.headers);
  }
  return result.data as D;
}

/** Alias of `unwrap` for readability at call sites that ignore the data. */
export const throwIfError = unwrap;

// ---------------------------------------------------------------------------
// small shared helpers

/**
 * Parse a `Retry-After` header (delta-seconds or HTTP-date) into milliseconds from `now`.
 * Returns undefined when absent or unparseable; never negative.
 */
export function parseRetryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Math.max(0, Math.round(Number(trimmed) * 1000));
  }
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function asString(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function asNumber(v: string | null | undefined): number | undefined {
  if (v == null || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
