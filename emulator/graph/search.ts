/**
 * POST /search/query, the Microsoft Search API: one searchRequest (several
 * only for SharePoint, OneDrive and answer types, as Graph allows), entity
 * type combinations as Graph's interleaving table allows them, from/size
 * paging with Graph's per-type limits, and each entity type answered by the
 * provider its area registered in search-index.ts.
 */
import { jsonBody } from "../http.ts";
import { graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";
import { searchProvider, type SearchHit } from "./search-index.ts";

const FILES = ["Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All"];
const SITES = ["Sites.Read.All", "Sites.ReadWrite.All"];

/** Each entity type with the delegated permissions that reach it (any one suffices). */
const ENTITY_TYPES: Record<string, { permissions: readonly string[]; group: string }> = {
  message: { permissions: ["Mail.Read", "Mail.ReadWrite"], group: "mail" },
  chatMessage: { permissions: ["Chat.Read", "Chat.ReadWrite", "ChannelMessage.Read.All"], group: "mail" },
  event: { permissions: ["Calendars.Read", "Calendars.ReadWrite"], group: "event" },
  person: { permissions: ["People.Read", "People.Read.All"], group: "person" },
  drive: { permissions: FILES, group: "sharepoint" },
  driveItem: { permissions: FILES, group: "sharepoint" },
  list: { permissions: SITES, group: "sharepoint" },
  listItem: { permissions: SITES, group: "sharepoint" },
  site: { permissions: SITES, group: "sharepoint" },
  externalItem: { permissions: ["ExternalItem.Read.All"], group: "sharepoint" },
  acronym: { permissions: ["Acronym.Read.All"], group: "answers" },
  bookmark: { permissions: ["Bookmark.Read.All"], group: "answers" },
  qna: { permissions: ["QnA.Read.All"], group: "answers" },
};

/** Outlook items page at most 25 per request; SharePoint and OneDrive items at most 1000. */
const OUTLOOK_TYPES = new Set(["message", "event"]);
const MAX_SIZE = 1000;
const MAX_OUTLOOK_SIZE = 25;
const DEFAULT_SIZE = 25;

function invalid(message: string): GraphFailure {
  return new GraphFailure(400, "BadRequest", `SearchRequest Invalid (${message})`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface ParsedRequest {
  entityTypes: string[];
  queryString: string;
  from: number;
  size: number;
  fields?: string[];
}

function readInteger(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`EntityRequest Invalid (searchRequest -> ${name} must be an integer from ${min} to ${max})`);
  }
  return value;
}

function parseRequest(value: unknown): ParsedRequest {
  if (!isObject(value)) throw invalid("searchRequest must be an object");
  if (!Array.isArray(value.entityTypes) || value.entityTypes.length === 0) {
    throw invalid("EntityRequest Invalid (searchRequest -> entityTypes is required)");
  }
  const entityTypes = value.entityTypes.map((entry: unknown) => {
    const known = Object.keys(ENTITY_TYPES).find(
      (name) => typeof entry === "string" && name.toLowerCase() === entry.toLowerCase(),
    );
    if (!known) throw invalid(`EntityRequest Invalid (Requested value '${String(entry)}' was not found.)`);
    return known;
  });
  const groups = new Set(entityTypes.map((type) => ENTITY_TYPES[type]!.group));
  if (groups.size > 1) {
    throw invalid(
      `EntityRequest Invalid (The entity types combination [${entityTypes.join(", ")}] is not supported. See the supported combinations in the Microsoft Search API documentation.)`,
    );
  }
  const query = value.query;
  const queryString = isObject(query) && typeof query.queryString === "string" ? query.queryString.trim() : "";
  if (!queryString) throw invalid("EntityRequest Invalid (searchRequest -> query is invalid (queryString required))");
  const outlook = entityTypes.some((type) => OUTLOOK_TYPES.has(type));
  const size = readInteger(value.size, "size", 1, outlook ? MAX_OUTLOOK_SIZE : MAX_SIZE, DEFAULT_SIZE);
  const from = readInteger(value.from, "from", 0, Number.MAX_SAFE_INTEGER, 0);
  const fields =
    Array.isArray(value.fields) && value.fields.every((field) => typeof field === "string")
      ? (value.fields as string[])
      : undefined;
  return { entityTypes, queryString, from, size, fields };
}

/** The words of a KQL query string, as Graph echoes them in searchTerms. */
function searchTerms(queryString: string): string[] {
  return queryString
    .split(/\s+/)
    .filter((word) => !["AND", "OR", "NOT"].includes(word))
    .map((word) =>
      word
        .replace(/^-?\w+:/, "")
        .replace(/["()]/g, "")
        .toLowerCase(),
    )
    .filter(Boolean);
}

/** Hits of several types interleaved, one of each in turn, each provider's best first. */
function interleave(lists: SearchHit[][]): SearchHit[] {
  const merged: SearchHit[] = [];
  const longest = Math.max(0, ...lists.map((list) => list.length));
  for (let i = 0; i < longest; i++) for (const list of lists) if (list[i]) merged.push(list[i]!);
  return merged;
}

function selectFields(resource: Record<string, unknown>, fields: string[] | undefined): Record<string, unknown> {
  if (!fields) return resource;
  const wanted = new Set(fields.map((field) => field.toLowerCase()));
  return Object.fromEntries(
    Object.entries(resource).filter(
      ([name]) => name === "@odata.type" || name === "id" || wanted.has(name.toLowerCase()),
    ),
  );
}

function answer(context: GraphContext, request: ParsedRequest) {
  for (const type of request.entityTypes) {
    const { permissions } = ENTITY_TYPES[type]!;
    if (!permissions.some((scope) => context.grant.scopes.includes(scope))) {
      throw new GraphFailure(
        403,
        "Forbidden",
        `Access to ${type} entities is denied: the request needs one of ${permissions.join(", ")}.`,
      );
    }
  }
  const all = interleave(request.entityTypes.map((type) => searchProvider(type)?.(context, request.queryString) ?? []));
  const page = all.slice(request.from, request.from + request.size);
  const container: Record<string, unknown> = {
    ...(page.length > 0
      ? {
          hits: page.map((hit, index) => ({
            hitId: hit.hitId,
            rank: request.from + index + 1,
            summary: hit.summary,
            resource: selectFields(hit.resource, request.fields),
          })),
        }
      : {}),
    total: all.length,
    moreResultsAvailable: request.from + page.length < all.length,
  };
  return { searchTerms: searchTerms(request.queryString), hitsContainers: [container] };
}

export const searchRoutes: readonly GraphRoute[] = [
  {
    method: "POST",
    path: "/search/query",
    scopes: [...new Set(Object.values(ENTITY_TYPES).flatMap((entry) => entry.permissions))],
    handle(context) {
      const parsed = jsonBody(context.request);
      if (!parsed.ok) throw new GraphFailure(400, "BadRequest", `Unable to read JSON request payload: ${parsed.error}`);
      const body = parsed.value;
      if (!isObject(body) || !Array.isArray(body.requests) || body.requests.length === 0) {
        throw invalid("requests is required: a collection of one searchRequest");
      }
      // Modelled: Graph serves one searchRequest per call (several types combine inside it, where allowed).
      if (body.requests.length > 1) {
        throw invalid("Multiple search requests in one body are not supported; send one searchRequest per call");
      }
      const requests = body.requests.map(parseRequest);
      return graphJson(context.request, 200, {
        "@odata.context": `${context.origin}/v1.0/$metadata#Collection(microsoft.graph.searchResponse)`,
        value: requests.map((request) => answer(context, request)),
      });
    },
  },
];
