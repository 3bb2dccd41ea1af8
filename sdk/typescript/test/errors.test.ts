import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ApiError,
  AuthenticationError,
  ClientCredentialsTokenProvider,
  ConflictError,
  createApiError,
  NotFoundError,
  OpenBankClient,
  PermissionError,
  RateLimitError,
  ServerError,
  unwrap,
  ValidationError,
} from "../src/index.js";
import type { paths } from "./fixtures/paths.gen.js";
import { CLIENT_ID, CLIENT_SECRET, startFakePlatform, type FakePlatform } from "./helpers/server.js";

let platform: FakePlatform;
let client: OpenBankClient<paths>;
before(async () => {
  platform = await startFakePlatform();
  client = new OpenBankClient<paths>({
    baseUrl: platform.baseUrl,
    auth: new ClientCredentialsTokenProvider({ baseUrl: platform.baseUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
    retry: false,
  });
});
after(async () => {
  await platform.close();
});

async function errorFor(status: number): Promise<ApiError> {
  const result = await client.api.request("get", `/api/v1/errors/${status}/` as "/api/v1/accounts/");
  try {
    unwrap(result);
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return err;
  }
  throw new Error(`no error for ${status}`);
}

describe("problem+json -> typed errors", () => {
  const cases: Array<[number, new (...a: never[]) => ApiError, string]> = [
    [400, ValidationError, "validation"],
    [401, AuthenticationError, "authentication"],
    [403, PermissionError, "permission"],
    [404, NotFoundError, "not_found"],
    [409, ConflictError, "conflict"],
    [422, ValidationError, "validation"],
    [429, RateLimitError, "rate_limit"],
    [500, ServerError, "server"],
    [503, ServerError, "server"],
  ];
  for (const [status, cls, kind] of cases) {
    it(`${status} -> ${cls.name}`, async () => {
      const err = status === 401 ? await unauthorized() : await errorFor(status);
      assert.ok(err instanceof cls, `${err.name} is not ${cls.name}`);
      assert.equal(err.kind, kind);
      assert.equal(err.status, status);
      assert.match(err.requestId ?? "", /^req_\d+$/);
      assert.equal(err.requestId, err.headers?.get("x-request-id"));
      assert.ok(err.code);
      assert.ok(err.title);
      assert.ok(err.message.includes(String(status)));
      assert.ok(err.message.includes(err.requestId!));
      assert.equal((err.problem as { status: number }).status, status);
    });
  }

  async function unauthorized(): Promise<ApiError> {
    const anon = new OpenBankClient<paths>({ baseUrl: platform.baseUrl, auth: "bad-token", retry: false });
    const result = await anon.GET("/api/v1/accounts/");
    try {
      unwrap(result);
    } catch (e) {
      return e as ApiError;
    }
    throw new Error("expected 401");
  }

  it("exposes field errors and rate-limit details", async () => {
    const v = await errorFor(422);
    assert.deepEqual(v.errors, [{ field: "amount", code: "invalid", message: "bad amount" }]);
    const r = (await errorFor(429)) as RateLimitError;
    assert.equal(r.retryAfter, 7);
    assert.deepEqual(r.rateLimit, { limit: 100, remaining: 0, reset: 7 });
  });

  it("NotFound for a missing account carries the platform code", async () => {
    const result = await client.GET("/api/v1/accounts/{account_id}/", { params: { path: { account_id: "nope" } } });
    assert.throws(() => unwrap(result), (e: unknown) => e instanceof NotFoundError && e.code === "account_not_found");
  });

  it("validation errors from a POST carry errors[]", async () => {
    const result = await client.POST("/api/v1/payments/", {
      // amount as a JS number is exactly what the SDK must never send
      body: { debtor_account: "acc_001", amount: { amount: 8000 as unknown as string, currency: "CNY" } },
    });
    assert.throws(() => unwrap(result), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.code, "validation_error");
      assert.equal(e.errors[0]?.field, "amount.amount");
      return true;
    });
  });

  it("throwOnError makes openapi-fetch calls throw typed errors", async () => {
    const throwing = new OpenBankClient<paths>({
      baseUrl: platform.baseUrl,
      auth: client.auth!,
      retry: false,
      throwOnError: true,
    });
    await assert.rejects(
      throwing.GET("/api/v1/accounts/{account_id}/", { params: { path: { account_id: "missing" } } }),
      (e: unknown) => e instanceof NotFoundError && e.requestId !== undefined,
    );
    const ok = await throwing.GET("/api/v1/accounts/{account_id}/", { params: { path: { account_id: "acc_001" } } });
    assert.equal(ok.data?.id, "acc_001");
  });

  it("createApiError handles non-JSON bodies and unknown statuses", () => {
    const h = new Headers({ "X-Request-ID": "rid-9" });
    const e = createApiError(502, "<html>bad gateway</html>", h);
    assert.ok(e instanceof ServerError);
    assert.equal(e.requestId, "rid-9");
    assert.equal(e.code, undefined);
    assert.equal(e.raw, "<html>bad gateway</html>");
    const t = createApiError(418, { code: "teapot" });
    assert.equal(t.constructor, ApiError);
    assert.equal(t.kind, "api");
  });
});
