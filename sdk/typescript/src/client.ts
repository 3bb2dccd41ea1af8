/**
 * The SDK's fetch pipeline and client wrapper.
 *
 * `createOpenBankFetch()` returns a `fetch`-compatible function that adds, per logical call:
 * bearer auth (with one retry on 401), an Idempotency-Key for POST/PATCH/DELETE (generated
 * once, reused by every retry), retries with backoff / Retry-After, a per-attempt timeout,
 * a User-Agent and, with `responseCache`, revalidation of GETs with If-None-Match (cache.ts). Pass it to openapi-fetch: `createClient<paths>({ baseUrl, fetch })`.
 */
import createClient, { type Client, type ClientOptions, type Middleware } from "openapi-fetch";
import { resolveResponseCache, type ResponseCache, withResponseCache } from "./cache.js";
import { ClientCredentialsTokenProvider, StaticTokenProvider, type TokenProvider } from "./auth.js";
import { apiErrorFromResponse, NetworkError, TimeoutError } from "./errors.js";
import { generateIdempotencyKey, IDEMPOTENCY_KEY_HEADER, needsIdempotencyKey } from "./idempotency.js";
import {
  backoffDelay,
  DEFAULT_TIMEOUT_MS,
  fetchWithTimeout,
  isIdempotencyKeyInUse,
  isIdempotentMethod,
  isRetryableStatus,
  parseRetryAfterMs,
  resolveRetryOptions,
  type RetryOptions,
} from "./retry.js";
import { defaultFetch, type FetchLike, trimTrailingSlash } from "./util.js";
import type { paths as PlatformPaths } from "./generated/openapi.js";

export const SDK_VERSION = "0.1.0";
export const DEFAULT_USER_AGENT = `openbank-sdk-typescript/${SDK_VERSION}`;

/** Information passed to `onRetry` before each retry sleep. */
export interface RetryEvent {
  method: string;
  url: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  /** The response that triggered the retry (its body is discarded), or the network error. */
  response?: Response;
  error?: unknown;
  /** "unauthorized" retries (fresh token after 401) happen without delay and do not count. */
  reason: "status" | "network" | "unauthorized";
}

export interface OpenBankFetchOptions {
  /** Token provider, or a fixed bearer token string. Omit for unauthenticated calls. */
  auth?: TokenProvider | string;
  /** Retry policy, or `false` to disable retries. */
  retry?: RetryOptions | false;
  /** Per-attempt timeout until response headers, ms (default 30 000; 0 = none). */
  timeoutMs?: number;
  /** Auto-add Idempotency-Key to POST/PATCH/DELETE (default true). */
  idempotency?: boolean;
  /** Key generator (default crypto.randomUUID). */
  generateIdempotencyKey?: () => string;
  /**
   * User-Agent to send (default `openbank-sdk-typescript/<version>`), or false. Never set in
   * browsers (it would force a CORS preflight header the server may not allow).
   */
  userAgent?: string | false;
  /**
   * Generate an `X-Request-ID` when the caller did not pass one (default: none; a caller's
   * X-Request-ID is always passed through unchanged, and kept across retries).
   */
  generateRequestId?: () => string;
  /** Underlying fetch (default global fetch). */
  fetch?: FetchLike | ((input: Request) => Promise<Response>);
  /** Observe retries (logging/metrics). */
  onRetry?: (event: RetryEvent) => void;
  /**
   * Revalidate GETs: remember 200 responses that carry an ETag, send If-None-Match next time and
   * hand a 304 back as the remembered 200. `true` for a default cache (256 entries), or your own
   * `ResponseCache` (e.g. `new ResponseCache({ maxEntries: 1000 })`). Off by default.
   */
  responseCache?: boolean | ResponseCache;
}

/** A fetch-compatible function; accepts what openapi-fetch passes (a Request). */
export type OpenBankFetch = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

const IS_BROWSER = typeof (globalThis as { document?: unknown }).document !== "undefined";

function isReusableBody(body: unknown): boolean {
  return !(typeof ReadableStream !== "undefined" && body instanceof ReadableStream);
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // ignore
  }
}

/**
 * Build the SDK fetch. Create it ONCE and reuse it: everything heavy (options, providers)
 * is resolved here, not per call.
 */
export function createOpenBankFetch(options: OpenBankFetchOptions = {}): OpenBankFetch {
  const provider: TokenProvider | undefined =
    typeof options.auth === "string" ? new StaticTokenProvider(options.auth) : options.auth;
  const retry = resolveRetryOptions(options.retry);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const autoKey = options.idempotency !== false;
  const genKey = options.generateIdempotencyKey ?? generateIdempotencyKey;
  const userAgent = IS_BROWSER || options.userAgent === false ? undefined : (options.userAgent ?? DEFAULT_USER_AGENT);
  const genRequestId = options.generateRequestId;
  const baseFetch = (options.fetch as FetchLike | undefined) ?? defaultFetch();
  const cache = resolveResponseCache(options.responseCache);
  // Under the retry loop: each attempt is looked up under the Authorization it really carries.
  const fetchImpl = cache ? withResponseCache(baseFetch, cache) : baseFetch;
  const onRetry = options.onRetry;

  return async function openBankFetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    let url: string;
    let method: string;
    let headers: Headers;
    let body: BodyInit | null | undefined;
    let signal: AbortSignal | null | undefined;
    let base: RequestInit;

    if (typeof input === "string" || input instanceof URL) {
      url = typeof input === "string" ? input : input.href;
      method = (init?.method ?? "GET").toUpperCase();
      headers = new Headers(init?.headers);
      body = init?.body;
      if (body != null && !isReusableBody(body)) body = await new Response(body).arrayBuffer();
      signal = init?.signal;
      base = init ?? {};
    } else {
      url = input.url;
      method = (init?.method ?? input.method).toUpperCase();
      headers = new Headers(input.headers);
      if (init?.headers) new Headers(init.headers).forEach((v, k) => headers.set(k, v));
      body = init?.body !== undefined ? init.body : input.body !== null ? await input.arrayBuffer() : undefined;
      if (body != null && !isReusableBody(body)) body = await new Response(body).arrayBuffer();
      signal = init?.signal ?? input.signal;
      base = { redirect: input.redirect, credentials: input.credentials, cache: input.cache, ...init };
    }

    if (autoKey && needsIdempotencyKey(method) && !headers.has(IDEMPOTENCY_KEY_HEADER)) {
      headers.set(IDEMPOTENCY_KEY_HEADER, genKey()); // once per logical call, reused by retries
    }
    if (userAgent !== undefined && !headers.has("user-agent")) headers.set("User-Agent", userAgent);
    if (genRequestId !== undefined && !headers.has("x-request-id")) headers.set("X-Request-ID", genRequestId());

    const useProvider = provider !== undefined && !headers.has("authorization");
    const canRetry = retry.maxRetries > 0 && (isIdempotentMethod(method) || headers.has(IDEMPOTENCY_KEY_HEADER));
    let authRetried = false;
    let retries = 0;

    for (;;) {
      let token: string | undefined;
      if (useProvider) {
        token = await provider.getAccessToken();
        headers.set("Authorization", `Bearer ${token}`);
      }

      let response: Response;
      try {
        response = await fetchWithTimeout(
          fetchImpl,
          url,
          { ...base, method, headers, body: body ?? null, signal: undefined },
          timeoutMs,
          signal,
        );
      } catch (err) {
        if (signal?.aborted && !(err instanceof TimeoutError)) throw err; // caller aborted
        if (canRetry && retries < retry.maxRetries) {
          const delayMs = backoffDelay(retries, retry);
          retries++;
          onRetry?.({ method, url, retry: retries, delayMs, error: err, reason: "network" });
          await retry.sleep(delayMs, signal ?? undefined);
          continue;
        }
        if (err instanceof NetworkError) throw err;
        throw new NetworkError(`${method} ${url} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
      }

      const status = response.status;
      if (status === 401 && token !== undefined && !authRetried) {
        authRetried = true;
        if (await provider!.invalidate(token)) {
          await discard(response);
          onRetry?.({ method, url, retry: retries, delayMs: 0, response, reason: "unauthorized" });
          continue;
        }
        return response;
      }

      if (
        canRetry &&
        retries < retry.maxRetries &&
        (isRetryableStatus(status, retry.retryOn500) || (status === 409 && (await isIdempotencyKeyInUse(response))))
      ) {
        const retryAfter = parseRetryAfterMs(response.headers.get("retry-after"));
        if (retryAfter !== undefined && retryAfter > retry.maxRetryAfterMs) return response;
        const delayMs = retryAfter ?? backoffDelay(retries, retry);
        retries++;
        await discard(response);
        onRetry?.({ method, url, retry: retries, delayMs, response, reason: "status" });
        await retry.sleep(delayMs, signal ?? undefined);
        continue;
      }
      return response;
    }
  };
}

/** openapi-fetch middleware that throws the typed ApiError for every non-2xx response. */
export const throwOnErrorMiddleware: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await apiErrorFromResponse(response);
    return undefined;
  },
};

export interface OpenBankClientOptions extends OpenBankFetchOptions {
  /** Platform base URL, e.g. `https://api.example.com` (paths in the spec start with /api/v1/). */
  baseUrl: string;
  /** Shorthand for `auth: new ClientCredentialsTokenProvider({...})`. */
  clientId?: string;
  clientSecret?: string;
  scope?: string | readonly string[];
  /** Throw ApiError subclasses instead of returning `{ error }` (default false). */
  throwOnError?: boolean;
  /** Extra openapi-fetch client options (headers, querySerializer, ...). */
  clientOptions?: Omit<ClientOptions, "baseUrl" | "fetch">;
}

/**
 * Typed API client: wraps an openapi-fetch `Client<Paths>` whose fetch is the SDK pipeline.
 * `Paths` is the `paths` type generated by openapi-typescript from openapi/openapi.yaml.
 *
 * ```ts
 * import type { paths } from "./generated/openapi.js";
 * const ob = new OpenBankClient<paths>({ baseUrl, clientId, clientSecret, scope: "accounts" });
 * const { data } = await ob.GET("/api/v1/accounts/");
 * ```
 */
export class OpenBankClient<Paths extends {} = PlatformPaths> {
  readonly baseUrl: string;
  readonly fetch: OpenBankFetch;
  readonly auth: TokenProvider | undefined;
  /** The revalidation cache when `responseCache` is on. */
  readonly responseCache: ResponseCache | undefined;
  /** The underlying openapi-fetch client. */
  readonly api: Client<Paths>;
  readonly GET: Client<Paths>["GET"];
  readonly POST: Client<Paths>["POST"];
  readonly PUT: Client<Paths>["PUT"];
  readonly PATCH: Client<Paths>["PATCH"];
  readonly DELETE: Client<Paths>["DELETE"];
  readonly use: Client<Paths>["use"];

  constructor(options: OpenBankClientOptions) {
    const { baseUrl, clientId, clientSecret, scope, throwOnError, clientOptions, ...fetchOptions } = options;
    this.baseUrl = trimTrailingSlash(baseUrl);
    let auth = fetchOptions.auth;
    if (auth === undefined && clientId !== undefined && clientSecret !== undefined) {
      auth = new ClientCredentialsTokenProvider({
        baseUrl: this.baseUrl,
        clientId,
        clientSecret,
        ...(scope !== undefined ? { scope } : {}),
        ...(fetchOptions.fetch ? { fetch: fetchOptions.fetch as FetchLike } : {}),
      });
    }
    this.auth = typeof auth === "string" ? new StaticTokenProvider(auth) : auth;
    this.responseCache = resolveResponseCache(fetchOptions.responseCache);
    this.fetch = createOpenBankFetch({
      ...fetchOptions,
      ...(this.auth ? { auth: this.auth } : {}),
      ...(this.responseCache ? { responseCache: this.responseCache } : {}),
    });
    this.api = createClient<Paths>({ ...clientOptions, baseUrl: this.baseUrl, fetch: this.fetch });
    if (throwOnError) this.api.use(throwOnErrorMiddleware);
    this.GET = this.api.GET;
    this.POST = this.api.POST;
    this.PUT = this.api.PUT;
    this.PATCH = this.api.PATCH;
    this.DELETE = this.api.DELETE;
    this.use = this.api.use;
  }
}

/**
 * Factory form of `new OpenBankClient<Paths>(options)`. `Paths` defaults to the platform's
 * `paths`, generated from openapi/openapi.yaml into src/generated/openapi.ts by `make sdk`,
 * so `createOpenBankClient({ ... }).GET("/api/v1/consents")` is fully typed.
 */
export function createOpenBankClient<Paths extends {} = PlatformPaths>(
  options: OpenBankClientOptions,
): OpenBankClient<Paths> {
  return new OpenBankClient<Paths>(options);
}
