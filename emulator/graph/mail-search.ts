/**
 * The Microsoft Search provider for `message`: the signed-in user's mail
 * matching a KQL query string, newest first (as Microsoft Search sorts
 * messages), each hit with a highlighted summary and the message without its body.
 */
import type { StoredMessage } from "../model.ts";
import { mailboxOf } from "./mailbox.ts";
import { MESSAGE_COLLECTION } from "./mail-schema.ts";
import { parseSearch } from "./odata/search.ts";
import type { SearchHit } from "./search-index.ts";
import type { GraphContext } from "./router.ts";
import { htmlToText } from "../html-text.ts";

/** The message properties a search hit's resource carries (no body: Microsoft Search never returns it). */
const HIT_PROPERTIES = [
  "createdDateTime",
  "lastModifiedDateTime",
  "receivedDateTime",
  "sentDateTime",
  "hasAttachments",
  "subject",
  "bodyPreview",
  "importance",
  "parentFolderId",
  "conversationId",
  "isRead",
  "isDraft",
  "webLink",
  "replyTo",
  "sender",
  "from",
  "toRecipients",
  "flag",
] as const;

const SUMMARY_CHARS = 160;

/** Words of the query worth highlighting: no operators, no property names, no negated terms. */
function highlightTerms(queryString: string): string[] {
  return [...queryString.matchAll(/(-?)(?:\w+:)?("([^"]*)"|[^\s"()]+)/g)]
    .filter(([, minus]) => minus !== "-")
    .map((match) => (match[3] ?? match[2] ?? "").toLowerCase())
    .filter((term) => term !== "" && !["and", "or", "not"].includes(term));
}

function escapeSummary(text: string): string {
  return text.replace(/[<>&]/g, (char) => (char === "<" ? "&lt;" : char === ">" ? "&gt;" : "&amp;"));
}

/** Microsoft Search's summary: a window of the text around the first match, matches in `<c0>`, cuts as `<ddd/>`. */
function summarize(message: StoredMessage, terms: readonly string[]): string {
  const content = message.body?.content ?? "";
  const text = (message.body?.contentType === "html" ? htmlToText(content) : content).replace(/\s+/g, " ").trim();
  const lower = text.toLowerCase();
  const first = Math.min(...terms.map((term) => lower.indexOf(term)).filter((index) => index >= 0), Infinity);
  const start = Number.isFinite(first) ? Math.max(0, first - 40) : 0;
  const window = text.slice(start, start + SUMMARY_CHARS);
  let summary = escapeSummary(window);
  for (const term of terms) {
    const escaped = escapeSummary(term).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    summary = summary.replace(new RegExp(escaped, "gi"), (found) => `<c0>${found}</c0>`);
  }
  return `${start > 0 ? "<ddd/>" : ""}${summary}${start + SUMMARY_CHARS < text.length ? "<ddd/>" : ""}`;
}

/** Every message of the signed-in user matching `queryString`, newest first. */
export function searchMessages(context: GraphContext, queryString: string): SearchHit[] {
  const spec = MESSAGE_COLLECTION.search;
  if (!spec) return [];
  const matches = parseSearch(queryString, spec);
  const terms = highlightTerms(queryString);
  return [...mailboxOf(context).messages.values()]
    .filter(matches)
    .sort((a, b) => Date.parse(b.receivedDateTime) - Date.parse(a.receivedDateTime))
    .map((message, index) => ({
      hitId: message.id,
      rank: index + 1,
      summary: summarize(message, terms),
      resource: {
        "@odata.type": "#microsoft.graph.message",
        ...Object.fromEntries(HIT_PROPERTIES.map((property) => [property, message[property] ?? null])),
      },
    }));
}
