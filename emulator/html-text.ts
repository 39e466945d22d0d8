/** HTML and plain text conversions for message bodies, the way Outlook does them closely enough. */

const NAMED_ENTITIES: Record<string, string> = { nbsp: " ", lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntity(entity: string, name: string): string {
  if (!name.startsWith("#")) return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
  const code = /^#x/i.test(name) ? parseInt(name.slice(2), 16) : Number(name.slice(1));
  return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
}

/** Plain text of an HTML body, as Graph returns it for `Prefer: outlook.body-content-type="text"`. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(head|style|script)\b[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|h[1-6])>/gi, "\n\n")
    .replace(/<\/(div|li|tr)>/gi, "\n")
    .replace(/<hr\b[^>]*>/gi, "\n________________________________\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, decodeEntity)
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** An HTML body for plain text, as Outlook stores a text message when HTML is asked for. */
export function textToHtml(text: string): string {
  const paragraphs = text.split(/\r?\n/).map((line) => `<div>${escapeHtml(line) || "<br>"}</div>`);
  return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>${paragraphs.join("")}</body></html>`;
}

/** Graph's bodyPreview: the first 255 characters of the text, whitespace collapsed. */
export function bodyPreview(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 255);
}
