/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem}code,pre{background:#f3f3f3;border-radius:4px;padding:.1rem .3rem}pre{padding:.8rem;overflow:auto}
.warn{background:#fff4ce;padding:.6rem .8rem;border-radius:6px}.muted{color:#555}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem;border-radius:6px;border:1px solid #888;cursor:pointer}
button.primary{background:#0f6cbd;color:#fff;border-color:#0f6cbd}ul{padding-left:1.2rem}`;

/** A complete HTML page; `body` must already be escaped. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/**
 * The CSP source of a form's possible redirect target: an http(s) URL's
 * origin, or a native app's private-use scheme ("com.example.app:").
 */
export function formTargetSource(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : parsed.protocol;
  } catch {
    return undefined;
  }
}

/**
 * An HTML response that cannot be framed or cached. Its forms may post only to
 * this server and, since browsers apply `form-action` to the redirects that
 * follow a post too, to the `formTargets` given (the consent page's Microsoft
 * sign-in and the client's redirect URI); pages without one post nowhere else.
 */
export function htmlResponse(html: string, status = 200, headers?: Headers, formTargets: string[] = []): Response {
  const merged = new Headers(headers);
  merged.set("Content-Type", "text/html; charset=utf-8");
  merged.set("Cache-Control", "no-store");
  merged.set("X-Frame-Options", "DENY");
  const targets = [...new Set(formTargets.map(formTargetSource).filter((source) => source !== undefined))];
  merged.set(
    "Content-Security-Policy",
    `default-src 'none'; style-src 'unsafe-inline'; form-action ${["'self'", ...targets].join(" ")}; frame-ancestors 'none'`,
  );
  return new Response(html, { status, headers: merged });
}
