import type { DateTimeTimeZone, EmailAddress } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { GraphError, ToolError } from "../../graph/errors.ts";
import { defineTool } from "../spec.ts";
import { clip, formatAddress, shortDateTime } from "../shared/format.ts";
import { countInput, cursorInput } from "../shared/paging.ts";

/**
 * The kinds of items the tool searches, each its own Microsoft Search request:
 * Graph does not interleave message, event and driveItem/site in one request,
 * and v1.0 answers one searchRequest per call.
 */
const KINDS = {
  email: {
    entityType: "message",
    label: "Emails",
    fields: ["subject", "from", "receivedDateTime", "bodyPreview"],
    scopes: "Mail.Read",
    asks: "Mail.Read",
  },
  event: {
    entityType: "event",
    label: "Events",
    fields: ["subject", "start", "end", "organizer", "location"],
    scopes: "Calendars.Read",
    asks: "Calendars.Read",
  },
  file: {
    entityType: "driveItem",
    label: "Files",
    fields: ["name", "lastModifiedDateTime", "lastModifiedBy", "parentReference", "webUrl"],
    scopes: "Files.Read.All or Sites.Read.All",
    /** What a call naming this type asks the user for when it is missing. */
    asks: "Files.Read.All",
  },
  site: {
    entityType: "site",
    label: "Sites",
    fields: ["displayName", "name", "lastModifiedDateTime", "webUrl", "description"],
    scopes: "Sites.Read.All",
    asks: "Sites.Read.All",
  },
} as const;
type Kind = keyof typeof KINDS;
const KIND_NAMES = Object.keys(KINDS) as Kind[];

const SUMMARY_CHARS = 160;
const MAX_COUNT = 25;
const MAX_QUERY_CHARS = 500;

/** The structured facts of a hit; the text adds the summary and who sent, organised or changed it. */
const hitResult = z.object({
  type: z.string(),
  id: z.string(),
  title: z.string(),
  date: z.string(),
  driveId: z.string().optional(),
});
type HitSummary = z.infer<typeof hitResult> & { type: Kind; summary: string; by?: string };

interface SearchHitResponse {
  hitId?: string;
  summary?: string;
  resource?: Record<string, unknown>;
}
interface SearchAnswer {
  value?: {
    hitsContainers?: { hits?: SearchHitResponse[]; total?: number; moreResultsAvailable?: boolean }[];
  }[];
}

/** What the cursor carries: the query, page size and where each kind with more results goes on. */
const cursorShape = z.object({
  q: z.string().min(1).max(500),
  n: z.number().int().min(1).max(MAX_COUNT),
  o: z.partialRecord(z.enum(KIND_NAMES), z.number().int().min(0).max(100_000)),
});
type Cursor = z.infer<typeof cursorShape>;

function encodeCursor(cursor: Cursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify(cursor));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function decodeCursor(text: string): Cursor {
  try {
    if (text.length > 2000) throw new Error("too long");
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
    return cursorShape.parse(JSON.parse(json));
  } catch {
    throw new ToolError(
      "invalid_input",
      "cursor: not a searchMicrosoft365 cursor; pass back nextCursor exactly as returned.",
    );
  }
}

/** Plain text of a hit summary, which marks matches with <c0>…</c0> and cuts with <ddd/>. */
function plainSummary(summary: string | undefined): string {
  const plain = (summary ?? "")
    .replace(/<ddd\/>/g, "…")
    .replace(/<\/?c\d+>/g, "")
    // Meeting invitations carry a rule of underscores before the join details.
    .replace(/_{4,}/g, " ");
  return clip(plain, SUMMARY_CHARS);
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function eventStart(value: unknown): string {
  const start = value as DateTimeTimeZone | undefined;
  if (!start?.dateTime) return "";
  return /^utc$/i.test(start.timeZone ?? "UTC")
    ? shortDateTime(`${start.dateTime.slice(0, 19)}Z`)
    : `${start.dateTime.slice(0, 16)} (${start.timeZone})`;
}

function person(value: unknown): string {
  const holder = value as { emailAddress?: EmailAddress; user?: { displayName?: string } } | undefined;
  return holder?.emailAddress ? formatAddress(holder.emailAddress) : text(holder?.user?.displayName);
}

function summarizeHit(kind: Kind, hit: SearchHitResponse): HitSummary {
  const resource = hit.resource ?? {};
  const id = text(resource.id) || hit.hitId || "";
  const summary = plainSummary(hit.summary || text(resource.bodyPreview) || text(resource.description));
  switch (kind) {
    case "email":
      return {
        type: kind,
        id,
        title: text(resource.subject) || "(no subject)",
        summary,
        date: shortDateTime(text(resource.receivedDateTime)),
        by: person(resource.from),
      };
    case "event":
      return {
        type: kind,
        id,
        title: text(resource.subject) || "(no title)",
        summary,
        date: eventStart(resource.start),
        by: person(resource.organizer),
      };
    case "file": {
      const driveId = text((resource.parentReference as { driveId?: string } | undefined)?.driveId);
      return {
        type: kind,
        id,
        title: text(resource.name) || "(unnamed)",
        summary,
        date: shortDateTime(text(resource.lastModifiedDateTime)),
        by: person(resource.lastModifiedBy),
        ...(driveId ? { driveId } : {}),
      };
    }
    case "site":
      return {
        type: kind,
        id,
        title: text(resource.displayName) || text(resource.name) || text(resource.webUrl),
        summary,
        date: shortDateTime(text(resource.lastModifiedDateTime)),
      };
  }
}

interface KindResult {
  kind: Kind;
  hits: HitSummary[];
  total: number;
  next?: number;
  error?: unknown;
}

function renderKind(result: KindResult, from: number): string[] {
  const { label, scopes } = KINDS[result.kind];
  if (result.error !== undefined) {
    const reason =
      result.error instanceof GraphError && result.error.status === 403
        ? `not permitted (needs ${scopes}; call with types ["${result.kind}"] to be asked for it)`
        : result.error instanceof GraphError
          ? `failed (${result.error.status})`
          : "failed";
    return [`${label}: ${reason}.`];
  }
  if (result.hits.length === 0) return [`${label}: no matches${from > 0 ? " on this page" : ""}.`];
  const lines = [`${label} (${from + 1}-${from + result.hits.length} of ${result.total}):`];
  result.hits.forEach((hit, index) => {
    const head = [hit.date, hit.title, hit.by].filter(Boolean).join(" | ");
    lines.push(`${index + 1}. ${head}`);
    if (hit.summary) lines.push(`   ${hit.summary}`);
    lines.push(`   id: ${hit.id}${hit.driveId ? ` | driveId: ${hit.driveId}` : ""}`);
  });
  return lines;
}

export const searchMicrosoft365 = defineTool({
  name: "searchMicrosoft365",
  title: "Search Microsoft 365",
  description:
    "Search emails, events, files and SharePoint sites at once (Microsoft Search, KQL); best matches per type, with ids for the other tools.",
  input: {
    query: z.string().trim().min(1).describe("Words to find; KQL such as filetype:docx or from:megan works"),
    types: z.array(z.enum(KIND_NAMES)).min(1).optional().describe("Default: all types"),
    count: countInput(5, MAX_COUNT, "Results per type"),
    cursor: cursorInput("nextCursor of the previous call"),
  },
  output: {
    results: z.array(hitResult),
    nextCursor: z.string().optional().describe("Pass as `cursor` to get more results"),
  },
  scopes: ["Mail.Read", "Calendars.Read", "Files.Read.All", "Sites.Read.All"],
  // All types at once search what the sign-in allows and say what is missing; naming types asks for theirs.
  scopesFor: ({ types }) => (types ?? []).map((kind) => KINDS[kind].asks),
  access: "read",
  cacheKind: "search",
  async run({ query, types, count, cursor }, { graph }) {
    if (query.length > MAX_QUERY_CHARS) {
      throw new ToolError("invalid_input", `query: ${query.length} characters; at most ${MAX_QUERY_CHARS}.`);
    }
    const resumed = cursor ? decodeCursor(cursor) : undefined;
    const queryString = resumed?.q ?? query;
    const size = resumed?.n ?? count;
    const offsets: Partial<Record<Kind, number>> =
      resumed?.o ?? Object.fromEntries((types ?? KIND_NAMES).map((kind) => [kind, 0]));
    const kinds = KIND_NAMES.filter((kind) => offsets[kind] !== undefined);

    const answers = await Promise.all(
      kinds.map(async (kind): Promise<KindResult> => {
        const from = offsets[kind] ?? 0;
        try {
          const answer = await graph.post<SearchAnswer>(
            "/search/query",
            {
              requests: [
                {
                  entityTypes: [KINDS[kind].entityType],
                  query: { queryString },
                  from,
                  size,
                  fields: KINDS[kind].fields,
                },
              ],
            },
            // Microsoft Search only reads: retried like a GET.
            { readOnly: true },
          );
          const container = answer.value?.[0]?.hitsContainers?.[0];
          const hits = (container?.hits ?? []).map((hit) => summarizeHit(kind, hit));
          return {
            kind,
            hits,
            total: container?.total ?? hits.length,
            ...(container?.moreResultsAvailable ? { next: from + hits.length } : {}),
          };
        } catch (error) {
          return { kind, hits: [], total: 0, error };
        }
      }),
    );

    const failed = answers.filter((result) => result.error !== undefined);
    if (failed.length === answers.length) throw failed[0]!.error;

    const more = Object.fromEntries(
      answers.filter((result) => result.next !== undefined).map((result) => [result.kind, result.next!]),
    );
    const nextCursor = Object.keys(more).length ? encodeCursor({ q: queryString, n: size, o: more }) : undefined;
    const hits = answers.flatMap((result) => result.hits);
    const lines = [
      `Search "${queryString}": ${hits.length} result${hits.length === 1 ? "" : "s"}.`,
      ...answers.flatMap((result) => renderKind(result, offsets[result.kind] ?? 0)),
    ];
    if (nextCursor) lines.push(`More results: call again with cursor "${nextCursor}".`);
    const results = hits.map(({ type, id, title, date, driveId }) => ({
      type,
      id,
      title,
      date,
      ...(driveId ? { driveId } : {}),
    }));
    return { text: lines.join("\n"), structured: { results, ...(nextCursor ? { nextCursor } : {}) } };
  },
});
