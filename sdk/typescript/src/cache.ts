/**
 * Opt-in HTTP revalidation: a per-client response cache keyed by URL (RFC 9110 §13, RFC 9111 §4.3).
 *
 * The platform answers account, balance, transaction, payment and loan reads with a strong `ETag`
 * and `Cache-Control: private, no-cache`: a client may keep the body but must ask the server before
 * using it again. With `createOpenBankClient({ ..., responseCache: true })` the SDK does that:
 *
 * 1. a GET answered 200 with an `ETag` is remembered (ETag, headers, body);
 * 2. the next GET of the same URL (query included) with the same credential sends `If-None-Match`;
 * 3. the server runs its usual authentication, scope and consent checks and, when nothing changed,
 *    answers `304 Not Modified` without a body: the caller gets the remembered body as an ordinary
 *    200 (`isRevalidated(response)` is true); a 200 with a new ETag replaces the entry.
 *
 * Nothing is served without asking the server, so a revoked consent or an expired token still gets
 * its 401/403/404 (and that error drops the entry). Errors, non-GETs, responses without an `ETag` and
 * `Cache-Control: no-store` are never kept; a request carrying its own `If-None-Match` /
 * `If-Modified-Since` is passed through untouched.
 *
 * Key: method, full URL and a SHA-256 of the Authorization, Accept and Accept-Language headers. The
 * server's ETag already depends on the token's consent; with the credential in the key too, a body
 * fetched with one token is never offered for another (a refreshed token starts with no entries and
 * the old ones age out of the LRU), so one cache may be shared by clients. Only the digest is kept.
 *
 * Memory: an LRU of `maxEntries` (256); bodies over `maxEntryBytes` (256 KiB) are not kept.
 */
import { textEncoder } from "./util.js";

export const DEFAULT_CACHE_MAX_ENTRIES = 256;
export const DEFAULT_CACHE_MAX_ENTRY_BYTES = 256 * 1024; // a full 100-transaction page is about 38 KB

export interface ResponseCacheOptions {
  /** Entries kept, least recently used evicted first (default 256). */
  maxEntries?: number;
  /** Larger bodies are not kept (default 256 KiB). */
  maxEntryBytes?: number;
}

interface CachedResponse {
  etag: string;
  headers: [string, string][];
  body: ArrayBuffer;
}

const KEY_HEADERS = ["authorization", "accept", "accept-language"] as const;
// A 304 updates the stored headers (RFC 9111 §4.3.4), except those describing the stored body.
const BODY_HEADERS = new Set(["content-length", "content-encoding", "content-type", "transfer-encoding", "content-range"]);
// fetch hands back the decoded body: its encoding and length no longer describe what is stored.
const NOT_STORED = new Set(["content-length", "content-encoding", "transfer-encoding"]);

const revalidatedResponses = new WeakSet<Response>();

/** True when `response` is a remembered body the server confirmed with a 304. */
export function isRevalidated(response: Response): boolean {
  return revalidatedResponses.has(response);
}

/** A bounded LRU of revalidatable GET responses. See the module comment. */
export class ResponseCache {
  readonly maxEntries: number;
  readonly maxEntryBytes: number;
  /** 304s answered from the cache so far. */
  revalidated = 0;
  readonly #entries = new Map<string, CachedResponse>();

  constructor(options: ResponseCacheOptions = {}) {
    this.maxEntries = Math.floor(options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES);
    if (!(this.maxEntries >= 1)) throw new RangeError("maxEntries must be >= 1");
    this.maxEntryBytes = options.maxEntryBytes ?? DEFAULT_CACHE_MAX_ENTRY_BYTES;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key); // Map keeps insertion order: re-inserting marks it most recent
      this.#entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CachedResponse): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** The `responseCache` option: `true` for a default cache, or your own `ResponseCache`. */
export function resolveResponseCache(option: boolean | ResponseCache | undefined): ResponseCache | undefined {
  if (option instanceof ResponseCache) return option;
  return option ? new ResponseCache() : undefined;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", textEncoder.encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The entry key for a request, or undefined when it bypasses the cache. */
export async function cacheKey(method: string, url: string, headers: Headers): Promise<string | undefined> {
  if (method !== "GET" || headers.has("if-none-match") || headers.has("if-modified-since")) return undefined;
  return `GET ${url} ${await sha256Hex(KEY_HEADERS.map((h) => headers.get(h) ?? "").join("\n"))}`;
}

function opaque(etag: string): string {
  const t = etag.trim();
  return t.startsWith("W/") ? t.slice(2) : t;
}

function storableEtag(response: Response, maxBytes: number): string | undefined {
  if (response.status !== 200) return undefined;
  const etag = response.headers.get("etag");
  if (!etag) return undefined;
  if (/no-store/i.test(response.headers.get("cache-control") ?? "") || response.headers.get("vary")?.trim() === "*") return undefined;
  const length = Number(response.headers.get("content-length") ?? "0");
  return length > maxBytes ? undefined : etag;
}

function replay(entry: CachedResponse, notModified: Response): { entry: CachedResponse; response: Response } {
  const update: [string, string][] = [];
  notModified.headers.forEach((value, name) => {
    if (!BODY_HEADERS.has(name)) update.push([name, value]);
  });
  const names = new Set(update.map(([n]) => n));
  const headers = [...entry.headers.filter(([n]) => !names.has(n)), ...update];
  const refreshed = { etag: entry.etag, headers, body: entry.body };
  const response = new Response(entry.body.slice(0), { status: 200, statusText: "OK", headers });
  revalidatedResponses.add(response);
  return { entry: refreshed, response };
}

type Send = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Wrap one fetch attempt with the cache. Used by `createOpenBankFetch` under its retry loop, so
 * every attempt (including the re-send with a fresh token after a 401) is looked up under the
 * Authorization it actually carries.
 */
export function withResponseCache(send: Send, cache: ResponseCache): Send {
  if (globalThis.crypto?.subtle === undefined) {
    // Browsers expose SubtleCrypto only in secure contexts (https, localhost).
    throw new Error("responseCache needs crypto.subtle (Node 20+, or a browser page served over https)");
  }
  return async function cachedSend(url: string, init: RequestInit): Promise<Response> {
    const method = (init.method ?? "GET").toUpperCase();
    const headers = new Headers(init.headers);
    const key = await cacheKey(method, url, headers);
    if (key === undefined) return send(url, init);
    const entry = cache.get(key);
    let response: Response;
    if (entry !== undefined) {
      headers.set("If-None-Match", entry.etag); // a copy: the caller's headers stay as they were
      response = await send(url, { ...init, headers });
      if (response.status === 304) {
        await response.body?.cancel();
        const etag = response.headers.get("etag");
        if (etag === null || opaque(etag) === opaque(entry.etag)) {
          const replayed = replay(entry, response);
          cache.set(key, replayed.entry);
          cache.revalidated++;
          return replayed.response;
        }
        // A 304 for a validator we do not hold (a server bug): ask again, unconditionally.
        cache.delete(key);
        response = await send(url, init);
      }
    } else {
      response = await send(url, init);
    }
    const etag = storableEtag(response, cache.maxEntryBytes);
    if (etag === undefined) {
      cache.delete(key); // an error or an uncacheable answer: forget the old body
      return response;
    }
    const body = await response.clone().arrayBuffer();
    if (body.byteLength > cache.maxEntryBytes) {
      cache.delete(key);
      return response;
    }
    const stored: [string, string][] = [];
    response.headers.forEach((value, name) => {
      if (!NOT_STORED.has(name)) stored.push([name, value]);
    });
    cache.set(key, { etag, headers: stored, body });
    return response;
  };
}
