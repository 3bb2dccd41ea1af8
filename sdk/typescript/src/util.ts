/** Small runtime-neutral helpers (Node 20 and browsers): base64, text encoding, URLs. */

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export const textEncoder = new TextEncoder();
export const textDecoder = new TextDecoder();

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + chunk)));
  }
  return btoa(binary);
}

export function bytesToBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decode standard or URL-safe base64 (padding optional). Throws on invalid input. */
export function base64ToBytes(value: string): Uint8Array<ArrayBuffer> {
  let b64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const pad = b64.length % 4;
  if (pad === 1) throw new Error("invalid base64");
  if (pad) b64 += "=".repeat(4 - pad);
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

export function trimTrailingSlash(url: string): string {
  return url.endsWith("/") ? url.replace(/\/+$/, "") : url;
}

/** Resolve `path` against the API base URL (absolute `path` wins). */
export function joinUrl(baseUrl: string, path: string): string {
  if (/^https?:\/\//i.test(path)) return path;
  return trimTrailingSlash(baseUrl) + (path.startsWith("/") ? path : `/${path}`);
}

export function defaultFetch(): FetchLike {
  if (typeof globalThis.fetch !== "function") {
    throw new Error("global fetch is not available; pass `fetch` in the options");
  }
  return (input, init) => globalThis.fetch(input, init);
}
