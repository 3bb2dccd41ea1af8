/**
 * A small fake of the Open Banking platform on 127.0.0.1 (random port) that follows the
 * platform's HTTP conventions: OAuth token/revoke/metadata endpoints, Bearer auth, RFC 9457
 * problem+json errors with X-Request-ID, idempotency keys, cursor pagination, 429 with
 * Retry-After/RateLimit-* and scripted failures.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const CLIENT_ID = "partner-1";
export const CLIENT_SECRET = "s3cret: with+odd&chars";
export const PUBLIC_CLIENT_ID = "tpp-public";
export const REDIRECT_URI = "https://tpp.example/callback";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Delay before answering, ms. */
  delayMs?: number;
}

export interface FakePlatform {
  baseUrl: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Token endpoint calls by grant type. */
  tokenCalls: Record<string, number>;
  /** expires_in of issued access tokens (default 600). */
  expiresIn: number;
  /** Answers queued per "METHOD /path" that are served before the normal handler. */
  script(route: string, ...responses: ScriptedResponse[]): void;
  /** Make every access token issued so far invalid (next API call gets 401). */
  revokeAllAccessTokens(): void;
  /** Register an authorization code bound to a PKCE challenge; returns the code. */
  issueCode(codeChallenge: string, clientId?: string): string;
  /** Issue a user token pair directly (as if the code exchange happened). */
  issueUserTokens(): { accessToken: string; refreshToken: string };
  revoked: string[];
  requestsTo(path: string): RecordedRequest[];
  /**
   * Versions of `GET /api/v1/accounts/{id}/transactions/`, served like the platform serves
   * conditional reads: a strong ETag over (version, query, token), `Cache-Control: private,
   * no-cache`, and 304 with no body when If-None-Match names it (after the bearer check).
   */
  transactionVersions: Map<string, number>;
  close(): Promise<void>;
}

const ACCOUNTS = Array.from({ length: 45 }, (_, i) => ({
  id: `acc_${String(i + 1).padStart(3, "0")}`,
  balance: { amount: `${8000 + i}.${String(i).padStart(2, "0")}`, currency: "CNY" },
}));

export async function startFakePlatform(): Promise<FakePlatform> {
  let seq = 0;
  const validAccess = new Set<string>();
  const validRefresh = new Set<string>();
  const codes = new Map<string, { challenge: string; clientId: string }>();
  const scripts = new Map<string, ScriptedResponse[]>();
  const idempotency = new Map<string, { bodyHash: string; status: number; body: unknown }>();
  const requests: RecordedRequest[] = [];
  const tokenCalls: Record<string, number> = {};
  const revoked: string[] = [];

  const state = { expiresIn: 600 };
  const transactionVersions = new Map<string, number>();

  function send(res: ServerResponse, requestId: string, status: number, body: unknown, headers: Record<string, string> = {}) {
    const isProblem = status >= 400 && !("error" in ((body as object) ?? {}));
    const payload = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": isProblem ? "application/problem+json" : "application/json",
      "X-Request-ID": requestId,
      ...headers,
    });
    res.end(payload);
  }

  function problem(status: number, code: string, requestId: string, extra: Record<string, unknown> = {}) {
    return {
      type: `https://docs.openbank.example/errors/${code}`,
      title: code.replace(/_/g, " "),
      status,
      detail: `detail for ${code}`,
      code,
      request_id: requestId,
      errors: [],
      ...extra,
    };
  }

  function issueAccess(): string {
    const t = `at_${++seq}`;
    validAccess.add(t);
    return t;
  }
  function issueRefresh(): string {
    const t = `rt_${++seq}`;
    validRefresh.add(t);
    return t;
  }

  function clientFrom(req: IncomingMessage, form: URLSearchParams): { id?: string; secret?: string } {
    const auth = req.headers.authorization;
    if (auth?.startsWith("Basic ")) {
      const [id, secret] = Buffer.from(auth.slice(6), "base64").toString("utf8").split(":");
      const dec = (s: string | undefined) => (s === undefined ? undefined : decodeURIComponent(s.replace(/\+/g, " ")));
      return { id: dec(id), secret: dec(secret) };
    }
    return { id: form.get("client_id") ?? undefined, secret: form.get("client_secret") ?? undefined };
  }

  function handleToken(req: IncomingMessage, res: ServerResponse, rid: string, body: string) {
    if (req.headers["content-type"] !== "application/x-www-form-urlencoded") {
      return send(res, rid, 400, { error: "invalid_request", error_description: "form body required" });
    }
    const form = new URLSearchParams(body);
    const grant = form.get("grant_type") ?? "";
    tokenCalls[grant] = (tokenCalls[grant] ?? 0) + 1;
    const client = clientFrom(req, form);
    const confidentialOk = client.id === CLIENT_ID && client.secret === CLIENT_SECRET;
    const publicOk = client.id === PUBLIC_CLIENT_ID && client.secret === undefined;
    if (!confidentialOk && !publicOk) {
      return send(res, rid, 401, { error: "invalid_client" });
    }
    const base = { token_type: "Bearer", expires_in: state.expiresIn };
    if (grant === "client_credentials") {
      if (!confidentialOk) return send(res, rid, 400, { error: "unauthorized_client" });
      return send(res, rid, 200, { ...base, access_token: issueAccess(), scope: form.get("scope") ?? "accounts" });
    }
    if (grant === "authorization_code") {
      const entry = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      const verifier = form.get("code_verifier") ?? "";
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      if (!entry || entry.clientId !== client.id || entry.challenge !== challenge || form.get("redirect_uri") !== REDIRECT_URI) {
        return send(res, rid, 400, { error: "invalid_grant" });
      }
      return send(res, rid, 200, { ...base, access_token: issueAccess(), refresh_token: issueRefresh(), scope: "accounts" });
    }
    if (grant === "refresh_token") {
      const rt = form.get("refresh_token") ?? "";
      if (!validRefresh.delete(rt)) return send(res, rid, 400, { error: "invalid_grant", error_description: "refresh token reused or unknown" });
      return send(res, rid, 200, { ...base, access_token: issueAccess(), refresh_token: issueRefresh(), scope: "accounts" });
    }
    return send(res, rid, 400, { error: "unsupported_grant_type" });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    requests.push({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body });
    const incomingRid = req.headers["x-request-id"];
    const rid = typeof incomingRid === "string" && incomingRid ? incomingRid : `req_${++seq}`;

    const scripted = scripts.get(`${method} ${url.pathname}`)?.shift();
    if (scripted) {
      if (scripted.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
      return send(res, rid, scripted.status, scripted.body ?? (scripted.status >= 400 ? problem(scripted.status, `http_${scripted.status}`, rid) : {}), scripted.headers);
    }

    if (url.pathname === "/.well-known/oauth-authorization-server") {
      return send(res, rid, 200, {
        issuer: `http://127.0.0.1:${port}`,
        authorization_endpoint: `http://127.0.0.1:${port}/oauth/authorize/`,
        token_endpoint: `http://127.0.0.1:${port}/oauth/token/`,
        revocation_endpoint: `http://127.0.0.1:${port}/oauth/revoke_token/`,
        code_challenge_methods_supported: ["S256"],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (url.pathname === "/oauth/token/" && method === "POST") return handleToken(req, res, rid, body);
    if (url.pathname === "/oauth/revoke_token/" && method === "POST") {
      const form = new URLSearchParams(body);
      const client = clientFrom(req, form);
      if (client.id !== CLIENT_ID && client.id !== PUBLIC_CLIENT_ID) return send(res, rid, 401, { error: "invalid_client" });
      const token = form.get("token") ?? "";
      revoked.push(token);
      validAccess.delete(token);
      validRefresh.delete(token);
      res.writeHead(200, { "X-Request-ID": rid });
      return res.end();
    }

    if (!url.pathname.startsWith("/api/v1/")) return send(res, rid, 404, problem(404, "not_found", rid));

    // --- API: bearer auth
    const auth = req.headers.authorization ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    if (!validAccess.has(token)) {
      return send(res, rid, 401, problem(401, "invalid_token", rid), { "WWW-Authenticate": 'Bearer error="invalid_token"' });
    }

    if (url.pathname === "/api/v1/accounts/" && method === "GET") {
      const limit = Math.min(100, Math.max(1, Number(url.searchParams.get("limit") ?? 20)));
      const cursor = url.searchParams.get("cursor");
      const offset = cursor ? Number(Buffer.from(cursor, "base64url").toString()) : 0;
      const data = ACCOUNTS.slice(offset, offset + limit);
      const next = offset + limit < ACCOUNTS.length ? Buffer.from(String(offset + limit)).toString("base64url") : null;
      return send(res, rid, 200, { data, has_more: next !== null, next_cursor: next });
    }
    const accountMatch = /^\/api\/v1\/accounts\/([^/]+)\/$/.exec(url.pathname);
    if (accountMatch && method === "GET") {
      const acc = ACCOUNTS.find((a) => a.id === accountMatch[1]);
      if (!acc) return send(res, rid, 404, problem(404, "account_not_found", rid));
      return send(res, rid, 200, acc);
    }
    if (url.pathname === "/api/v1/payments/" && method === "POST") {
      const key = req.headers["idempotency-key"];
      if (typeof key !== "string" || !key) return send(res, rid, 400, problem(400, "idempotency_key_required", rid));
      const bodyHash = createHash("sha256").update(body).digest("hex");
      const prior = idempotency.get(key);
      if (prior) {
        if (prior.bodyHash !== bodyHash) return send(res, rid, 422, problem(422, "idempotency_key_reused", rid));
        return send(res, rid, prior.status, prior.body, { "Idempotent-Replayed": "true" });
      }
      let parsed: { amount?: { amount?: unknown } };
      try {
        parsed = JSON.parse(body);
      } catch {
        return send(res, rid, 400, problem(400, "malformed_json", rid));
      }
      if (typeof parsed.amount?.amount !== "string") {
        return send(res, rid, 422, problem(422, "validation_error", rid, {
          errors: [{ field: "amount.amount", code: "invalid", message: "amount must be a decimal string" }],
        }));
      }
      const created = { id: `pay_${++seq}`, status: "pending", amount: parsed.amount };
      idempotency.set(key, { bodyHash, status: 201, body: created });
      return send(res, rid, 201, created);
    }
    const txMatch = /^\/api\/v1\/accounts\/([^/]+)\/transactions\/?$/.exec(url.pathname);
    if (txMatch && method === "GET") {
      const accountId = txMatch[1]!;
      const version = transactionVersions.get(accountId) ?? 1;
      const etag = `"${createHash("sha256").update(`${version}|${url.search}|${token}`).digest("hex").slice(0, 32)}"`;
      const headers = { ETag: etag, "Cache-Control": "private, no-cache", "X-Version": String(version) };
      const wanted = (req.headers["if-none-match"] ?? "").split(",").map((t) => t.trim());
      if (wanted.includes(etag)) {
        res.writeHead(304, { "X-Request-ID": rid, ...headers });
        return res.end();
      }
      const data = [{ id: `txn_${accountId}_${version}`, amount: { amount: "8000.10", currency: "CNY" } }];
      return send(res, rid, 200, { data, has_more: false, next_cursor: null, query: url.search }, headers);
    }
    const errMatch = /^\/api\/v1\/errors\/(\d{3})\/$/.exec(url.pathname);
    if (errMatch) {
      const status = Number(errMatch[1]);
      const extra: Record<string, string> = status === 429 ? { "Retry-After": "7", "RateLimit-Limit": "100", "RateLimit-Remaining": "0", "RateLimit-Reset": "7" } : {};
      return send(res, rid, status, problem(status, `error_${status}`, rid, status === 422 ? {
        errors: [{ field: "amount", code: "invalid", message: "bad amount" }],
      } : {}), extra);
    }
    if (url.pathname === "/api/v1/echo/") {
      return send(res, rid, 200, { method, headers: req.headers, body });
    }
    return send(res, rid, 404, problem(404, "not_found", rid));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    requests,
    tokenCalls,
    get expiresIn() {
      return state.expiresIn;
    },
    set expiresIn(v: number) {
      state.expiresIn = v;
    },
    script(route, ...responses) {
      scripts.set(route, [...(scripts.get(route) ?? []), ...responses]);
    },
    revokeAllAccessTokens() {
      validAccess.clear();
    },
    issueCode(codeChallenge, clientId = PUBLIC_CLIENT_ID) {
      const code = `code_${++seq}`;
      codes.set(code, { challenge: codeChallenge, clientId });
      return code;
    },
    issueUserTokens() {
      return { accessToken: issueAccess(), refreshToken: issueRefresh() };
    },
    revoked,
    transactionVersions,
    requestsTo(path) {
      return requests.filter((r) => r.path === path);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A fake sleep that records requested delays and resolves immediately. */
export function fakeSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: (ms: number) => {
      delays.push(ms);
      return Promise.resolve();
    },
  };
}
