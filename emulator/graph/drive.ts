/**
 * OneDrive and SharePoint document libraries: drives (/me/drive,
 * /drives/{id}, /sites/{id}/drive), items by id or by path (root:/a/b:),
 * children (paged with $skiptoken), content (a 302 to a token-free download
 * URL), small uploads (PUT content), upload sessions (graph/upload.ts),
 * folders, rename and move (PATCH), delete to the recycle bin, search(q=''),
 * sharing links, sites; and the Microsoft Search providers for driveItem,
 * drive and site.
 */
import type { StoredDrive, StoredDriveItem, StoredPermission } from "../data/drive.ts";
import { sharingUrl } from "../data/drive.ts";
import { isoSeconds } from "../data/time.ts";
import { jsonBody } from "../http.ts";
import {
  addressOf,
  checkName,
  type Address,
  childrenOf,
  conflict,
  conflictBehavior,
  createItem,
  deleteItem,
  DRIVE_ITEM_SCHEMA,
  DRIVE_SCHEMA,
  driveOf,
  downloadUrl,
  ensureFolders,
  findItem,
  findSite,
  itemAtPath,
  LIBRARY_READ,
  moveItem,
  newPermissionId,
  ONEDRIVE_READ,
  ONEDRIVE_WRITE,
  pathOf,
  pathSegments,
  presentDrive,
  presentItem,
  presentSite,
  replaceContent,
  root,
  SITE_SCHEMA,
  SITES_READ,
  touch,
  userIdentity,
  webUrlOf,
  writeFile,
} from "./drive-store.ts";
import { parseSearch } from "./odata/search.ts";
import { applySelect, parseSelect } from "./odata/select.ts";
import { compareValues } from "./odata/values.ts";
import { graphEmpty, graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";
import { registerSearchProvider } from "./search-index.ts";
import { createUploadSession } from "./upload.ts";

const DEFAULT_PAGE = 200;
const MAX_PAGE = 999;

function metadata(context: GraphContext, path: string): string {
  return `${context.origin}/v1.0/$metadata#${path}`;
}

function body(context: GraphContext): Record<string, unknown> {
  const parsed = jsonBody(context.request);
  if (!parsed.ok) throw new GraphFailure(400, "invalidRequest", `Unable to read JSON request payload: ${parsed.error}`);
  const value = parsed.value ?? {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new GraphFailure(400, "invalidRequest", "The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

function resolve(drive: StoredDrive, address: Address): StoredDriveItem {
  return address.path === undefined ? address.base : itemAtPath(drive, address.base, address.path);
}

function target(context: GraphContext, access: "read" | "write"): { drive: StoredDrive; item: StoredDriveItem } {
  const drive = driveOf(context, access);
  return { drive, item: resolve(drive, addressOf(context, drive)) };
}

/** $top and $skiptoken paging over `items`, with @odata.nextLink repeating the other options. */
function page<T>(context: GraphContext, items: readonly T[]): { items: T[]; nextLink?: string } {
  const query = context.query;
  const rawTop = query.get("$top");
  const top = rawTop === null ? DEFAULT_PAGE : Number(rawTop);
  if (rawTop !== null && (!/^\d+$/.test(rawTop) || top < 1 || top > MAX_PAGE)) {
    throw new GraphFailure(400, "invalidRequest", `Invalid value '${rawTop}' for $top: expected 1 to ${MAX_PAGE}.`);
  }
  const token = query.get("$skiptoken");
  let skip = 0;
  if (token !== null) {
    const match = /^drive-skip:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
    if (!match)
      throw new GraphFailure(400, "invalidRequest", "Invalid $skiptoken: follow @odata.nextLink as returned.");
    skip = Number(match[1]);
  }
  if (query.has("$skip"))
    throw new GraphFailure(
      400,
      "invalidRequest",
      "$skip is not supported on driveItem collections; follow @odata.nextLink.",
    );
  const result = { items: items.slice(skip, skip + top) } as { items: T[]; nextLink?: string };
  if (skip + top < items.length) {
    const next = new URLSearchParams(query);
    next.set("$top", String(top));
    next.set("$skiptoken", Buffer.from(`drive-skip:${skip + top}`).toString("base64url"));
    const search = [...next]
      .map(([name, value]) => `${encodeURIComponent(name).replace(/^%24/, "$")}=${encodeURIComponent(value)}`)
      .join("&");
    result.nextLink = `${context.request.url.origin}${context.request.url.pathname}?${search}`;
  }
  return result;
}

/**
 * What $orderby takes on a drive's items. These drives are OneDrive for
 * Business and SharePoint libraries, where the sort works "only with name and
 * url" (OneDrive's query-parameter documentation); Graph refuses the rest.
 */
const SORTABLE: Record<string, (drive: StoredDrive, item: StoredDriveItem) => unknown> = {
  name: (_drive, item) => item.name,
  url: (drive, item) => webUrlOf(drive, item),
};

function ordered(context: GraphContext, drive: StoredDrive, items: StoredDriveItem[]): StoredDriveItem[] {
  const raw = context.query.get("$orderby") ?? "name";
  const order = raw.split(",").map((part) => {
    const match = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/i.exec(part);
    const key = match?.[1]?.toLowerCase() ?? "";
    const value = SORTABLE[key];
    if (!match || !value) {
      throw new GraphFailure(
        400,
        "invalidRequest",
        `Invalid request: sorting by '${part.trim()}' is not supported; OneDrive for Business and SharePoint sort items by name or url only.`,
      );
    }
    return { value, descending: match[2]?.toLowerCase() === "desc" };
  });
  return [...items].sort((a, b) => {
    for (const { value, descending } of order) {
      const difference = compareValues(value(drive, a), value(drive, b));
      if (difference !== 0) return descending ? -difference : difference;
    }
    return 0;
  });
}

function listItems(context: GraphContext, drive: StoredDrive, items: StoredDriveItem[], contextPath: string) {
  if (context.query.has("$filter")) {
    throw new GraphFailure(
      400,
      "invalidRequest",
      "$filter is not supported on this driveItem collection; use search(q='...').",
    );
  }
  const select = parseSelect(context.query, DRIVE_ITEM_SCHEMA);
  const paged = page(context, ordered(context, drive, items));
  return graphJson(context.request, 200, {
    "@odata.context": metadata(context, contextPath),
    ...(context.query.get("$count") === "true" ? { "@odata.count": items.length } : {}),
    value: paged.items.map((item) => presentItem(context, drive, item, select)),
    ...(paged.nextLink ? { "@odata.nextLink": paged.nextLink } : {}),
  });
}

function getItem(context: GraphContext) {
  const { drive, item } = target(context, "read");
  const select = parseSelect(context.query, DRIVE_ITEM_SCHEMA);
  const expand = context.query.get("$expand");
  if (expand !== null && expand.toLowerCase() !== "children") {
    throw new GraphFailure(400, "invalidRequest", `Cannot expand '${expand}': the emulator expands children only.`);
  }
  const extra =
    expand !== null && item.kind === "folder"
      ? {
          children: ordered(context, drive, childrenOf(drive, item))
            .slice(0, DEFAULT_PAGE)
            .map((child) => presentItem(context, drive, child)),
        }
      : {};
  return graphJson(context.request, 200, {
    "@odata.context": metadata(context, `drives('${drive.id}')/items/$entity`),
    ...presentItem(context, drive, item, select, extra),
  });
}

function listChildren(context: GraphContext) {
  const { drive, item } = target(context, "read");
  if (item.kind !== "folder")
    throw new GraphFailure(400, "invalidRequest", "The item is a file; only folders have children.");
  return listItems(context, drive, childrenOf(drive, item), `drives('${drive.id}')/items('${item.id}')/children`);
}

function createChild(context: GraphContext) {
  const { drive, item: parent } = target(context, "write");
  if (parent.kind !== "folder") throw new GraphFailure(400, "invalidRequest", "Items can only be created in folders.");
  const request = body(context);
  const name = checkName(request.name);
  if (typeof request.folder !== "object" || request.folder === null) {
    throw new GraphFailure(
      400,
      "invalidRequest",
      'Only folders can be created here (with "folder": {}); upload files with PUT .../content.',
    );
  }
  const behavior = conflictBehavior(request["@microsoft.graph.conflictBehavior"], "fail");
  const by = userIdentity(context);
  const existing = childrenOf(drive, parent).find((child) => child.name.toLowerCase() === name.toLowerCase());
  let finalName = name;
  if (existing) {
    if (behavior === "fail") throw conflict(name);
    if (behavior === "replace") deleteItem(drive, existing);
    else finalName = uniqueChildName(drive, parent, name);
  }
  const folder = createItem(drive, parent, finalName, "folder", by);
  if (typeof request.description === "string") folder.description = request.description;
  return graphJson(context.request, 201, {
    "@odata.context": metadata(context, `drives('${drive.id}')/items/$entity`),
    ...presentItem(context, drive, folder),
  });
}

function uniqueChildName(drive: StoredDrive, parent: StoredDriveItem, name: string): string {
  const taken = new Set(childrenOf(drive, parent).map((child) => child.name.toLowerCase()));
  for (let n = 1; ; n++) {
    const candidate = `${name} ${n}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

function updateItem(context: GraphContext) {
  const { drive, item } = target(context, "write");
  const request = body(context);
  const changes: { name?: string; parentId?: string; description?: string } = {};
  if (request.name !== undefined) changes.name = checkName(request.name);
  if (typeof request.description === "string") changes.description = request.description;
  const reference = request.parentReference;
  if (reference !== undefined) {
    if (typeof reference !== "object" || reference === null) {
      throw new GraphFailure(400, "invalidRequest", "parentReference must be an object with an id or a path.");
    }
    const { id, driveId, path } = reference as { id?: unknown; driveId?: unknown; path?: unknown };
    if (typeof driveId === "string" && driveId !== drive.id) {
      throw new GraphFailure(
        400,
        "invalidRequest",
        "Moving items between drives is not supported; copy the item instead.",
      );
    }
    if (typeof id === "string") changes.parentId = findItem(drive, id).id;
    else if (typeof path === "string") {
      const relative = /root:(.*)$/.exec(path)?.[1];
      if (relative === undefined)
        throw new GraphFailure(400, "invalidRequest", `Invalid parentReference.path '${path}'.`);
      changes.parentId = itemAtPath(drive, root(drive), decodeURIComponent(relative)).id;
    } else throw new GraphFailure(400, "invalidRequest", "parentReference needs an id or a path.");
  }
  moveItem(drive, item, changes, userIdentity(context));
  return graphJson(context.request, 200, {
    "@odata.context": metadata(context, `drives('${drive.id}')/items/$entity`),
    ...presentItem(context, drive, item),
  });
}

function removeItem(context: GraphContext) {
  const { drive, item } = target(context, "write");
  deleteItem(drive, item);
  return graphEmpty(context.request, 204);
}

function getContent(context: GraphContext) {
  const { drive, item } = target(context, "read");
  if (item.kind !== "file")
    throw new GraphFailure(400, "invalidRequest", "The item is a folder; only files have content.");
  return {
    status: 302,
    headers: {
      Location: downloadUrl(context.origin, drive, item),
      "request-id": context.request.requestId,
      "Cache-Control": "no-store",
    },
  };
}

/** PUT .../content: a new file (by parent and name, or by path) or new content for an existing one; 4 MB at most. */
function putContent(context: GraphContext) {
  const drive = driveOf(context, "write");
  const address = addressOf(context, drive);
  const by = userIdentity(context);
  const content = Buffer.from(context.request.body);
  const present = (status: number, item: StoredDriveItem) =>
    graphJson(context.request, status, {
      "@odata.context": metadata(context, `drives('${drive.id}')/items/$entity`),
      ...presentItem(context, drive, item),
    });
  if (address.path === undefined) {
    if (address.base.kind !== "file")
      throw new GraphFailure(400, "invalidRequest", "Content can only be written to a file.");
    replaceContent(drive, address.base, content, by);
    return present(200, address.base);
  }
  const segments = pathSegments(address.path);
  const name = segments.pop();
  if (name === undefined) throw new GraphFailure(400, "invalidRequest", "The path must name a file.");
  const behavior = conflictBehavior(context.query.get("@microsoft.graph.conflictBehavior"), "replace");
  const parent = ensureFolders(drive, address.base, segments, by);
  const { item, created } = writeFile(drive, parent, name, content, behavior, by);
  return present(created ? 201 : 200, item);
}

function searchItems(context: GraphContext) {
  const { drive, item: base } = target(context, "read");
  const raw = context.params.q ?? "";
  const quoted = /^'([\s\S]*)'$/.exec(raw);
  if (!quoted)
    throw new GraphFailure(
      400,
      "invalidRequest",
      `Invalid search query ${raw}: put the text in single quotes, q='...'.`,
    );
  const text = (quoted[1] ?? "").replace(/''/g, "'").trim().toLowerCase();
  const terms = text.split(/\s+/).filter(Boolean);
  const below = (item: StoredDriveItem): boolean => {
    for (
      let current = item.parentId ? drive.items.get(item.parentId) : undefined;
      current;
      current = current.parentId ? drive.items.get(current.parentId) : undefined
    ) {
      if (current.id === base.id) return true;
    }
    return false;
  };
  const hits = [...drive.items.values()].filter((item) => {
    if (item.parentId === null || !below(item)) return false;
    const haystack = `${item.name}\n${item.text ?? ""}`.toLowerCase();
    return terms.length > 0 && terms.every((term) => haystack.includes(term));
  });
  const inName = (item: StoredDriveItem) => terms.every((term) => item.name.toLowerCase().includes(term));
  hits.sort(
    (a, b) => Number(inName(b)) - Number(inName(a)) || compareValues(b.lastModifiedDateTime, a.lastModifiedDateTime),
  );
  const select = parseSelect(context.query, DRIVE_ITEM_SCHEMA);
  const paged = page(context, hits);
  return graphJson(context.request, 200, {
    "@odata.context": metadata(context, "Collection(driveItem)"),
    value: paged.items.map((item) => presentItem(context, drive, item, select, select ? {} : { searchResult: {} })),
    ...(paged.nextLink ? { "@odata.nextLink": paged.nextLink } : {}),
  });
}

function presentPermission(permission: StoredPermission): Record<string, unknown> {
  const granted = (permission.grantedTo ?? []).map((identity) => ({
    user: { ...(identity.email ? { email: identity.email } : {}), id: identity.id, displayName: identity.displayName },
  }));
  return {
    id: permission.id,
    roles: permission.roles,
    ...(permission.expirationDateTime ? { expirationDateTime: permission.expirationDateTime } : {}),
    hasPassword: false,
    grantedToIdentitiesV2: granted,
    grantedToIdentities: granted,
    ...(permission.link ? { link: { ...permission.link } } : {}),
  };
}

function createLink(context: GraphContext) {
  const { drive, item } = target(context, "write");
  const request = body(context);
  const type = request.type;
  if (type !== "view" && type !== "edit" && type !== "embed") {
    throw new GraphFailure(400, "invalidRequest", "type must be view, edit or embed.");
  }
  if (type === "embed")
    throw new GraphFailure(400, "invalidRequest", "Embed links are only supported in OneDrive for home.");
  const scope = request.scope ?? "organization";
  if (scope !== "anonymous" && scope !== "organization" && scope !== "users") {
    throw new GraphFailure(400, "invalidRequest", "scope must be anonymous, organization or users.");
  }
  if (scope === "anonymous" && !drive.allowAnonymousLinks) {
    throw new GraphFailure(
      403,
      "accessDenied",
      "The organization's sharing policy does not allow links that work for anyone (anonymous links) in this library.",
    );
  }
  const recipients = request.recipients === undefined ? [] : request.recipients;
  if (
    !Array.isArray(recipients) ||
    recipients.some((entry) => typeof (entry as { email?: unknown })?.email !== "string")
  ) {
    throw new GraphFailure(400, "invalidRequest", 'recipients must be a list of { "email": "..." }.');
  }
  const grantedTo = (recipients as { email: string }[]).map(({ email }) => {
    const user = [...context.state.users.keys()]
      .map((id) => context.state.dataOf(id).drive.owner)
      .find((owner) => owner.email?.toLowerCase() === email.toLowerCase());
    return user ?? { id: email.toLowerCase(), displayName: email, email };
  });
  let expires: string | undefined;
  if (request.expirationDateTime !== undefined) {
    const time = Date.parse(String(request.expirationDateTime));
    if (Number.isNaN(time) || time <= Date.now())
      throw new GraphFailure(400, "invalidRequest", "expirationDateTime must be a future date and time.");
    expires = isoSeconds(time);
  }
  const existing =
    grantedTo.length === 0 && expires === undefined
      ? item.permissions.find(
          (permission) =>
            permission.link?.type === type && permission.link.scope === scope && !permission.grantedTo?.length,
        )
      : undefined;
  if (existing) {
    return graphJson(context.request, 200, {
      "@odata.context": metadata(context, "permission"),
      ...presentPermission(existing),
    });
  }
  const id = newPermissionId();
  const permission: StoredPermission = {
    id,
    roles: [type === "edit" ? "write" : "read"],
    link: { type, scope, webUrl: sharingUrl(drive, item, id), preventsDownload: false },
    ...(grantedTo.length ? { grantedTo } : {}),
    ...(expires ? { expirationDateTime: expires } : {}),
    createdDateTime: isoSeconds(Date.now()),
  };
  item.permissions.push(permission);
  touch(drive, item, userIdentity(context));
  return graphJson(context.request, 201, {
    "@odata.context": metadata(context, "permission"),
    ...presentPermission(permission),
  });
}

function listPermissions(context: GraphContext) {
  const { drive, item } = target(context, "read");
  const owner = {
    id: "aTowIy5mfG1lbWJlcnNoaXA",
    roles: ["owner"],
    grantedToV2: { user: { id: drive.owner.id, displayName: drive.owner.displayName } },
  };
  return graphJson(context.request, 200, {
    "@odata.context": metadata(context, `drives('${drive.id}')/items('${item.id}')/permissions`),
    value: [owner, ...item.permissions.map(presentPermission)],
  });
}

type Handler = (context: GraphContext) => ReturnType<GraphRoute["handle"]>;

interface ItemRoute {
  method: GraphRoute["method"];
  suffix: string;
  access: "read" | "write";
  handle: Handler;
}

/** What can follow an item address. */
const ITEM_ROUTES: readonly ItemRoute[] = [
  { method: "GET", suffix: "", access: "read", handle: getItem },
  { method: "PATCH", suffix: "", access: "write", handle: updateItem },
  { method: "DELETE", suffix: "", access: "write", handle: removeItem },
  { method: "GET", suffix: "/children", access: "read", handle: listChildren },
  { method: "POST", suffix: "/children", access: "write", handle: createChild },
  { method: "GET", suffix: "/content", access: "read", handle: getContent },
  { method: "PUT", suffix: "/content", access: "write", handle: putContent },
  { method: "POST", suffix: "/createUploadSession", access: "write", handle: createUploadSession },
  { method: "POST", suffix: "/createLink", access: "write", handle: createLink },
  { method: "GET", suffix: "/permissions", access: "read", handle: listPermissions },
];

/** The ways to address an item inside a drive. */
const ITEM_ADDRESSES = ["/root", "/root:/{itemPath+}:", "/items/{itemId}", "/items/{itemId}:/{itemPath+}:"];

/** The ways to address a drive; SharePoint libraries need the .All permissions (checked per drive). */
const DRIVE_PREFIXES: readonly { prefix: string; read: readonly string[]; write: readonly string[] }[] = [
  { prefix: "/me/drive", read: ONEDRIVE_READ, write: ONEDRIVE_WRITE },
  { prefix: "/drives/{driveId}", read: ONEDRIVE_READ, write: ONEDRIVE_WRITE },
  { prefix: "/sites/{siteId}/drive", read: LIBRARY_READ, write: ["Files.ReadWrite.All", "Sites.ReadWrite.All"] },
  { prefix: "/groups/{groupId}/drive", read: LIBRARY_READ, write: ["Files.ReadWrite.All", "Sites.ReadWrite.All"] },
];

function driveRoutesFor(prefix: (typeof DRIVE_PREFIXES)[number]): GraphRoute[] {
  const routes: GraphRoute[] = [
    {
      method: "GET",
      path: prefix.prefix,
      scopes: prefix.read,
      handle(context) {
        const drive = driveOf(context, "read");
        const select = parseSelect(context.query, DRIVE_SCHEMA);
        return graphJson(context.request, 200, {
          "@odata.context": metadata(context, "drives/$entity"),
          ...applySelect(presentDrive(drive), DRIVE_SCHEMA, select),
        });
      },
    },
    // Item by path without the closing colon: GET /me/drive/root:/Documents/file.txt
    { method: "GET", path: `${prefix.prefix}/root:/{itemPath+}`, scopes: prefix.read, handle: getItem },
    { method: "GET", path: `${prefix.prefix}/root/search(q={q})`, scopes: prefix.read, handle: searchItems },
    { method: "GET", path: `${prefix.prefix}/items/{itemId}/search(q={q})`, scopes: prefix.read, handle: searchItems },
  ];
  for (const address of ITEM_ADDRESSES) {
    for (const route of ITEM_ROUTES) {
      routes.push({
        method: route.method,
        path: `${prefix.prefix}${address}${route.suffix}`,
        scopes: route.access === "read" ? prefix.read : prefix.write,
        handle: route.handle,
      });
    }
  }
  return routes;
}

function listSites(context: GraphContext) {
  const search = context.query.get("search")?.trim().toLowerCase() ?? "";
  const select = parseSelect(context.query, SITE_SCHEMA);
  const sites = context.state.sites.filter(
    (site) =>
      search === "" ||
      search === "*" ||
      [site.name, site.displayName, site.description].some((field) => field.toLowerCase().includes(search)),
  );
  return graphJson(context.request, 200, {
    "@odata.context": metadata(context, "sites"),
    value: sites.map((site) => applySelect(presentSite(site), SITE_SCHEMA, select)),
  });
}

/**
 * drive: recent and drive: sharedWithMe are deprecated: "degraded until
 * November 2026, after which it will stop returning data" (their Graph pages).
 * Past that date they answer an empty collection.
 */
function retiredListing(context: GraphContext) {
  return graphJson(context.request, 200, {
    "@odata.context": metadata(context, "Collection(driveItem)"),
    value: [],
  });
}

export const driveRoutes: readonly GraphRoute[] = [
  ...DRIVE_PREFIXES.flatMap(driveRoutesFor),
  { method: "GET", path: "/me/drive/recent", scopes: ONEDRIVE_READ, handle: retiredListing },
  {
    method: "GET",
    path: "/me/drive/sharedWithMe",
    scopes: ["Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All"],
    handle: retiredListing,
  },
  {
    method: "GET",
    path: "/me/drives",
    scopes: ONEDRIVE_READ,
    handle(context) {
      const drive = context.state.dataOf(context.user.id).drive;
      return graphJson(context.request, 200, {
        "@odata.context": metadata(context, "drives"),
        value: [presentDrive(drive)],
      });
    },
  },
  { method: "GET", path: "/sites", scopes: SITES_READ, handle: listSites },
  {
    method: "GET",
    path: "/sites/{siteId}",
    scopes: SITES_READ,
    handle(context) {
      const site = findSite(context.state, context.params.siteId ?? "");
      const select = parseSelect(context.query, SITE_SCHEMA);
      return graphJson(context.request, 200, {
        "@odata.context": metadata(context, "sites/$entity"),
        ...applySelect(presentSite(site), SITE_SCHEMA, select),
      });
    },
  },
  {
    method: "GET",
    path: "/sites/{siteId}/drives",
    scopes: LIBRARY_READ,
    handle(context) {
      const site = findSite(context.state, context.params.siteId ?? "");
      const select = parseSelect(context.query, DRIVE_SCHEMA);
      return graphJson(context.request, 200, {
        "@odata.context": metadata(context, `sites('${site.id}')/drives`),
        value: site.drives.map((drive) => applySelect(presentDrive(drive), DRIVE_SCHEMA, select)),
      });
    },
  },
];

// Microsoft Search (/search/query): the signed-in user's OneDrive and every team site's libraries.

const DRIVE_ITEM_SEARCH = {
  fields(entry: { drive: StoredDrive; item: StoredDriveItem }): Record<string, string> {
    const { drive, item } = entry;
    const extension = item.name.includes(".") ? item.name.slice(item.name.lastIndexOf(".") + 1) : "";
    return {
      filename: item.name,
      title: item.name,
      content: item.text ?? "",
      filetype: extension,
      author: `${item.createdBy.displayName}\n${item.lastModifiedBy.displayName}`,
      path: `${drive.webUrl}${pathOf(drive, item)}`,
    };
  },
  defaults: ["filename", "content"],
  properties: ["filename", "title", "content", "filetype", "author", "path"],
};

/** Graph's hit summary: text around the first matching word, words highlighted with <c0>. */
function summaryOf(text: string, words: readonly string[]): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const lower = flat.toLowerCase();
  const at = Math.max(
    0,
    Math.min(...words.map((word) => lower.indexOf(word)).filter((index) => index >= 0), flat.length),
  );
  const start = Math.max(0, at - 60);
  let snippet = flat.slice(start, start + 200);
  for (const word of words) {
    snippet = snippet.replace(
      new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"),
      (match) => `<c0>${match}</c0>`,
    );
  }
  return `${start > 0 ? "<ddd/>" : ""}${snippet}${start + 200 < flat.length ? "<ddd/>" : ""}`;
}

function queryWords(query: string): string[] {
  return query
    .split(/\s+/)
    .filter((word) => !["AND", "OR", "NOT"].includes(word) && !word.startsWith("-"))
    .map((word) =>
      word
        .replace(/^\w+:/, "")
        .replace(/["()*]/g, "")
        .toLowerCase(),
    )
    .filter(Boolean);
}

function searchableDrives(context: GraphContext): StoredDrive[] {
  return [context.state.dataOf(context.user.id).drive, ...context.state.sites.flatMap((site) => site.drives)];
}

registerSearchProvider("driveItem", (context, query) => {
  const matches = parseSearch(query, DRIVE_ITEM_SEARCH);
  const words = queryWords(query);
  const entries = searchableDrives(context).flatMap((drive) =>
    [...drive.items.values()].filter((item) => item.parentId !== null).map((item) => ({ drive, item })),
  );
  const hits = entries.filter(matches);
  const inName = (entry: { item: StoredDriveItem }) =>
    words.some((word) => entry.item.name.toLowerCase().includes(word));
  hits.sort(
    (a, b) =>
      Number(inName(b)) - Number(inName(a)) || compareValues(b.item.lastModifiedDateTime, a.item.lastModifiedDateTime),
  );
  return hits.map(({ drive, item }) => {
    const presented = presentItem(context, drive, item, [
      "id",
      "name",
      "webUrl",
      "size",
      "createdBy",
      "lastModifiedBy",
      "createdDateTime",
      "lastModifiedDateTime",
      "parentReference",
      "file",
      "folder",
      "fileSystemInfo",
    ]);
    const reference = presented.parentReference as Record<string, unknown>;
    return {
      hitId: item.id,
      summary: summaryOf(item.text ?? item.name, words),
      resource: {
        "@odata.type": "#microsoft.graph.driveItem",
        ...presented,
        parentReference: {
          driveId: reference.driveId,
          id: reference.id,
          ...(reference.siteId ? { siteId: reference.siteId } : {}),
        },
      },
    };
  });
});

registerSearchProvider("drive", (context, query) => {
  const words = queryWords(query);
  return context.state.sites
    .flatMap((site) => site.drives.map((drive) => ({ site, drive })))
    .filter(({ site, drive }) =>
      words.every((word) => `${drive.name} ${drive.description} ${site.displayName}`.toLowerCase().includes(word)),
    )
    .map(({ site, drive }) => ({
      hitId: drive.id,
      summary: summaryOf(`${drive.name} ${drive.description}`, words),
      resource: {
        "@odata.type": "#microsoft.graph.drive",
        id: drive.id,
        name: drive.name,
        description: drive.description,
        webUrl: drive.webUrl,
        createdDateTime: drive.createdDateTime,
        parentReference: { siteId: site.id },
      },
    }));
});

registerSearchProvider("site", (context, query) => {
  const words = queryWords(query);
  return context.state.sites
    .filter((site) =>
      words.every((word) => `${site.displayName} ${site.name} ${site.description}`.toLowerCase().includes(word)),
    )
    .map((site) => ({
      hitId: site.id,
      summary: summaryOf(site.description, words),
      resource: { "@odata.type": "#microsoft.graph.site", ...presentSite(site) },
    }));
});
