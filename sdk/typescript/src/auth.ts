/**
 * OAuth 2 for the Open Banking platform (django-oauth-toolkit):
 * - token providers used by `createOpenBankFetch` (client credentials, user tokens with
 *   rotating refresh tokens, static tokens);
 * - authorization code + PKCE (S256) helpers, token exchange, refresh and revocation.
 *
 * Uses only WebCrypto (`globalThis.crypto`) and `fetch`, so it runs on Node 20 and browsers.
 */
import { NetworkError, OAuthError, OpenBankError } from "./errors.js";
import {
  bytesToBase64,
  bytesToBase64Url,
  defaultFetch,
  type FetchLike,
  joinUrl,
  randomBytes,
  textEncoder,
  trimTrailingSlash,
} from "./util.js";

export const TOKEN_PATH = "/oauth/token/";
export const AUTHORIZE_PATH = "/oauth/authorize/";
export const REVOKE_PATH = "/oauth/revoke_token/";
export const METADATA_PATH = "/.well-known/oauth-authorization-server";

// ---------------------------------------------------------------------------
// token provider contract

/**
 * Supplies bearer tokens to `createOpenBankFetch`.
 */
export interface TokenProvider {
  /** A currently valid access token (cached; refreshed when near expiry). */
  getAccessToken(): Promise<string>;
  /**
   * The API answered 401 to a request sent with `token`. Drop it if it is still the cached
   * one. Return true when retrying with a fresh token can help (the fetch retries ONCE).
   */
  invalidate(token: string): boolean | Promise<boolean>;
}

/** Tokens in SDK form. `expiresAt` is epoch milliseconds. */
export interface TokenSet {
  accessToken: string;
  tokenType: string;
  expiresAt: number | undefined;
  expiresIn: number | undefined;
  scope: string | undefined;
  refreshToken: string | undefined;
  /** The raw token endpoint response. */
  raw: TokenResponse;
}

/** The token endpoint's JSON. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  refresh_token?: string;
  [key: string]: unknown;
}

/** Where and how to reach the OAuth endpoints. */
export interface OAuthClientConfig {
  /** Platform base URL, e.g. `http://127.0.0.1:8000` (endpoints default to /oauth/...). */
  baseUrl: string;
  clientId: string;
  /** Confidential clients only. Public (PKCE) clients have none. */
  clientSecret?: string;
  /** How a confidential client authenticates: HTTP Basic (default) or form body. */
  clientAuth?: "basic" | "body";
  /** Override the token endpoint (absolute URL or path). */
  tokenEndpoint?: string;
  /** Override the revocation endpoint (absolute URL or path). */
  revocationEndpoint?: string;
  /** fetch implementation (default: global fetch). Do not pass the SDK's authenticated fetch. */
  fetch?: FetchLike;
  /** Clock in epoch ms (tests). */
  now?: () => number;
}

// ---------------------------------------------------------------------------
// raw token endpoint calls

function basicAuth(clientId: string, clientSecret: string): string {
  // RFC 6749 §2.3.1: form-urlencode id and secret before base64.
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return "Basic " + bytesToBase64(textEncoder.encode(`${enc(clientId)}:${enc(clientSecret)}`));
}

async function postForm(
  config: OAuthClientConfig,
  endpoint: string,
  params: Record<string, string | undefined>,
): Promise<Response> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, v);
  const headers: Record<string, string> = {
    "Content-Type": "application/x-www-form-urlencoded",
    Accept: "application/json",
  };
  if (config.clientSecret !== undefined && (config.clientAuth ?? "basic") === "basic") {
    headers["Authorization"] = basicAuth(config.clientId, config.clientSecret);
  } else {
    body.set("client_id", config.clientId);
    if (config.clientSecret !== undefined) body.set("client_secret", config.clientSecret);
  }
  const fetchImpl = config.fetch ?? defaultFetch();
  try {
    return await fetchImpl(joinUrl(config.baseUrl, endpoint), { method: "POST", headers, body: body.toString() });
  } catch (err) {
    throw new NetworkError(`OAuth request to ${endpoint} failed: ${(err as Error)?.message ?? err}`, { cause: err });
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** POST to the token endpoint with any grant. Throws OAuthError on an error response. */
export async function requestToken(
  config: OAuthClientConfig,
  params: Record<string, string | undefined>,
): Promise<TokenSet> {
  const requestedAt = (config.now ?? Date.now)();
  const response = await postForm(config, config.tokenEndpoint ?? TOKEN_PATH, params);
  const body = await readJson(response);
  if (!response.ok) throw new OAuthError(response.status, body, response.headers);
  if (typeof body !== "object" || body === null || typeof (body as TokenResponse).access_token !== "string") {
    throw new OAuthError(response.status, { error: "invalid_token_response", error_description: "no access_token in token response" }, response.headers);
  }
  return toTokenSet(body as TokenResponse, requestedAt);
}

/** Convert a token endpoint response; `expiresAt` counts from when the request was sent. */
export function toTokenSet(raw: TokenResponse, obtainedAt: number = Date.now()): TokenSet {
  const expiresIn = typeof raw.expires_in === "number" ? raw.expires_in : raw.expires_in != null ? Number(raw.expires_in) : undefined;
  return {
    accessToken: raw.access_token,
    tokenType: raw.token_type ?? "Bearer",
    expiresIn,
    expiresAt: expiresIn !== undefined && Number.isFinite(expiresIn) ? obtainedAt + expiresIn * 1000 : undefined,
    scope: raw.scope,
    refreshToken: raw.refresh_token,
    raw,
  };
}

function scopeString(scope: string | readonly string[] | undefined): string | undefined {
  if (scope === undefined) return undefined;
  return typeof scope === "string" ? scope : scope.join(" ");
}

/** client_credentials grant (server-to-server). */
export function clientCredentialsToken(
  config: OAuthClientConfig & { scope?: string | readonly string[] },
): Promise<TokenSet> {
  return requestToken(config, { grant_type: "client_credentials", scope: scopeString(config.scope) });
}

/** authorization_code grant with the PKCE verifier from `createAuthorizationRequest`. */
export function exchangeCode(
  config: OAuthClientConfig & { code: string; redirectUri: string; codeVerifier: string },
): Promise<TokenSet> {
  return requestToken(config, {
    grant_type: "authorization_code",
    code: config.code,
    redirect_uri: config.redirectUri,
    code_verifier: config.codeVerifier,
  });
}

/**
 * refresh_token grant. Refresh tokens ROTATE: persist `result.refreshToken`, the old one
 * stops working. Not retried automatically (a lost response would burn the old token).
 */
export function refreshToken(
  config: OAuthClientConfig & { refreshToken: string; scope?: string | readonly string[] },
): Promise<TokenSet> {
  return requestToken(config, {
    grant_type: "refresh_token",
    refresh_token: config.refreshToken,
    scope: scopeString(config.scope),
  });
}

/** RFC 7009 revocation. Resolves on 200 (also for unknown tokens, per the RFC). */
export async function revokeToken(
  config: OAuthClientConfig & { token: string; tokenTypeHint?: "access_token" | "refresh_token" },
): Promise<void> {
  const response = await postForm(config, config.revocationEndpoint ?? REVOKE_PATH, {
    token: config.token,
    token_type_hint: config.tokenTypeHint,
  });
  if (!response.ok) throw new OAuthError(response.status, await readJson(response), response.headers);
  await response.body?.cancel();
}

/** RFC 8414 metadata from `/.well-known/oauth-authorization-server`. */
export async function fetchAuthorizationServerMetadata(
  baseUrl: string,
  fetchImpl: FetchLike = defaultFetch(),
): Promise<Record<string, unknown> & { issuer: string; token_endpoint: string; authorization_endpoint?: string }> {
  let response: Response;
  try {
    response = await fetchImpl(joinUrl(baseUrl, METADATA_PATH), { method: "GET", headers: { Accept: "application/json" } });
  } catch (err) {
    throw new NetworkError(`metadata request failed: ${(err as Error)?.message ?? err}`, { cause: err });
  }
  const body = await readJson(response);
  if (!response.ok || typeof body !== "object" || body === null) {
    throw new OAuthError(response.status, body, response.headers);
  }
  return body as Record<string, unknown> & { issuer: string; token_endpoint: string };
}

// ---------------------------------------------------------------------------
// token providers

/** Refresh this long before expiry (capped at half the lifetime for very short tokens). */
const DEFAULT_SKEW_SECONDS = 30;

function refreshAt(token: TokenSet, skewSeconds: number): number {
  if (token.expiresAt === undefined || token.expiresIn === undefined) return Infinity;
  const skewMs = Math.min(skewSeconds * 1000, (token.expiresIn * 1000) / 2);
  return token.expiresAt - skewMs;
}

export interface ClientCredentialsOptions extends OAuthClientConfig {
  clientSecret: string;
  scope?: string | readonly string[];
  /** Refresh this many seconds before expiry (default 30). */
  refreshSkewSeconds?: number;
  /** Token requests retried on network errors / 5xx / 429 (default 2). */
  maxRetries?: number;
  /** Sleep used between token retries (tests). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Client credentials token provider: fetches and caches the token, refreshes it ~30 s
 * before expiry, shares one in-flight request among concurrent callers, and drops the
 * token when the API answers 401 (the fetch wrapper then retries once).
 */
export class ClientCredentialsTokenProvider implements TokenProvider {
  private token: TokenSet | undefined;
  private refreshAtMs = 0;
  private inflight: Promise<TokenSet> | undefined;
  private readonly options: ClientCredentialsOptions;
  private readonly now: () => number;

  constructor(options: ClientCredentialsOptions) {
    this.options = { ...options, baseUrl: trimTrailingSlash(options.baseUrl) };
    this.now = options.now ?? Date.now;
  }

  getAccessToken(): Promise<string> {
    const t = this.token;
    if (t !== undefined && this.now() < this.refreshAtMs) return Promise.resolve(t.accessToken);
    return this.fetchToken().then((s) => s.accessToken);
  }

  /** The cached token set, if any (read only). */
  get current(): TokenSet | undefined {
    return this.token;
  }

  invalidate(token: string): boolean {
    if (this.token?.accessToken === token) {
      this.token = undefined;
      this.refreshAtMs = 0;
    }
    return true;
  }

  /** Force a new token now (single-flight). */
  fetchToken(): Promise<TokenSet> {
    if (!this.inflight) {
      this.inflight = this.requestWithRetry().then(
        (t) => {
          this.token = t;
          this.refreshAtMs = refreshAt(t, this.options.refreshSkewSeconds ?? DEFAULT_SKEW_SECONDS);
          this.inflight = undefined;
          return t;
        },
        (err: unknown) => {
          this.inflight = undefined;
          throw err;
        },
      );
    }
    return this.inflight;
  }

  private async requestWithRetry(): Promise<TokenSet> {
    const max = this.options.maxRetries ?? 2;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 0; ; attempt++) {
      try {
        return await clientCredentialsToken(this.options);
      } catch (err) {
        const retryable =
          err instanceof NetworkError || (err instanceof OAuthError && (err.status >= 500 || err.status === 429));
        if (!retryable || attempt >= max) throw err;
        await sleep(Math.floor(Math.random() * 250 * 2 ** attempt));
      }
    }
  }
}

export interface RefreshingTokenOptions extends OAuthClientConfig {
  accessToken?: string;
  /** Expiry of `accessToken`: epoch ms or Date. Unknown = treat as valid until a 401. */
  expiresAt?: number | Date;
  refreshToken?: string;
  scope?: string | readonly string[];
  refreshSkewSeconds?: number;
  /**
   * Called after every successful refresh with the new tokens. Refresh tokens rotate:
   * persist `tokens.refreshToken` here, the previous one is no longer valid.
   */
  onTokens?: (tokens: TokenSet) => void | Promise<void>;
}

/**
 * A user's token (from the authorization code flow) plus its rotating refresh token.
 * Refreshes when the access token is about to expire or after a 401, single-flight.
 */
export class RefreshingTokenProvider implements TokenProvider {
  private accessToken: string | undefined;
  private refreshAtMs: number;
  private refreshTokenValue: string | undefined;
  private inflight: Promise<string> | undefined;
  private readonly options: RefreshingTokenOptions;
  private readonly now: () => number;

  constructor(options: RefreshingTokenOptions) {
    this.options = { ...options, baseUrl: trimTrailingSlash(options.baseUrl) };
    this.now = options.now ?? Date.now;
    this.accessToken = options.accessToken;
    this.refreshTokenValue = options.refreshToken;
    const exp = options.expiresAt instanceof Date ? options.expiresAt.getTime() : options.expiresAt;
    const skewMs = (options.refreshSkewSeconds ?? DEFAULT_SKEW_SECONDS) * 1000;
    this.refreshAtMs = exp === undefined ? Infinity : exp - skewMs;
  }

  /** Current refresh token (after rotation). */
  get refreshToken(): string | undefined {
    return this.refreshTokenValue;
  }

  getAccessToken(): Promise<string> {
    const t = this.accessToken;
    if (t !== undefined && this.now() < this.refreshAtMs) return Promise.resolve(t);
    if (this.refreshTokenValue === undefined) {
      if (t !== undefined) return Promise.resolve(t); // let the server decide
      return Promise.reject(new OpenBankError("no access token and no refresh token available"));
    }
    return this.refresh();
  }

  invalidate(token: string): boolean {
    if (this.accessToken === token) {
      this.refreshAtMs = 0;
      return this.refreshTokenValue !== undefined;
    }
    return true; // someone already replaced it
  }

  /** Refresh now (single-flight). Resolves to the new access token. */
  refresh(): Promise<string> {
    if (!this.inflight) {
      const rt = this.refreshTokenValue;
      if (rt === undefined) return Promise.reject(new OpenBankError("no refresh token available"));
      this.inflight = (async () => {
        try {
          const tokens = await refreshToken({ ...this.options, refreshToken: rt });
          this.accessToken = tokens.accessToken;
          this.refreshAtMs = refreshAt(tokens, this.options.refreshSkewSeconds ?? DEFAULT_SKEW_SECONDS);
          if (tokens.refreshToken) this.refreshTokenValue = tokens.refreshToken;
          if (this.options.onTokens) await this.options.onTokens(tokens);
          return tokens.accessToken;
        } finally {
          this.inflight = undefined;
        }
      })();
    }
    return this.inflight;
  }
}

/** A fixed bearer token (no refresh). A 401 is returned to the caller as is. */
export class StaticTokenProvider implements TokenProvider {
  constructor(private readonly token: string) {}
  getAccessToken(): Promise<string> {
    return Promise.resolve(this.token);
  }
  invalidate(): boolean {
    return false;
  }
}

// ---------------------------------------------------------------------------
// PKCE + authorization request / response

const VERIFIER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/**
 * A fresh PKCE code verifier (RFC 7636 §4.1): `length` (43..128, default 64) characters of
 * the unreserved set, unbiased via rejection sampling.
 */
export function generateCodeVerifier(length = 64): string {
  if (!Number.isInteger(length) || length < 43 || length > 128) {
    throw new RangeError("code verifier length must be an integer in 43..128");
  }
  const n = VERIFIER_ALPHABET.length; // 66
  const limit = 256 - (256 % n); // reject bytes >= 198 to avoid modulo bias
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit) {
        out += VERIFIER_ALPHABET[b % n];
        if (out.length === length) break;
      }
    }
  }
  return out;
}

/** S256 challenge: base64url(sha256(ascii(verifier))) without padding. */
export async function computeCodeChallenge(verifier: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", textEncoder.encode(verifier));
  return bytesToBase64Url(new Uint8Array(digest));
}

/** A random opaque `state` value (32 base64url chars). */
export function generateState(): string {
  return bytesToBase64Url(randomBytes(24));
}

export interface AuthorizationRequestOptions {
  /** Platform base URL. */
  baseUrl?: string;
  /** Alias of baseUrl (the issuer identifier is the platform's base URL). */
  issuer?: string;
  /** Override the authorization endpoint (absolute URL or path). */
  authorizationEndpoint?: string;
  clientId: string;
  redirectUri: string;
  scope: string | readonly string[];
  /** The consent the user is asked to authorize. */
  consentId: string;
  /** Defaults to a fresh random value. */
  state?: string;
  /** Defaults to a fresh 64-char verifier. */
  codeVerifier?: string;
  /** Extra query parameters. */
  extraParams?: Record<string, string>;
}

export interface AuthorizationRequest {
  /** Send the user's browser here. */
  url: string;
  /** Store it (e.g. in the session) and compare in parseAuthorizationResponse. */
  state: string;
  /** Store it server-side; needed by exchangeCode. Never send it to the browser URL. */
  codeVerifier: string;
  codeChallenge: string;
}

/** Build the /oauth/authorize/ URL for the authorization code + PKCE (S256) flow. */
export async function createAuthorizationRequest(options: AuthorizationRequestOptions): Promise<AuthorizationRequest> {
  const base = options.baseUrl ?? options.issuer;
  if (!base && !options.authorizationEndpoint) throw new TypeError("baseUrl (or issuer) is required");
  const endpoint = joinUrl(base ?? "", options.authorizationEndpoint ?? AUTHORIZE_PATH);
  const codeVerifier = options.codeVerifier ?? generateCodeVerifier();
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(codeVerifier)) throw new RangeError("invalid code verifier");
  const codeChallenge = await computeCodeChallenge(codeVerifier);
  const state = options.state ?? generateState();
  const url = new URL(endpoint);
  const q = url.searchParams;
  q.set("response_type", "code");
  q.set("client_id", options.clientId);
  q.set("redirect_uri", options.redirectUri);
  q.set("scope", scopeString(options.scope) ?? "");
  q.set("state", state);
  q.set("code_challenge", codeChallenge);
  q.set("code_challenge_method", "S256");
  q.set("consent_id", options.consentId);
  for (const [k, v] of Object.entries(options.extraParams ?? {})) q.set(k, v);
  return { url: url.toString(), state, codeVerifier, codeChallenge };
}

export type AuthorizationResponseErrorReason =
  | "issuer_mismatch"
  | "missing_issuer"
  | "state_mismatch"
  | "access_denied"
  | "authorization_error"
  | "missing_code";

/** The redirect back from /oauth/authorize/ is unusable or reports an error. */
export class AuthorizationResponseError extends OpenBankError {
  readonly reason: AuthorizationResponseErrorReason;
  /** The `error` parameter when the server reported one. */
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;
  constructor(reason: AuthorizationResponseErrorReason, message: string, error?: string, errorDescription?: string) {
    super(message);
    this.reason = reason;
    this.error = error;
    this.errorDescription = errorDescription;
  }
}

export interface AuthorizationResponse {
  code: string;
  state: string;
  iss: string | undefined;
}

/**
 * Parse and check the redirect URL (RFC 6749 §4.1.2, RFC 9207):
 * the issuer (when `expectedIssuer` is given it must be present and equal), then `state`,
 * then an `error` parameter, then `code`.
 */
export function parseAuthorizationResponse(
  redirectUrl: string | URL,
  options: { expectedState: string; expectedIssuer?: string },
): AuthorizationResponse {
  const url = typeof redirectUrl === "string" ? new URL(redirectUrl) : redirectUrl;
  let params = url.searchParams;
  if (!params.has("code") && !params.has("error") && url.hash.length > 1) {
    params = new URLSearchParams(url.hash.slice(1));
  }
  const iss = params.get("iss") ?? undefined;
  if (options.expectedIssuer !== undefined) {
    if (iss === undefined) {
      throw new AuthorizationResponseError("missing_issuer", "authorization response has no iss parameter");
    }
    if (iss !== options.expectedIssuer) {
      throw new AuthorizationResponseError("issuer_mismatch", `unexpected issuer ${iss}`);
    }
  }
  const state = params.get("state");
  if (!options.expectedState || state === null || !constantTimeEqualString(state, options.expectedState)) {
    throw new AuthorizationResponseError("state_mismatch", "authorization response state does not match");
  }
  const error = params.get("error");
  if (error !== null) {
    const description = params.get("error_description") ?? undefined;
    throw new AuthorizationResponseError(
      error === "access_denied" ? "access_denied" : "authorization_error",
      `authorization failed: ${error}${description ? ` (${description})` : ""}`,
      error,
      description,
    );
  }
  const code = params.get("code");
  if (!code) throw new AuthorizationResponseError("missing_code", "authorization response has no code");
  return { code, state, iss };
}

function constantTimeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
