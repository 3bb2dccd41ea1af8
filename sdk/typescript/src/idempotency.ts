/**
 * Idempotency keys.
 *
 * Every POST/PATCH/DELETE sent without an `Idempotency-Key` gets one generated once
 * per logical call; the retry loop in `createOpenBankFetch` reuses the same key for all
 * attempts so the server can deduplicate them (a replay returns the first response with
 * `Idempotent-Replayed: true`).
 */

export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
export const IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed";

/** Methods that receive an auto-generated Idempotency-Key. */
export function needsIdempotencyKey(method: string): boolean {
  return method === "POST" || method === "PATCH" || method === "DELETE";
}

/** A fresh random key (UUID v4 from WebCrypto). */
export function generateIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * Ensure `headers` carries an Idempotency-Key when `method` needs one.
 * Returns the key in effect (caller-supplied or generated), or undefined.
 */
export function ensureIdempotencyKey(
  headers: Headers,
  method: string,
  generate: () => string = generateIdempotencyKey,
): string | undefined {
  const existing = headers.get(IDEMPOTENCY_KEY_HEADER);
  if (existing) return existing;
  if (!needsIdempotencyKey(method)) return undefined;
  const key = generate();
  headers.set(IDEMPOTENCY_KEY_HEADER, key);
  return key;
}

/** True when the server answered with a stored replay of an earlier request. */
export function wasReplayed(response: Response): boolean {
  return response.headers.get(IDEMPOTENT_REPLAYED_HEADER)?.toLowerCase() === "true";
}
