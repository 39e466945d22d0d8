/** HTML and plain text conversions for message bodies, the way Outlook does them closely enough. */

const NAMED_ENTITIES: Record<string, string> = { nbsp: " ", lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntity(entity: string, name: string): string {
  if (!name.startsWith("#")) return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
  const code = /^#x/i.test(name) ? parseInt(name.slice(2), 16) : Number(name.slice(1));
  return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, decodeEntity);
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i").exec(tag);
  const value = match?.[1] ?? match?.[2] ?? match?.[3];
  return value;
}

/**
 * Plain text of an HTML body, as Exchange returns it for
 * `Prefer: outlook.body-content-type="text"`: no head, styles or scripts;
 * links as `text<url>`; inline images as `[cid:...]`, other images as their alt text.
 */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?-->/g, "")
      .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, "")
      .replace(/<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi, (_whole, attributes: string, inner: string) => {
        const href = attribute(attributes, "href");
        const label = inner.replace(/<[^>]+>/g, "").trim();
        if (!href || href.startsWith("#")) return inner;
        // Private-use marks stand for the angle brackets until the tags are gone.
        return label === "" || decodeEntities(label) === decodeEntities(href) ? href : `${inner}\uE000${href}\uE001`;
      })
      .replace(/<img\b[^>]*>/gi, (tag) => {
        const src = attribute(tag, "src") ?? "";
        if (/^cid:/i.test(src)) return `[${src}]`;
        const alt = attribute(tag, "alt");
        return alt ? `[${alt}]` : "";
      })
      .replace(/<br\s*\/?>/gi, "\n")
      .replace(/<li\b[^>]*>/gi, "\n* ")
      .replace(/<\/(p|h[1-6]|ul|ol|table)>/gi, "\n\n")
      .replace(/<\/(div|tr)>/gi, "\n")
      .replace(/<\/t[dh]>/gi, "\t")
      .replace(/<hr\b[^>]*>/gi, "\n________________________________\n")
      .replace(/<[^>]+>/g, ""),
  )
    .replace(/\uE000/g, "<")
    .replace(/\uE001/g, ">")
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n[ \t]+(?=\S)/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** An HTML body for plain text, as Outlook stores a text message when HTML is asked for. */
export function textToHtml(text: string): string {
  return htmlDocument(textToHtmlFragment(text));
}

/** Lines of plain text as HTML `<div>`s, the way Outlook writes them. */
export function textToHtmlFragment(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `<div>${escapeHtml(line) || "<br>"}</div>`)
    .join("");
}

/** A whole HTML body around `content`, as Outlook stores one. */
export function htmlDocument(content: string): string {
  return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>${content}</body></html>`;
}

/** What is inside `<body>` of an HTML document (all of it when there is no body element). */
export function htmlBodyContent(html: string): string {
  const match = /<body\b[^>]*>([\s\S]*?)<\/body\s*>/i.exec(html);
  return match?.[1] ?? html.replace(/<(head)\b[\s\S]*?<\/\1\s*>/gi, "").replace(/<\/?html\b[^>]*>/gi, "");
}

/** Graph's bodyPreview: the first 255 characters of the text, whitespace collapsed. */
export function bodyPreview(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 255);
}
