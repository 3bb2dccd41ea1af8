/** A third-party app's consent, authorised by the customer on the bank's page, exchanged for tokens. */
import {
  createAuthorizationRequest,
  createOpenBankClient,
  exchangeCode,
  type OpenBankClientOptions,
  parseAuthorizationResponse,
  RefreshingTokenProvider,
  unwrap,
} from "../src/index.js";
import type { components } from "../src/generated/openapi.js";
import { authorizeInBrowser } from "./browser.js";
import { baseUrl, seed } from "./env.js";

type ConsentCreate = components["schemas"]["ConsentCreateRequest"];

/** `userOptions` go to the user's client (e.g. `responseCache`, `fetch`). */
export async function authorize(
  scope: string[],
  body: ConsentCreate,
  chooseAccounts = 99,
  userOptions: Partial<OpenBankClientOptions> = {},
) {
  const tp = seed.clients.third_party;
  const customer = seed.customers[0]!;
  const app = createOpenBankClient({ baseUrl, clientId: tp.client_id, clientSecret: tp.client_secret, scope });
  const consent = unwrap(await app.POST("/api/v1/consents", { body }));
  const request = await createAuthorizationRequest({ baseUrl, clientId: tp.client_id, redirectUri: tp.redirect_uri, scope, consentId: consent.id });
  const redirect = await authorizeInBrowser(baseUrl, request.url, tp.redirect_uri, customer, chooseAccounts);
  const { code } = parseAuthorizationResponse(redirect, { expectedState: request.state, expectedIssuer: baseUrl });
  const tokens = await exchangeCode({ baseUrl, clientId: tp.client_id, clientSecret: tp.client_secret, code, redirectUri: tp.redirect_uri, codeVerifier: request.codeVerifier });
  const auth = new RefreshingTokenProvider({ baseUrl, clientId: tp.client_id, clientSecret: tp.client_secret, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken!, expiresAt: tokens.expiresAt });
  const consentNow = unwrap(await app.GET("/api/v1/consents/{consent_id}", { params: { path: { consent_id: consent.id } } }));
  return { user: createOpenBankClient({ ...userOptions, baseUrl, auth }), accessToken: tokens.accessToken, consent: consentNow };
}
