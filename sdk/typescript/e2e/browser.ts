/**
 * What a customer's browser does on the bank's pages, with plain fetch: cookies, the real HTML
 * forms (CSRF token, hidden fields, account checkboxes/radios) and redirects followed by hand.
 */
export interface Form {
  action: string;
  method: string;
  fields: [string, string][];
  checkboxes: [string, string][];
  radios: [string, string, boolean][];
  buttons: [string, string][];
}

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    const name = m[1]!.toLowerCase();
    out[name] = (m[2] ?? m[3] ?? m[4] ?? "").replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#x27;/g, "'");
  }
  return out;
}

export function parseForms(html: string): Form[] {
  const forms: Form[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const a = attrs(m[1]!);
    const form: Form = { action: a.action ?? "", method: (a.method ?? "get").toLowerCase(), fields: [], checkboxes: [], radios: [], buttons: [] };
    for (const t of m[2]!.matchAll(/<(input|button)\b([^>]*)>/gi)) {
      const ta = attrs(t[2]!);
      if (!ta.name) continue;
      const type = (ta.type ?? (t[1]!.toLowerCase() === "button" ? "submit" : "text")).toLowerCase();
      const value = ta.value ?? "";
      if (type === "checkbox") form.checkboxes.push([ta.name, value]);
      else if (type === "radio") form.radios.push([ta.name, value, "checked" in ta]);
      else if (type === "submit" || type === "button") form.buttons.push([ta.name, value]);
      else form.fields.push([ta.name, value]);
    }
    forms.push(form);
  }
  return forms;
}

export class Browser {
  private cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await fetch(new URL(url, this.baseUrl), { ...init, headers, redirect: "manual" });
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, i).trim(), pair!.slice(i + 1).trim());
    }
    return response;
  }

  /** Follow redirects on the platform; returns the page, or the URL once it leaves for `stopAt`. */
  async follow(response: Response, url: string, stopAt: string): Promise<{ page?: string; url: string }> {
    for (let i = 0; i < 10; i++) {
      if (![301, 302, 303].includes(response.status)) return { page: await response.text(), url };
      url = new URL(response.headers.get("location")!, url).toString();
      if (url.startsWith(stopAt)) return { url };
      response = await this.request(url);
    }
    throw new Error("too many redirects");
  }

  async submit(page: string, pageUrl: string, extra: [string, string][]): Promise<Response> {
    const form = parseForms(page).find((f) => f.method === "post");
    if (!form) throw new Error(`no form on ${pageUrl}: ${page.slice(0, 500)}`);
    const body = new URLSearchParams([...form.fields, ...extra]);
    return this.request(new URL(form.action || pageUrl, pageUrl).toString(), {
      method: "POST",
      body,
      headers: { "Content-Type": "application/x-www-form-urlencoded", Referer: pageUrl },
    });
  }
}

/** Log in as the customer and allow the consent; returns the redirect URL back to the app. */
export async function authorizeInBrowser(
  baseUrl: string,
  authorizationUrl: string,
  redirectUri: string,
  customer: { username: string; password: string },
  chooseAccounts = 1,
): Promise<string> {
  const browser = new Browser(baseUrl);
  const login = await browser.follow(await browser.request(authorizationUrl), authorizationUrl, redirectUri);
  if (!login.page || !login.url.includes("/bank/login/")) throw new Error(`expected the login page, got ${login.url}`);
  const consent = await browser.follow(
    await browser.submit(login.page, login.url, [["username", customer.username], ["password", customer.password]]),
    login.url,
    redirectUri,
  );
  if (!consent.page) throw new Error(`expected the consent page, got ${consent.url}`);
  const form = parseForms(consent.page).find((f) => f.method === "post")!;
  const choices: [string, string][] = form.checkboxes.slice(0, chooseAccounts);
  if (form.radios.length) {
    const checked = form.radios.find((r) => r[2]) ?? form.radios[0]!;
    choices.push([checked[0], checked[1]]);
  }
  const done = await browser.follow(
    await browser.submit(consent.page, consent.url, [...choices, ["decision", "allow"]]),
    consent.url,
    redirectUri,
  );
  if (done.page !== undefined) throw new Error(`the consent was not accepted: ${done.page.slice(0, 1000)}`);
  return done.url;
}
