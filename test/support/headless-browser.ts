/**
 * Just enough of a browser to complete OAuth the way a person would: it keeps
 * cookies per host, follows redirects one at a time, and submits HTML forms
 * (consent page, Microsoft sign-in page) without running any script. Works in
 * Node and in the Workers runtime; `route` decides which fetch serves a URL.
 */

export type Fetcher = (request: Request) => Promise<Response>;

export interface FormField {
  name: string;
  value: string;
  type: string;
}

export interface ParsedForm {
  action: string;
  method: string;
  fields: FormField[];
}

function decodeEntities(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, code: string) => String.fromCharCode(parseInt(code, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, "i").exec(tag);
  if (!match) return undefined;
  return decodeEntities(match[2] ?? match[3] ?? match[4] ?? "");
}

/** The first form of a page, with its inputs and buttons. */
export function parseForm(html: string, pageUrl: string): ParsedForm {
  const formMatch = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!formMatch) throw new Error(`no form on ${pageUrl}:\n${html.slice(0, 500)}`);
  const formTag = /<form\b[^>]*>/i.exec(formMatch[0])![0];
  const fields: FormField[] = [];
  for (const tag of formMatch[1]!.match(/<(input|button)\b[^>]*>/gi) ?? []) {
    const name = attribute(tag, "name");
    if (!name) continue;
    const isButton = /^<button/i.test(tag);
    const type = isButton ? "submit" : (attribute(tag, "type") ?? "text").toLowerCase();
    const checked = /\schecked\b/i.test(tag);
    fields.push({
      name,
      value: attribute(tag, "value") ?? "",
      type: type === "radio" && checked ? "radio-checked" : type,
    });
  }
  return {
    action: new URL(attribute(formTag, "action") ?? pageUrl, pageUrl).toString(),
    method: (attribute(formTag, "method") ?? "get").toUpperCase(),
    fields,
  };
}

export class HeadlessBrowser {
  private readonly cookies = new Map<string, Map<string, string>>();
  private readonly route: (url: URL) => Fetcher;

  constructor(route: (url: URL) => Fetcher = () => (request) => fetch(request)) {
    this.route = route;
  }

  private cookieHeader(url: URL): string | undefined {
    const jar = this.cookies.get(url.host);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private storeCookies(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      if (eq < 0) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const jar = this.cookies.get(url.host) ?? new Map<string, string>();
      if (/max-age=0/i.test(line) || value === "") jar.delete(name);
      else jar.set(name, value);
      this.cookies.set(url.host, jar);
    }
  }

  /** One request, no redirect following. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(target);
    if (cookie) headers.set("Cookie", cookie);
    const response = await this.route(target)(new Request(target, { ...init, headers, redirect: "manual" }));
    this.storeCookies(target, response);
    return response;
  }

  /** Submits a form: hidden fields, the chosen radio value, and one submit button. */
  async submit(
    form: ParsedForm,
    choose: { radio?: (field: FormField) => boolean; button?: string } = {},
  ): Promise<Response> {
    const body = new URLSearchParams();
    const radios = form.fields.filter((field) => field.type === "radio" || field.type === "radio-checked");
    const chosenRadio =
      (choose.radio && radios.find(choose.radio)) ??
      radios.find((field) => field.type === "radio-checked") ??
      radios[0];
    if (chosenRadio) body.set(chosenRadio.name, chosenRadio.value);
    for (const field of form.fields) {
      if (field.type === "hidden" || field.type === "text" || field.type === "email")
        body.append(field.name, field.value);
    }
    const buttons = form.fields.filter((field) => field.type === "submit");
    const button = choose.button
      ? buttons.find((field) => field.value === choose.button || field.name === choose.button)
      : buttons[0];
    if (choose.button && !button) throw new Error(`no button ${choose.button} in form ${form.action}`);
    if (button) body.set(button.name, button.value);
    return this.request(form.action, {
      method: form.method,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
  }
}

export interface SignInOptions {
  /** Demo user to sign in as, by email (e.g. adele@contoso.example). */
  user: string;
  /** "approve" (default) or "deny" on our consent page. */
  decision?: "approve" | "deny";
}

/**
 * Walks an authorization URL of this server to the final redirect to the MCP
 * client: our consent page (skipped when remembered), then Microsoft's sign-in
 * page (the emulator), then /callback. Returns the client's redirect URL.
 */
export async function completeAuthorization(
  browser: HeadlessBrowser,
  authorizationUrl: string,
  options: SignInOptions,
): Promise<URL> {
  let url = authorizationUrl;
  for (let step = 0; step < 12; step++) {
    const response = await browser.request(url);
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get("Location");
      if (!location) throw new Error(`redirect without Location from ${url}`);
      const next = new URL(location, url);
      await response.body?.cancel();
      if (next.pathname !== "/authorize" && !next.pathname.includes("/oauth2/") && next.pathname !== "/callback")
        return next;
      url = next.toString();
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${html.slice(0, 300)}`);
    const form = parseForm(html, url);
    const isConsent = form.fields.some((field) => field.name === "handle");
    const submitted = isConsent
      ? await browser.submit(form, { button: options.decision ?? "approve" })
      : await browser.submit(form, {
          radio: (field) => field.value.toLowerCase() === options.user.toLowerCase(),
          button: form.fields.some(
            (field) => field.type === "submit" && field.value.toLowerCase() === options.user.toLowerCase(),
          )
            ? options.user
            : undefined,
        });
    const location = submitted.headers.get("Location");
    const body = await submitted.text();
    if (!location)
      throw new Error(`form ${form.action} answered ${submitted.status} without a redirect: ${body.slice(0, 300)}`);
    const next = new URL(location, form.action);
    if (next.pathname !== "/authorize" && !next.pathname.includes("/oauth2/") && next.pathname !== "/callback")
      return next;
    url = next.toString();
  }
  throw new Error("authorization did not finish within 12 steps");
}

/** Where a consent link ended: the server's last page, its status and text. */
export interface ConsentOutcome {
  status: number;
  html: string;
  /** The pages on the way, in order (ours and Microsoft's). */
  visited: string[];
}

/**
 * Follows a consent link as a person would: our page of what is added
 * (Continue or Cancel), then Microsoft's sign-in as `user` (whatever account
 * the link was made for), then Microsoft's own refusal page when it shows one
 * (returning without consent), up to the server's result page.
 */
export async function followConsentLink(
  browser: HeadlessBrowser,
  link: string,
  options: { user: string; decision?: "approve" | "deny" },
): Promise<ConsentOutcome> {
  const visited: string[] = [];
  let response = await browser.request(link);
  let url = link;
  for (let step = 0; step < 10; step++) {
    visited.push(new URL(url).pathname);
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get("Location");
      await response.body?.cancel();
      if (!location) throw new Error(`redirect without Location from ${url}`);
      url = new URL(location, url).toString();
      response = await browser.request(url);
      continue;
    }
    const html = await response.text();
    const hasForm = /<form\b/i.test(html);
    if (!hasForm || response.status !== 200) return { status: response.status, html, visited };
    const form = parseForm(html, url);
    if (form.fields.some((field) => field.name === "ticket")) {
      response = await browser.submit(form, { button: options.decision ?? "approve" });
    } else if (form.fields.some((field) => field.name === "consent_action")) {
      // Microsoft's "Need admin approval": the only way on is back without consent.
      response = await browser.submit(form, { button: "consent_action" });
    } else {
      response = await browser.submit(form, {
        radio: (field) => field.value.toLowerCase() === options.user.toLowerCase(),
      });
    }
    url = form.action;
  }
  throw new Error(`consent link did not finish within 10 steps: ${visited.join(" → ")}`);
}
