/**
 * Server to server and third party, against the live platform: client-credentials token,
 * consents created and listed with auto-pagination over several pages, then the customer's
 * PKCE authorization on the bank's consent page, the code exchange and a refresh.
 */
import {
  createAuthorizationRequest,
  createOpenBankClient,
  exchangeCode,
  listAll,
  NotFoundError,
  paginate,
  parseAuthorizationResponse,
  RefreshingTokenProvider,
  unwrap,
  ValidationError,
} from "../src/index.js";
import { authorizeInBrowser } from "./browser.js";
import { baseUrl, check, run, seed } from "./env.js";

run(async () => {
  const tp = seed.clients.third_party;
  const ob = createOpenBankClient({ baseUrl, clientId: tp.client_id, clientSecret: tp.client_secret, scope: ["accounts"] });
  const expires = new Date(Date.now() + 30 * 86400_000).toISOString();

  const created: string[] = [];
  for (let i = 0; i < 23; i++) {
    const consent = unwrap(
      await ob.POST("/api/v1/consents", {
        body: { kind: "account_access", permissions: ["read_accounts", "read_balances", "read_transactions"], expires_at: expires },
      }),
    );
    check(consent.status === "awaiting_authorisation", `new consent is ${consent.status}`);
    created.push(consent.id);
  }

  const firstPage = unwrap(await ob.GET("/api/v1/consents", {}));
  check(firstPage.data.length === 20 && firstPage.has_more && firstPage.next_cursor, "the first page holds 20 and has more");

  const listed: string[] = [];
  for await (const consent of paginate((cursor) => ob.GET("/api/v1/consents", { params: { query: { cursor, limit: 7 } } }))) {
    listed.push(consent.id);
  }
  check(created.every((id) => listed.includes(id)), "every created consent is listed");
  check(new Set(listed).size === listed.length, "no consent listed twice");
  const all = await listAll((cursor) => ob.GET("/api/v1/consents", { params: { query: { cursor } } }));
  check(all.length === listed.length, "listAll agrees with paginate");

  // Typed errors with the problem details.
  let notFound: unknown;
  try {
    unwrap(await ob.GET("/api/v1/consents/{consent_id}", { params: { path: { consent_id: "cns_01M00000000000000000000000" } } }));
  } catch (err) {
    notFound = err;
  }
  check(notFound instanceof NotFoundError && notFound.status === 404 && notFound.requestId, "404 is a NotFoundError with a request id");
  let invalid: unknown;
  try {
    // Deliberately incomplete (no permissions, no expiry): the server's 400, not the compiler, must refuse it.
    const incomplete = { kind: "account_access" } as never;
    unwrap(await ob.POST("/api/v1/consents", { body: incomplete }));
  } catch (err) {
    invalid = err;
  }
  check(invalid instanceof ValidationError && invalid.errors.length > 0, "400 is a ValidationError with field errors");

  // Third party: the customer authorises the first consent on the bank's page.
  const consentId = created[0]!;
  const request = await createAuthorizationRequest({ baseUrl, clientId: tp.client_id, redirectUri: tp.redirect_uri, scope: ["accounts"], consentId });
  const customer = seed.customers[0]!;
  const redirect = await authorizeInBrowser(baseUrl, request.url, tp.redirect_uri, customer, 1);
  const { code } = parseAuthorizationResponse(redirect, { expectedState: request.state, expectedIssuer: baseUrl });
  const tokens = await exchangeCode({ baseUrl, clientId: tp.client_id, clientSecret: tp.client_secret, code, redirectUri: tp.redirect_uri, codeVerifier: request.codeVerifier });
  check(tokens.accessToken && tokens.refreshToken, "the code exchange returns both tokens");

  const authorised = unwrap(await ob.GET("/api/v1/consents/{consent_id}", { params: { path: { consent_id: consentId } } }));
  check(authorised.status === "authorised", `the consent is ${authorised.status} after the customer allowed it`);
  check(JSON.stringify(authorised.account_ids) === JSON.stringify([customer.accounts[0]]), "the chosen account is shared");

  const rotated: string[] = [];
  const auth = new RefreshingTokenProvider({
    baseUrl, clientId: tp.client_id, clientSecret: tp.client_secret,
    accessToken: tokens.accessToken, refreshToken: tokens.refreshToken!, expiresAt: 0,
    onTokens: (t) => { rotated.push(t.refreshToken ?? ""); },
  });
  const token = await auth.getAccessToken();
  check(rotated.length === 1 && rotated[0] !== tokens.refreshToken && token !== tokens.accessToken, "the refresh token rotates");

  return { created: created.length, listed: listed.length, consentId, accessToken: token, refreshToken: rotated[0], accountIds: authorised.account_ids };
});
