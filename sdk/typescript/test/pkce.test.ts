import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  AuthorizationResponseError,
  computeCodeChallenge,
  createAuthorizationRequest,
  exchangeCode,
  fetchAuthorizationServerMetadata,
  generateCodeVerifier,
  OAuthError,
  parseAuthorizationResponse,
  refreshToken,
  revokeToken,
} from "../src/index.js";
import { CLIENT_ID, CLIENT_SECRET, PUBLIC_CLIENT_ID, REDIRECT_URI, startFakePlatform, type FakePlatform } from "./helpers/server.js";

let platform: FakePlatform;
before(async () => {
  platform = await startFakePlatform();
});
after(async () => {
  await platform.close();
});

describe("PKCE", () => {
  it("code verifiers are 43-128 unreserved characters and fresh each time", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const v = generateCodeVerifier();
      assert.equal(v.length, 64);
      assert.match(v, /^[A-Za-z0-9\-._~]+$/);
      seen.add(v);
    }
    assert.equal(seen.size, 200);
    assert.equal(generateCodeVerifier(43).length, 43);
    assert.equal(generateCodeVerifier(128).length, 128);
    assert.throws(() => generateCodeVerifier(42), RangeError);
    assert.throws(() => generateCodeVerifier(129), RangeError);
  });

  it("S256 challenge equals base64url(sha256(verifier)) from node:crypto", async () => {
    for (let i = 0; i < 20; i++) {
      const v = generateCodeVerifier(43 + i * 4);
      assert.equal(await computeCodeChallenge(v), createHash("sha256").update(v).digest("base64url"));
    }
    // RFC 7636 Appendix B test vector
    assert.equal(
      await computeCodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("createAuthorizationRequest builds the authorize URL", async () => {
    const req = await createAuthorizationRequest({
      baseUrl: platform.baseUrl + "/",
      clientId: PUBLIC_CLIENT_ID,
      redirectUri: REDIRECT_URI,
      scope: ["accounts", "payments"],
      consentId: "cns_123",
    });
    const url = new URL(req.url);
    assert.equal(url.origin + url.pathname, `${platform.baseUrl}/oauth/authorize/`);
    const q = url.searchParams;
    assert.equal(q.get("response_type"), "code");
    assert.equal(q.get("client_id"), PUBLIC_CLIENT_ID);
    assert.equal(q.get("redirect_uri"), REDIRECT_URI);
    assert.equal(q.get("scope"), "accounts payments");
    assert.equal(q.get("consent_id"), "cns_123");
    assert.equal(q.get("code_challenge_method"), "S256");
    assert.equal(q.get("state"), req.state);
    assert.ok(req.state.length >= 32);
    assert.equal(q.get("code_challenge"), createHash("sha256").update(req.codeVerifier).digest("base64url"));
    assert.equal(q.get("code_verifier"), null);
    assert.equal(req.url.includes(req.codeVerifier), false);

    const again = await createAuthorizationRequest({
      issuer: platform.baseUrl,
      clientId: PUBLIC_CLIENT_ID,
      redirectUri: REDIRECT_URI,
      scope: "accounts",
      consentId: "cns_123",
      state: "fixed-state",
    });
    assert.equal(again.state, "fixed-state");
    assert.notEqual(again.codeVerifier, req.codeVerifier);
  });
});

describe("parseAuthorizationResponse", () => {
  const issuer = "http://127.0.0.1:8000";
  it("returns code, state and iss when everything matches", () => {
    const r = parseAuthorizationResponse(`${REDIRECT_URI}?code=abc&state=s1&iss=${encodeURIComponent(issuer)}`, {
      expectedState: "s1",
      expectedIssuer: issuer,
    });
    assert.deepEqual(r, { code: "abc", state: "s1", iss: issuer });
  });

  it("rejects a state mismatch or missing state", () => {
    const check = (url: string) =>
      assert.throws(() => parseAuthorizationResponse(url, { expectedState: "s1" }), (e: unknown) => {
        return e instanceof AuthorizationResponseError && e.reason === "state_mismatch";
      });
    check(`${REDIRECT_URI}?code=abc&state=s2`);
    check(`${REDIRECT_URI}?code=abc`);
  });

  it("checks iss when an expected issuer is given", () => {
    assert.throws(
      () => parseAuthorizationResponse(`${REDIRECT_URI}?code=abc&state=s1&iss=https://evil.example`, { expectedState: "s1", expectedIssuer: issuer }),
      (e: unknown) => e instanceof AuthorizationResponseError && e.reason === "issuer_mismatch",
    );
    assert.throws(
      () => parseAuthorizationResponse(`${REDIRECT_URI}?code=abc&state=s1`, { expectedState: "s1", expectedIssuer: issuer }),
      (e: unknown) => e instanceof AuthorizationResponseError && e.reason === "missing_issuer",
    );
    // without expectedIssuer, iss is reported but not required
    assert.equal(parseAuthorizationResponse(`${REDIRECT_URI}?code=abc&state=s1`, { expectedState: "s1" }).iss, undefined);
  });

  it("surfaces error responses after validating state", () => {
    assert.throws(
      () => parseAuthorizationResponse(`${REDIRECT_URI}?error=access_denied&error_description=user+said+no&state=s1`, { expectedState: "s1" }),
      (e: unknown) => e instanceof AuthorizationResponseError && e.reason === "access_denied" && e.errorDescription === "user said no",
    );
    assert.throws(
      () => parseAuthorizationResponse(`${REDIRECT_URI}?state=s1`, { expectedState: "s1" }),
      (e: unknown) => e instanceof AuthorizationResponseError && e.reason === "missing_code",
    );
  });
});

describe("authorization code flow against the fake platform", () => {
  it("exchanges the code with the verifier, refreshes (rotating), and revokes", async () => {
    const req = await createAuthorizationRequest({
      baseUrl: platform.baseUrl,
      clientId: PUBLIC_CLIENT_ID,
      redirectUri: REDIRECT_URI,
      scope: "accounts",
      consentId: "cns_1",
    });
    const challenge = new URL(req.url).searchParams.get("code_challenge")!;
    const code = platform.issueCode(challenge);
    const redirect = `${REDIRECT_URI}?code=${code}&state=${req.state}&iss=${encodeURIComponent(platform.baseUrl)}`;
    const parsed = parseAuthorizationResponse(redirect, { expectedState: req.state, expectedIssuer: platform.baseUrl });

    // wrong verifier is refused
    const code2 = platform.issueCode(challenge);
    await assert.rejects(
      exchangeCode({ baseUrl: platform.baseUrl, clientId: PUBLIC_CLIENT_ID, code: code2, redirectUri: REDIRECT_URI, codeVerifier: generateCodeVerifier() }),
      (e: unknown) => e instanceof OAuthError && e.error === "invalid_grant",
    );

    const tokens = await exchangeCode({
      baseUrl: platform.baseUrl,
      clientId: PUBLIC_CLIENT_ID,
      code: parsed.code,
      redirectUri: REDIRECT_URI,
      codeVerifier: req.codeVerifier,
    });
    assert.match(tokens.accessToken, /^at_/);
    assert.match(tokens.refreshToken!, /^rt_/);
    assert.equal(tokens.tokenType, "Bearer");
    assert.ok(tokens.expiresAt! > Date.now());
    const tokenReq = platform.requestsTo("/oauth/token/").at(-1)!;
    const form = new URLSearchParams(tokenReq.body);
    assert.equal(form.get("client_id"), PUBLIC_CLIENT_ID);
    assert.equal(form.get("client_secret"), null);
    assert.equal(tokenReq.headers.authorization, undefined);

    const refreshed = await refreshToken({ baseUrl: platform.baseUrl, clientId: PUBLIC_CLIENT_ID, refreshToken: tokens.refreshToken! });
    assert.notEqual(refreshed.refreshToken, tokens.refreshToken);
    await assert.rejects(
      refreshToken({ baseUrl: platform.baseUrl, clientId: PUBLIC_CLIENT_ID, refreshToken: tokens.refreshToken! }),
      (e: unknown) => e instanceof OAuthError && e.error === "invalid_grant",
    );

    await revokeToken({
      baseUrl: platform.baseUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      token: refreshed.refreshToken!,
      tokenTypeHint: "refresh_token",
    });
    assert.ok(platform.revoked.includes(refreshed.refreshToken!));
    const revokeReq = platform.requestsTo("/oauth/revoke_token/").at(-1)!;
    assert.equal(new URLSearchParams(revokeReq.body).get("token_type_hint"), "refresh_token");
    assert.match(String(revokeReq.headers.authorization), /^Basic /);
  });

  it("reads RFC 8414 metadata", async () => {
    const meta = await fetchAuthorizationServerMetadata(platform.baseUrl);
    assert.equal(meta.issuer, platform.baseUrl);
    assert.equal(meta.token_endpoint, `${platform.baseUrl}/oauth/token/`);
  });
});
