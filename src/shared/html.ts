/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

// Narrow screens first: no line wider than the screen (code wraps instead of scrolling
// the page sideways), and the consent buttons a thumb's reach below the text.
const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:0 auto;padding:1rem;color:#1b1b1b;overflow-wrap:break-word}
@media (min-width:40rem){body{padding:2.5rem 1.5rem}}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 .75rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .25rem}
header{display:flex;align-items:center;gap:.75rem}header svg{width:2.5rem;height:2.5rem;flex:none}header h1{margin:0}
code,pre{font:14px/1.45 ui-monospace,"DejaVu Sans Mono",monospace;background:#f3f3f3;border-radius:4px}code{padding:.05rem .25rem;overflow-wrap:anywhere}
pre{padding:.7rem .8rem;white-space:pre-wrap;overflow-wrap:anywhere;margin:.4rem 0 1rem}
.warn{background:#fff4ce;padding:.6rem .8rem;border-radius:6px}.muted{color:#555}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}
button{font:inherit;padding:.55rem 1.3rem;border-radius:6px;border:1px solid #888;background:#fff;cursor:pointer}
button.primary{background:#0f6cbd;color:#fff;border-color:#0f6cbd}
ul{padding-left:1.2rem;margin:.4rem 0}li{margin:.15rem 0}
details{margin:.75rem 0}summary{cursor:pointer;color:#0f5ba3}
dl.can{margin:.5rem 0;display:grid;grid-template-columns:max-content 1fr;gap:.15rem .75rem}dl.can dt{font-weight:600}dl.can dd{margin:0}`;

/** A complete HTML page; `body` must already be escaped. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><link rel="icon" href="/favicon.ico" sizes="32x32"><link rel="icon" href="/icon.svg" type="image/svg+xml"><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/**
 * A CSP source matching where `url` sends a browser: its origin. Paths would
 * not help (browsers ignore them once a redirect is involved). CSP's grammar
 * cannot name an IPv6 address (`http://[::1]:8080`; Chromium refuses it), nor
 * a native app's own scheme: for those only the scheme is left (`http:`, `cursor:`).
 */
export function cspSourceOf(url: string): string {
  const parsed = new URL(url);
  const hierarchical = parsed.protocol === "http:" || parsed.protocol === "https:";
  return hierarchical && !parsed.hostname.startsWith("[") ? parsed.origin : parsed.protocol;
}

/**
 * An HTML response that cannot be framed or cached. `formTargets` lists where
 * the page's forms may go, every hop of the redirects that answer them
 * included (browsers check form-action on each); without it no form may submit.
 */
export function htmlResponse(
  html: string,
  status = 200,
  headers?: Headers,
  formTargets: readonly string[] = [],
): Response {
  const merged = new Headers(headers);
  merged.set("Content-Type", "text/html; charset=utf-8");
  merged.set("Cache-Control", "no-store");
  merged.set("X-Frame-Options", "DENY");
  const formAction = formTargets.length > 0 ? [...new Set(formTargets)].join(" ") : "'none'";
  merged.set(
    "Content-Security-Policy",
    `default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action ${formAction}; frame-ancestors 'none'`,
  );
  return new Response(html, { status, headers: merged });
}
