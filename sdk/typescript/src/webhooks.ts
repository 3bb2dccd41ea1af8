/**
 * Standard Webhooks (https://www.standardwebhooks.com) verification with WebCrypto.
 *
 * Signed content: `${webhook-id}.${webhook-timestamp}.${body}`; signature header is a
 * space-separated list of `v1,<base64 HMAC-SHA256>`; secret is `whsec_<base64 key>`.
 */
import { OpenBankError } from "./errors.js";
import { base64ToBytes, bytesToBase64, textDecoder, textEncoder } from "./util.js";

export class WebhookVerificationError extends OpenBankError {}

export type WebhookHeaders =
  | Headers
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** Allowed clock difference in seconds, both directions (default 300). */
  toleranceSeconds?: number;
  /** Current time (epoch ms, or Date). */
  now?: number | Date | (() => number);
}

const SECRET_PREFIX = "whsec_";
let cachedSecret: string | undefined;
let cachedKey: Promise<CryptoKey> | undefined;

function importKey(secret: string): Promise<CryptoKey> {
  if (cachedSecret === secret && cachedKey) return cachedKey;
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = base64ToBytes(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
  } catch {
    throw new WebhookVerificationError("webhook secret is not valid base64");
  }
  if (raw.length === 0) throw new WebhookVerificationError("webhook secret is empty");
  const key = globalThis.crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  cachedSecret = secret;
  cachedKey = key;
  return key;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const rec = headers as Record<string, string | string[] | undefined>;
  let v = rec[name];
  if (v === undefined) {
    for (const k of Object.keys(rec)) {
      if (k.toLowerCase() === name) {
        v = rec[k];
        break;
      }
    }
  }
  return Array.isArray(v) ? v.join(" ") : v;
}

function signedContent(id: string, timestamp: string, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = textEncoder.encode(`${id}.${timestamp}.`);
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix, 0);
  out.set(payload, prefix.length);
  return out;
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function nowSeconds(now: VerifyWebhookOptions["now"]): number {
  const ms = now === undefined ? Date.now() : typeof now === "function" ? now() : now instanceof Date ? now.getTime() : now;
  return Math.floor(ms / 1000);
}

/**
 * Verify a webhook and return its parsed JSON body. Pass the RAW request body (string or
 * bytes) exactly as received; re-serialised JSON will not verify.
 * Throws WebhookVerificationError on any failure.
 */
export async function verifyWebhook<T = unknown>(
  payload: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<T> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError("missing required webhook headers");
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError("invalid webhook-timestamp");
  const tolerance = options.toleranceSeconds ?? 300;
  const now = nowSeconds(options.now);
  const ts = Number(timestamp);
  if (ts < now - tolerance) throw new WebhookVerificationError("webhook timestamp too old");
  if (ts > now + tolerance) throw new WebhookVerificationError("webhook timestamp too new");

  const body = typeof payload === "string" ? textEncoder.encode(payload) : payload;
  const key = await importKey(secret);
  const expected = new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", key, signedContent(id, timestamp, body)));

  let ok = false;
  for (const entry of signatures.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue;
    let candidate: Uint8Array;
    try {
      candidate = base64ToBytes(entry.slice(comma + 1));
    } catch {
      continue;
    }
    if (timingSafeEqual(candidate, expected)) ok = true; // no early exit
  }
  if (!ok) throw new WebhookVerificationError("no matching webhook signature");

  const text = typeof payload === "string" ? payload : textDecoder.decode(payload);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new WebhookVerificationError("webhook payload is not valid JSON");
  }
}

/**
 * Produce the `webhook-signature` value for a payload (for tests and local tools).
 */
export async function signWebhook(
  payload: string | Uint8Array,
  secret: string,
  id: string,
  timestamp: number | Date,
): Promise<string> {
  const ts = String(typeof timestamp === "number" ? Math.floor(timestamp) : Math.floor(timestamp.getTime() / 1000));
  const body = typeof payload === "string" ? textEncoder.encode(payload) : payload;
  const key = await importKey(secret);
  const sig = new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", key, signedContent(id, ts, body)));
  return `v1,${bytesToBase64(sig)}`;
}
