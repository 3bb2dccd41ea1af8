/**
 * Retry policy: exponential backoff with full jitter, Retry-After, bounded attempts,
 * and per-attempt timeouts.
 */
import { parseRetryAfterMs, TimeoutError } from "./errors.js";

export { parseRetryAfterMs };

export interface RetryOptions {
  /** Retries after the first attempt (default 3, so at most 4 attempts). 0 disables retries. */
  maxRetries?: number;
  /** Backoff base in ms (default 500): attempt n sleeps random(0, min(maxDelayMs, base * 2^n)). */
  baseDelayMs?: number;
  /** Cap of one backoff sleep in ms (default 20 000). */
  maxDelayMs?: number;
  /**
   * Longest Retry-After the SDK is willing to wait, in ms (default 60 000). If the server asks
   * for longer, the response is returned to the caller (who gets a RateLimitError) instead.
   */
  maxRetryAfterMs?: number;
  /** Retry 500 Internal Server Error (default true). 502/503/504 are always retried. */
  retryOn500?: boolean;
  /** Injectable sleep (tests use a fake one). Must reject if `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injectable random in [0, 1) for the jitter (default Math.random). */
  random?: () => number;
}

export interface ResolvedRetryOptions {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  retryOn500: boolean;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export function resolveRetryOptions(options: RetryOptions | false | undefined): ResolvedRetryOptions {
  const o = options === false ? { maxRetries: 0 } : (options ?? {});
  return {
    maxRetries: Math.max(0, Math.floor(o.maxRetries ?? 3)),
    baseDelayMs: o.baseDelayMs ?? 500,
    maxDelayMs: o.maxDelayMs ?? 20_000,
    maxRetryAfterMs: o.maxRetryAfterMs ?? 60_000,
    retryOn500: o.retryOn500 ?? true,
    sleep: o.sleep ?? defaultSleep,
    random: o.random ?? Math.random,
  };
}

/** Full-jitter backoff for retry number `retry` (0-based). */
export function backoffDelay(retry: number, o: Pick<ResolvedRetryOptions, "baseDelayMs" | "maxDelayMs" | "random">): number {
  const ceiling = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** retry);
  return Math.floor(o.random() * ceiling);
}

/** Statuses that are retried regardless of body. 409 needs the body code check. */
export function isRetryableStatus(status: number, retryOn500 = true): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504 || (retryOn500 && status === 500);
}

/** Methods that are safe to retry without an Idempotency-Key. */
export function isIdempotentMethod(method: string): boolean {
  return method === "GET" || method === "HEAD" || method === "OPTIONS" || method === "PUT" || method === "DELETE" || method === "TRACE";
}

/**
 * Whether a 409 response is the retryable `idempotency_key_in_use`. Reads a clone, so the
 * original body stays available to the caller.
 */
export async function isIdempotencyKeyInUse(response: Response): Promise<boolean> {
  try {
    const body: unknown = await response.clone().json();
    return typeof body === "object" && body !== null && (body as { code?: unknown }).code === "idempotency_key_in_use";
  } catch {
    return false;
  }
}

/** setTimeout-based sleep that rejects with the signal's reason on abort. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Run one fetch attempt with a timeout (to response headers) linked to the caller's signal.
 * A timeout rejects with `TimeoutError`; a caller abort rejects with the caller's reason.
 */
export async function fetchWithTimeout(
  fetchImpl: (input: string, init: RequestInit) => Promise<Response>,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  userSignal: AbortSignal | null | undefined,
): Promise<Response> {
  if (userSignal?.aborted) throw userSignal.reason;
  if (!(timeoutMs > 0 && timeoutMs < Infinity)) {
    if (userSignal) init.signal = userSignal;
    return fetchImpl(url, init);
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer =
    timeoutMs > 0 && timeoutMs < Infinity
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new TimeoutError(timeoutMs));
        }, timeoutMs)
      : undefined;
  let onAbort: (() => void) | undefined;
  const anyFn = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (!userSignal) {
    init.signal = controller.signal;
  } else if (anyFn) {
    // Keeps following the caller's signal while the body is read, after the timer is cleared.
    init.signal = anyFn([userSignal, controller.signal]);
  } else {
    onAbort = () => controller.abort(userSignal.reason);
    userSignal.addEventListener("abort", onAbort, { once: true });
    init.signal = controller.signal;
  }
  try {
    return await fetchImpl(url, init);
  } catch (err) {
    if (timedOut) throw new TimeoutError(timeoutMs);
    throw err;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (onAbort) userSignal?.removeEventListener("abort", onAbort);
  }
}
