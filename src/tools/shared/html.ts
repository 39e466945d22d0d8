/**
 * HTML as text a model reads (message bodies, HTML files, Teams messages),
 * and text as HTML for Graph. Graph converts HTML to text when asked
 * (`Prefer: outlook.body-content-type="text"`); this tidies its output (links
 * as `text (url)`, inline images named, whitespace collapsed) and converts
 * HTML itself when Graph answers with HTML anyway.
 */
import type { ItemBody } from "@microsoft/microsoft-graph-types";

const NAMED_ENTITIES: Record<string, string> = {
  nbsp: " ",
  lt: "<",
  gt: ">",
  amp: "&",
  quot: '"',
  apos: "'",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  rsquo: "’",
  lsquo: "‘",
  rdquo: "”",
  ldquo: "“",
  copy: "©",
  reg: "®",
  trade: "™",
  bull: "•",
  middot: "·",
  euro: "€",
  zwnj: "",
  zwj: "",
  shy: "",
};

/** Decodes named (`&amp;`, `&nbsp;`, ...) and numeric character references. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (entity, name: string) => {
    if (!name.startsWith("#")) return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
    const code = /^#x/i.test(name) ? parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i").exec(tag);
  const value = match?.[1] ?? match?.[2] ?? match?.[3];
  return value === undefined ? undefined : decodeEntities(value).trim();
}

/** "text (url)", or just the url when the text says nothing more. */
function link(label: string, url: string): string {
  const shown = url.replace(/^mailto:/i, "");
  const text = label.replace(/\s+/g, " ").trim();
  if (text === "" || text === url || text === shown) return shown;
  return `${text} (${shown})`;
}

function inlineImage(cid: string): string {
  return `[inline image: ${cid.replace(/^cid:/i, "").replace(/@.*$/, "")}]`;
}

/** Readable text of an HTML body: no head, styles or scripts; links, list items and table cells kept. */
export function htmlToReadableText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(head|style|script|noscript|template|svg|title)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<(style|script)\b[\s\S]*$/gi, "")
    .replace(/<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi, (_whole, attributes: string, inner: string) => {
      const href = attribute(` ${attributes}`, "href");
      const label = inner.replace(/<[^>]+>/g, "");
      if (!href || !/^(https?|mailto|tel):/i.test(href)) return inner;
      // The label's entities are decoded with the rest of the text, once.
      return link(decodeEntities(label) === href ? href : label, href.replace(/[<>"]/g, ""));
    })
    .replace(/<img\b[^>]*>/gi, (tag) => {
      const src = attribute(tag, "src") ?? "";
      if (/^cid:/i.test(src)) return inlineImage(src);
      const alt = attribute(tag, "alt");
      return alt ? `[image: ${alt}]` : "";
    })
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, "\n- ")
    .replace(/<\/(p|h[1-6]|ul|ol|table|blockquote)\s*>/gi, "\n\n")
    .replace(/<\/(div|tr)\s*>/gi, "\n")
    .replace(/<\/t[dh]\s*>/gi, "\t")
    .replace(/<hr\b[^>]*>/gi, "\n---\n")
    .replace(/<[^>]*>/g, "");
  return tidyText(decodeEntities(text));
}

/**
 * Tidies Graph's text body: Exchange writes links as `text<url>` and inline
 * images as `[cid:image001.png@01DA...]`; whitespace is collapsed to single
 * spaces and at most one blank line.
 */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\u00a0/g, " ")
    .replace(/([^\s<>]*)<((?:https?|mailto|tel):[^<>\s]+)>/gi, (_whole, before: string, url: string) => {
      const shown = url.replace(/^mailto:/i, "");
      if (before === "") return shown;
      // "https://x<https://x>": the text is the link already.
      if (before === url || before === shown) return shown;
      return `${before} (${shown})`;
    })
    .replace(/\[(cid:[^\]\s]+)\]/gi, (_whole, cid: string) => inlineImage(cid))
    .replace(/[ \t\f\v]+/g, " ")
    .replace(/ ?\n ?/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** A message body as text, whichever form Graph returned it in. */
export function readableBody(body: ItemBody | null | undefined): string {
  const content = body?.content ?? "";
  return body?.contentType?.toLowerCase() === "html" ? htmlToReadableText(content) : tidyText(content);
}

/** Text as HTML element content or an attribute value: the five characters that could end either escaped. */
export { escapeHtml } from "../../shared/html.ts";
