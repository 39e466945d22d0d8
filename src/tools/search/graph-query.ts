import { z } from "zod";
import { GraphError, ToolError } from "../../graph/errors.ts";
import { cursorInput } from "../shared/paging.ts";
import { defineTool } from "../spec.ts";

/**
 * Read-only Graph paths graphQuery may GET, `{id}` standing for one id segment.
 * JSON resources only: no `$value`/`/content` bytes, no `$batch`, no writes;
 * no retired endpoints (drive `recent` and `sharedWithMe` return no data
 * after November 2026).
 */
export const GRAPH_QUERY_PATHS: readonly string[] = [
  "/me",
  "/me/manager",
  "/me/directReports",
  "/me/memberOf",
  "/me/people",
  "/me/presence",
  "/me/licenseDetails",
  "/me/mailboxSettings",
  "/me/outlook/masterCategories",
  "/me/mailFolders",
  "/me/mailFolders/{id}",
  "/me/mailFolders/{id}/childFolders",
  "/me/mailFolders/{id}/messages",
  "/me/mailFolders/{id}/messageRules",
  "/me/messages",
  "/me/messages/{id}",
  "/me/messages/{id}/attachments",
  "/me/calendars",
  "/me/calendars/{id}",
  "/me/calendars/{id}/events",
  "/me/calendarGroups",
  "/me/events",
  "/me/events/{id}",
  "/me/events/{id}/attachments",
  "/me/contacts",
  "/me/contacts/{id}",
  "/me/contactFolders",
  "/me/contactFolders/{id}/contacts",
  "/me/drive",
  "/me/drives",
  "/me/drive/root",
  "/me/drive/root/children",
  "/me/drive/special/{id}",
  "/me/drive/items/{id}",
  "/me/drive/items/{id}/children",
  "/me/drive/items/{id}/permissions",
  "/me/drive/items/{id}/versions",
  "/drives/{id}",
  "/drives/{id}/items/{id}",
  "/drives/{id}/items/{id}/children",
  "/me/todo/lists",
  "/me/todo/lists/{id}",
  "/me/todo/lists/{id}/tasks",
  "/me/todo/lists/{id}/tasks/{id}",
  "/me/todo/lists/{id}/tasks/{id}/checklistItems",
  "/me/todo/lists/{id}/tasks/{id}/linkedResources",
  "/me/planner/tasks",
  "/me/planner/plans",
  "/me/onenote/notebooks",
  "/me/onenote/sections",
  "/me/onenote/pages",
  "/me/insights/trending",
  "/me/insights/used",
  "/me/insights/shared",
  "/me/joinedTeams",
  "/me/chats",
  "/me/chats/{id}",
  "/me/chats/{id}/members",
  "/me/chats/{id}/messages",
  "/teams/{id}",
  "/teams/{id}/channels",
  "/teams/{id}/channels/{id}",
  "/teams/{id}/channels/{id}/messages",
  "/teams/{id}/members",
  "/users",
  "/users/{id}",
  "/users/{id}/manager",
  "/users/{id}/directReports",
  "/users/{id}/presence",
  "/groups/{id}",
  "/groups/{id}/members",
  "/sites/root",
  "/sites/{id}",
  "/sites/{id}/lists",
  "/sites/{id}/lists/{id}",
  "/sites/{id}/lists/{id}/items",
  "/sites/{id}/drives",
  "/organization",
];

/** One id segment: Graph ids, user principal names, site ids ("host,guid,guid"); never `$…`, `..`, `:` or `%`. */
const ID_SEGMENT = "(?!\\.{1,2}(?:/|$))[A-Za-z0-9._@=+!,~-]{1,400}";

const ALLOWED = GRAPH_QUERY_PATHS.map(
  (template) => new RegExp(`^${template.replace(/\{id\}/g, ID_SEGMENT).replace(/\//g, "\\/")}$`, "i"),
);

/** Query options a cursor (a nextLink Graph returned) may carry. */
const CURSOR_OPTIONS = new Set([
  "$select",
  "$filter",
  "$orderby",
  "$expand",
  "$top",
  "$skip",
  "$skiptoken",
  "$count",
  "$search",
]);

/** About 3,000 tokens of JSON: enough to read, small enough not to flood the conversation. */
const MAX_RESULT_CHARS = 12_000;

function refusePath(path: string, why: string, field = "path"): never {
  throw new ToolError(
    "invalid_input",
    `${field}: ${why} graphQuery reads (GET) only these Graph paths, {id} being one id segment: ${GRAPH_QUERY_PATHS.join(", ")}. Got "${clipPath(path)}".`,
  );
}

function clipPath(path: string): string {
  return path.length > 120 ? `${path.slice(0, 119)}…` : path;
}

/** Refuses anything but an allowlisted relative path. */
export function checkGraphPath(path: string, field = "path"): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith("//")) {
    refusePath(path, "absolute URLs and other hosts are not allowed; give a path such as /me/mailFolders.", field);
  }
  if (!path.startsWith("/")) refusePath(path, "a path starts with /.", field);
  if (/[?#%\\\s]/.test(path))
    refusePath(
      path,
      "no query string, fragment, escapes or spaces in the path; use the select, filter, orderby, expand and top fields.",
      field,
    );
  const trimmed = path.replace(/\/+$/, "") || "/";
  const segments = trimmed.split("/").slice(1);
  if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
    refusePath(path, "empty, . and .. segments are not allowed.", field);
  }
  if (/\$batch/i.test(trimmed)) refusePath(path, "$batch is not allowed.", field);
  if (/^\/me\/drive\/(recent|sharedWithMe)$/i.test(trimmed)) {
    refusePath(path, "this endpoint is retired (no data after November 2026); searchFiles finds files.", field);
  }
  if (!ALLOWED.some((pattern) => pattern.test(trimmed)))
    refusePath(path, "this path is not on the read-only allowlist.", field);
  return trimmed;
}

/** The allowlisted Graph path of a nextLink; GraphClient separately refuses links to another host. */
function checkCursor(cursor: string, graphBase: URL): URL {
  let url: URL;
  try {
    url = new URL(cursor);
  } catch {
    throw new ToolError("invalid_input", "cursor: not a link; pass back nextCursor exactly as returned.");
  }
  const basePath = graphBase.pathname.replace(/\/+$/, "");
  if (url.origin !== graphBase.origin || !url.pathname.startsWith(`${basePath}/`)) {
    throw new ToolError("invalid_input", "cursor: not a Microsoft Graph link from this server.");
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.slice(basePath.length));
  } catch {
    throw new ToolError("invalid_input", "cursor: the link's path is not correctly encoded.");
  }
  checkGraphPath(path, "cursor");
  for (const name of url.searchParams.keys()) {
    if (!CURSOR_OPTIONS.has(name.toLowerCase())) {
      throw new ToolError("invalid_input", `cursor: the link carries '${name}', which graphQuery does not pass on.`);
    }
  }
  return url;
}

const OPTION_RULES: Record<string, { pattern: RegExp; accepted: string }> = {
  select: { pattern: /^[A-Za-z0-9_/]+(, ?[A-Za-z0-9_/]+)*$/, accepted: "property names separated by commas" },
  filter: { pattern: /^[^\r\n\t]{1,500}$/, accepted: "an OData expression of at most 500 characters" },
  orderby: {
    pattern: /^[A-Za-z0-9_/]+( (asc|desc))?(, ?[A-Za-z0-9_/]+( (asc|desc))?)*$/,
    accepted: "properties, each optionally followed by asc or desc",
  },
  expand: { pattern: /^[A-Za-z]{1,60}$/, accepted: "one navigation property name, without nested options" },
};

function checkOptions(options: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(options)) {
    const rule = OPTION_RULES[name];
    if (value !== undefined && rule && !rule.pattern.test(value)) {
      throw new ToolError("invalid_input", `${name}: "${clipPath(value)}" is not accepted; give ${rule.accepted}.`);
    }
  }
}

/** Graph's answer without OData annotations (but nextLink) or empty values. */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact).filter((item) => item !== undefined);
  if (value === null || value === "") return undefined;
  if (typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([key]) => !key.includes("@odata.") && !key.startsWith("@microsoft.graph."))
    .map(([key, item]) => [key, compact(item)] as const)
    .filter(([, item]) => item !== undefined && !(Array.isArray(item) && item.length === 0));
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries);
}

/** JSON within MAX_RESULT_CHARS: whole items of a collection, or a cut object, with a note saying so. */
function fit(result: unknown): { json: string; note?: string } {
  const json = JSON.stringify(result ?? {});
  if (json.length <= MAX_RESULT_CHARS) return { json };
  const items = (result as { value?: unknown[] } | undefined)?.value;
  if (Array.isArray(items) && items.length > 1) {
    for (
      let kept = Math.min(items.length - 1, Math.ceil((items.length * MAX_RESULT_CHARS) / json.length));
      kept > 0;
      kept--
    ) {
      const cut = JSON.stringify({ ...(result as object), value: items.slice(0, kept) });
      if (cut.length <= MAX_RESULT_CHARS) {
        return {
          json: cut,
          note: `Showing ${kept} of ${items.length} items to stay small; ask for fewer fields (select) or fewer items (top).`,
        };
      }
    }
  }
  return {
    json: `${json.slice(0, MAX_RESULT_CHARS)}…`,
    note: `Cut at ${MAX_RESULT_CHARS} characters; ask for fewer fields (select) or fewer items (top).`,
  };
}

export const graphQuery = defineTool({
  name: "graphQuery",
  title: "Read Microsoft Graph",
  description:
    "Read-only Microsoft Graph GET for data no other tool shows (e.g. /me/mailFolders, /me/manager), as compact JSON. Prefer the specific tools.",
  input: {
    path: z.string().describe("Graph path under v1.0, e.g. /me/mailFolders; ids as segments"),
    select: z.string().optional().describe("$select: comma-separated properties"),
    filter: z.string().optional().describe("$filter expression"),
    orderby: z.string().optional().describe("$orderby, e.g. lastModifiedDateTime desc"),
    expand: z.string().optional().describe("$expand: one navigation property, no options"),
    top: z.number().int().min(1).max(50).optional().describe("$top: items per page, 1-50"),
    cursor: cursorInput("nextCursor of the previous call"),
  },
  scopes: ["User.Read"],
  access: "read",
  async run({ path, select, filter, orderby, expand, top, cursor }, { graph }) {
    checkOptions({ select, filter, orderby, expand });
    const target = cursor ? checkCursor(cursor, graph.resolveUrl("/")).href : checkGraphPath(path);
    // A collection answers with `value`; a single resource ignores $top, which some refuse.
    const query = cursor
      ? undefined
      : {
          ...(select ? { $select: select.replace(/ /g, "") } : {}),
          ...(filter ? { $filter: filter } : {}),
          ...(orderby ? { $orderby: orderby } : {}),
          ...(expand ? { $expand: expand } : {}),
          ...(top ? { $top: top } : {}),
        };
    let answer: Record<string, unknown> | undefined;
    try {
      answer = await graph.get<Record<string, unknown>>(target, { query });
    } catch (error) {
      if (error instanceof GraphError && error.status === 403) {
        throw new ToolError(
          "forbidden",
          `Microsoft Graph denied GET ${clipPath(cursor ? "(cursor)" : target)}: the permissions granted at sign-in do not cover it, and graphQuery reads only what they allow. Graph said: ${error.message}`,
        );
      }
      throw error;
    }
    const nextCursor = typeof answer?.["@odata.nextLink"] === "string" ? answer["@odata.nextLink"] : undefined;
    const { json, note } = fit(compact(answer));
    const lines = [json];
    if (note) lines.push(note);
    if (nextCursor) lines.push(`More: call again with cursor "${nextCursor}".`);
    return { text: lines.join("\n") };
  },
});
