import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import {
  ClientCredentialsTokenProvider,
  createOpenBankFetch,
  OAuthError,
  RefreshingTokenProvider,
  StaticTokenProvider,
  type TokenSet,
} from "../src/index.js";
import { CLIENT_ID, CLIENT_SECRET, fakeSleep, startFakePlatform, type FakePlatform } from "./helpers/server.js";

let platform: FakePlatform;
before(async () => {
  platform = await startFakePlatform();
});
after(async () => {
  await platform.close();
});
beforeEach(() => {
  for (const k of Object.keys(platform.tokenCalls)) delete platform.tokenCalls[k];
  platform.expiresIn = 600;
});

function ccProvider(extra: Partial<ConstructorParameters<typeof ClientCredentialsTokenProvider>[0]> = {}) {
  return new ClientCredentialsTokenProvider({
    baseUrl: platform.baseUrl,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    scope: ["accounts", "payments"],
    ...extra,
  });
}

describe("ClientCredentialsTokenProvider", () => {
  it("fetches once and caches the token across many requests", async () => {
    const auth = ccProvider();
    const f = createOpenBankFetch({ auth });
    for (let i = 0; i < 5; i++) {
      const res = await f(`${platform.baseUrl}/api/v1/accounts/`);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
    assert.equal(platform.tokenCalls["client_credentials"], 1);
    assert.equal(auth.current?.scope, "accounts payments");
  });

  it("is single-flight: 20 concurrent requests trigger one token request", async () => {
    const auth = ccProvider();
    const f = createOpenBankFetch({ auth });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => f(`${platform.baseUrl}/api/v1/accounts/`).then((r) => r.status)),
    );
    assert.deepEqual(new Set(results), new Set([200]));
    assert.equal(platform.tokenCalls["client_credentials"], 1);
  });

  it("refreshes ~30 s before expiry (fake clock)", async () => {
    let now = 1_000_000;
    platform.expiresIn = 600;
    const auth = ccProvider({ now: () => now });
    const t1 = await auth.getAccessToken();
    now += 569_000; // 31 s before expiry: still cached
    assert.equal(await auth.getAccessToken(), t1);
    assert.equal(platform.tokenCalls["client_credentials"], 1);
    now += 2_000; // 29 s before expiry: refresh
    const t2 = await auth.getAccessToken();
    assert.notEqual(t2, t1);
    assert.equal(platform.tokenCalls["client_credentials"], 2);
  });

  it("caps the skew at half the lifetime for very short tokens", async () => {
    let now = 0;
    platform.expiresIn = 20;
    const auth = ccProvider({ now: () => now });
    const t1 = await auth.getAccessToken();
    now = 9_000;
    assert.equal(await auth.getAccessToken(), t1);
    now = 10_000;
    assert.notEqual(await auth.getAccessToken(), t1);
  });

  it("on 401 invalidates the token and retries ONCE with a fresh one", async () => {
    const auth = ccProvider();
    const f = createOpenBankFetch({ auth });
    const first = await f(`${platform.baseUrl}/api/v1/accounts/`);
    assert.equal(first.status, 200);
    platform.revokeAllAccessTokens();
    const before = platform.requestsTo("/api/v1/accounts/").length;
    const res = await f(`${platform.baseUrl}/api/v1/accounts/`);
    assert.equal(res.status, 200);
    assert.equal(platform.tokenCalls["client_credentials"], 2);
    const calls = platform.requestsTo("/api/v1/accounts/").slice(before);
    assert.equal(calls.length, 2);
    assert.notEqual(calls[0]!.headers.authorization, calls[1]!.headers.authorization);
  });

  it("does not loop when the API keeps answering 401", async () => {
    const auth = ccProvider();
    const f = createOpenBankFetch({ auth, retry: { sleep: fakeSleep().sleep } });
    await auth.getAccessToken();
    platform.script("GET /api/v1/echo/", { status: 401 }, { status: 401 });
    const before = platform.requestsTo("/api/v1/echo/").length;
    const res = await f(`${platform.baseUrl}/api/v1/echo/`);
    assert.equal(res.status, 401);
    assert.equal(platform.requestsTo("/api/v1/echo/").length - before, 2);
    assert.equal(platform.tokenCalls["client_credentials"], 2);
  });

  it("supports client_secret in the body and reports OAuth errors", async () => {
    const ok = ccProvider({ clientAuth: "body" });
    assert.match(await ok.getAccessToken(), /^at_/);
    const tokenReq = platform.requestsTo("/oauth/token/").at(-1)!;
    assert.equal(tokenReq.headers.authorization, undefined);
    assert.equal(new URLSearchParams(tokenReq.body).get("client_secret"), CLIENT_SECRET);

    const bad = ccProvider({ clientSecret: "wrong" });
    await assert.rejects(bad.getAccessToken(), (err: unknown) => {
      assert.ok(err instanceof OAuthError);
      assert.equal(err.error, "invalid_client");
      assert.equal(err.status, 401);
      return true;
    });
  });

  it("retries the token request on 503 and recovers", async () => {
    platform.script("POST /oauth/token/", { status: 503, body: { error: "temporarily_unavailable" } });
    const { sleep, delays } = fakeSleep();
    const auth = ccProvider({ sleep });
    assert.match(await auth.getAccessToken(), /^at_/);
    assert.equal(delays.length, 1);
  });
});

describe("RefreshingTokenProvider (user tokens)", () => {
  it("refreshes on expiry, rotates the refresh token and reports it via onTokens", async () => {
    const issued = platform.issueUserTokens();
    let now = 5_000_000;
    const seen: TokenSet[] = [];
    const auth = new RefreshingTokenProvider({
      baseUrl: platform.baseUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      accessToken: issued.accessToken,
      refreshToken: issued.refreshToken,
      expiresAt: now + 60_000,
      now: () => now,
      onTokens: (t) => {
        seen.push(t);
      },
    });
    assert.equal(await auth.getAccessToken(), issued.accessToken);
    now += 31_000; // 29 s left -> refresh
    const [a, b] = await Promise.all([auth.getAccessToken(), auth.getAccessToken()]);
    assert.equal(a, b);
    assert.notEqual(a, issued.accessToken);
    assert.equal(platform.tokenCalls["refresh_token"], 1);
    assert.equal(seen.length, 1);
    assert.notEqual(seen[0]!.refreshToken, issued.refreshToken);
    assert.equal(auth.refreshToken, seen[0]!.refreshToken);

    // the old refresh token no longer works (rotation)
    const stale = new RefreshingTokenProvider({
      baseUrl: platform.baseUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      refreshToken: issued.refreshToken,
    });
    await assert.rejects(stale.getAccessToken(), (e: unknown) => e instanceof OAuthError && e.error === "invalid_grant");
  });

  it("refreshes after a 401 and retries the request once", async () => {
    const issued = platform.issueUserTokens();
    const rotated: string[] = [];
    const auth = new RefreshingTokenProvider({
      baseUrl: platform.baseUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      accessToken: issued.accessToken,
      refreshToken: issued.refreshToken,
      onTokens: (t) => {
        rotated.push(t.refreshToken!);
      },
    });
    const f = createOpenBankFetch({ auth });
    platform.revokeAllAccessTokens();
    const res = await f(`${platform.baseUrl}/api/v1/accounts/`);
    assert.equal(res.status, 200);
    assert.equal(platform.tokenCalls["refresh_token"], 1);
    assert.equal(rotated.length, 1);
  });

  it("static tokens are not retried on 401", async () => {
    const f = createOpenBankFetch({ auth: new StaticTokenProvider("nope") });
    const res = await f(`${platform.baseUrl}/api/v1/accounts/`);
    assert.equal(res.status, 401);
    const g = createOpenBankFetch({ auth: "nope-too" });
    assert.equal((await g(`${platform.baseUrl}/api/v1/accounts/`)).status, 401);
  });
});
