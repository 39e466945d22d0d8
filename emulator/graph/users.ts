/**
 * The directory: /me, /users (list with $search, $filter, $select, $orderby,
 * $top, $count and $skiptoken paging, under Entra's advanced-query rules),
 * /users/{id | userPrincipalName} (never a mail address), manager and directReports, and
 * /me/mailboxSettings.
 */
import type { MailboxSettings, User } from "@microsoft/microsoft-graph-types";
import { directReportsOf, DIRECTORY, findDirectoryUser, managerOf, type DirectoryUser } from "../data/directory.ts";
import { TENANT_NAME } from "../tenant.ts";
import { parseFilter, type FilterSchema } from "./odata/filter.ts";
import { applySelect, parseSelect, type EntitySchema } from "./odata/select.ts";
import { compareValues } from "./odata/values.ts";
import { graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";

const READ_PROFILE = ["User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All"];
const READ_OTHERS = ["User.ReadBasic.All", "User.Read.All"];
/** Graph: a user's manager needs User.Read.All (least privileged); direct reports only User.ReadBasic.All. */
const READ_MANAGER = ["User.Read.All"];

export const USER_SCHEMA: EntitySchema = {
  type: "microsoft.graph.user",
  properties: [
    "id",
    "accountEnabled",
    "businessPhones",
    "city",
    "companyName",
    "country",
    "department",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mailboxSettings",
    "mailNickname",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "proxyAddresses",
    "surname",
    "usageLocation",
    "userPrincipalName",
    "userType",
  ],
  // What Graph v1.0 returns for a user without $select.
  defaultProperties: [
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
  ],
};

const STARTS = ["startswith"] as const;
const STARTS_ENDS = ["startswith", "endswith"] as const;

/** What /users accepts in $filter (Entra: eq and startswith, endswith on addresses, with or/not/parentheses). */
const USER_FILTER: FilterSchema = {
  id: { kind: "string" },
  displayName: { kind: "string", functions: STARTS },
  givenName: { kind: "string", functions: STARTS },
  surname: { kind: "string", functions: STARTS },
  mail: { kind: "string", functions: STARTS_ENDS },
  userPrincipalName: { kind: "string", functions: STARTS_ENDS },
  mailNickname: { kind: "string", functions: STARTS },
  // Multi-valued: only inside any(), e.g. proxyAddresses/any(p:p eq 'smtp:hannah.weber@contoso.example').
  proxyAddresses: { kind: "collection", items: { "": { kind: "string", functions: STARTS } } },
  jobTitle: { kind: "string", functions: STARTS },
  department: { kind: "string", functions: STARTS },
  officeLocation: { kind: "string", functions: STARTS },
  city: { kind: "string", functions: STARTS },
  country: { kind: "string", functions: STARTS },
  userType: { kind: "string" },
  accountEnabled: { kind: "boolean" },
};

/** Properties $search may name ("displayName:wa"); Entra tokenizes them and matches word prefixes. */
const SEARCHABLE = ["displayName", "givenName", "surname", "mail", "mailNickname", "userPrincipalName"];
const SORTABLE = ["displayName", "userPrincipalName", "givenName", "surname", "mail"];
const DEFAULT_TOP = 100;
const MAX_TOP = 999;

function mailboxSettings(user: DirectoryUser): MailboxSettings {
  return {
    timeZone: user.timeZone,
    dateFormat: user.preferredLanguage === "en-US" ? "M/d/yyyy" : "dd.MM.yyyy",
    timeFormat: user.preferredLanguage === "en-US" ? "h:mm tt" : "HH:mm",
    language: { locale: user.preferredLanguage, displayName: user.preferredLanguage },
    workingHours: {
      daysOfWeek: ["monday", "tuesday", "wednesday", "thursday", "friday"],
      startTime: "08:00:00.0000000",
      endTime: "17:00:00.0000000",
      timeZone: { name: user.timeZone },
    },
    automaticRepliesSetting: { status: "disabled", externalAudience: "none" },
    delegateMeetingMessageDeliveryOptions: "sendToDelegateOnly",
    userPurpose: "user",
  };
}

function userResource(user: DirectoryUser): User {
  return {
    businessPhones: user.businessPhones,
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    mail: user.mail,
    mobilePhone: user.mobilePhone || null,
    officeLocation: user.officeLocation,
    preferredLanguage: user.preferredLanguage,
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    id: user.id,
    proxyAddresses: user.proxyAddresses,
    accountEnabled: true,
    city: user.city,
    companyName: TENANT_NAME,
    country: user.country,
    department: user.department,
    mailboxSettings: mailboxSettings(user),
    mailNickname: user.mail.split("@")[0],
    usageLocation: user.country === "Germany" ? "DE" : "US",
    userType: "Member",
  };
}

function selection(select: readonly string[] | undefined): string {
  return select ? `(${select.join(",")})` : "";
}

function answerUser(context: GraphContext, user: DirectoryUser) {
  const select = parseSelect(context.query, USER_SCHEMA);
  return graphJson(context.request, 200, {
    "@odata.context": `${context.origin}/v1.0/$metadata#users${selection(select)}/$entity`,
    ...applySelect({ ...userResource(user) }, USER_SCHEMA, select),
  });
}

function signedIn(context: GraphContext): DirectoryUser {
  const user = findDirectoryUser(context.user.id);
  if (!user) throw new Error(`signed-in user ${context.user.id} is not in the directory`);
  return user;
}

/**
 * The user a /users/{userId}/... path names, by object id or user principal
 * name only (a mail address that differs from the UPN is not found, as in
 * Graph); another user needs a directory permission.
 */
function addressed(context: GraphContext): DirectoryUser {
  const user = findDirectoryUser(context.params.userId ?? "");
  if (!user) {
    throw new GraphFailure(
      404,
      "Request_ResourceNotFound",
      `Resource '${context.params.userId}' does not exist or one of its queried reference-property objects are not present.`,
    );
  }
  if (user.id !== context.user.id && !READ_OTHERS.some((scope) => context.grant.scopes.includes(scope))) {
    throw new GraphFailure(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
  }
  return user;
}

/** Entra's advanced queries ($search, $count, sorting a filtered list) need `ConsistencyLevel: eventual`. */
function eventual(context: GraphContext): boolean {
  return (context.request.headers.consistencylevel ?? "").trim().toLowerCase() === "eventual";
}

interface SearchClause {
  property: string;
  value: string;
}

/** `"displayName:wa" OR "mail:ad"`: quoted property:value clauses joined with OR or AND. */
function parseDirectorySearch(raw: string): { clauses: SearchClause[]; joiner: "or" | "and" } {
  const clauses: SearchClause[] = [];
  const joiners = new Set<string>();
  const pattern = /\s*"([^"]*)"\s*(?:(OR|AND)\b|$)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(raw)) !== null && match[0] !== "") {
    consumed = pattern.lastIndex;
    const [, clause = "", joiner] = match;
    const separator = clause.indexOf(":");
    const written = separator > 0 ? clause.slice(0, separator) : "";
    const property = SEARCHABLE.find((name) => name.toLowerCase() === written.toLowerCase());
    if (!property) {
      throw new GraphFailure(
        400,
        "Request_UnsupportedQuery",
        separator > 0
          ? `Unsupported or invalid query: '${written}' cannot be searched. Searchable properties: ${SEARCHABLE.join(", ")}.`
          : `Unsupported or invalid query: each $search clause is "property:value", e.g. "displayName:${clause}".`,
      );
    }
    clauses.push({
      property,
      value: clause
        .slice(separator + 1)
        .trim()
        .toLowerCase(),
    });
    if (joiner) joiners.add(joiner);
  }
  if (clauses.length === 0 || consumed < raw.trim().length || joiners.size > 1) {
    throw new GraphFailure(400, "Request_UnsupportedQuery", `Syntax error: invalid $search expression '${raw}'.`);
  }
  return { clauses, joiner: joiners.has("AND") ? "and" : "or" };
}

/** Entra's tokenized match: the value starts the text or one of its words. */
function matchesWord(text: string, value: string): boolean {
  const lower = text.toLowerCase();
  if (value === "") return true;
  if (lower.startsWith(value) || lower.includes(` ${value}`)) return true;
  return lower.split(/[\s@._'-]+/).some((word) => word.startsWith(value));
}

function searchPredicate(raw: string): (user: User) => boolean {
  const { clauses, joiner } = parseDirectorySearch(raw);
  const test = (user: User, clause: SearchClause) => {
    const value = (user as Record<string, unknown>)[clause.property];
    return typeof value === "string" && matchesWord(value, clause.value);
  };
  return (user) => (joiner === "or" ? clauses.some((c) => test(user, c)) : clauses.every((c) => test(user, c)));
}

function encodeSkipToken(skip: number): string {
  return `RFNwdAIAAQAAAB${Buffer.from(`directory-skip:${skip}`).toString("base64url")}`;
}

function decodeSkipToken(token: string): number {
  const match = /^directory-skip:(\d+)$/.exec(
    Buffer.from(token.replace(/^RFNwdAIAAQAAAB/, ""), "base64url").toString("utf8"),
  );
  if (!match)
    throw new GraphFailure(400, "Request_BadRequest", "The specified page token value has expired or is invalid.");
  return Number(match[1]);
}

function parseOrderBy(raw: string): { property: string; descending: boolean } {
  const match = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/i.exec(raw);
  const property = match && SORTABLE.find((name) => name.toLowerCase() === match[1]!.toLowerCase());
  if (!match || !property) {
    throw new GraphFailure(400, "Request_UnsupportedQuery", `Unsupported sort property in '${raw}'.`);
  }
  return { property, descending: match[2]?.toLowerCase() === "desc" };
}

function listUsers(context: GraphContext) {
  const query = context.query;
  const advanced = eventual(context);
  const searchText = query.get("$search");
  const filterText = query.get("$filter");
  const orderText = query.get("$orderby");
  if (searchText !== null && !advanced) {
    throw new GraphFailure(
      400,
      "Request_UnsupportedQuery",
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  }
  if (query.has("$skip")) {
    throw new GraphFailure(400, "Request_BadRequest", "'$skip' is not supported by the service.");
  }
  if (orderText !== null && (filterText !== null || searchText !== null) && !advanced) {
    throw new GraphFailure(400, "Request_UnsupportedQuery", "Sorting not supported for current query.");
  }
  const select = parseSelect(query, USER_SCHEMA);
  let users = DIRECTORY.map(userResource);
  if (filterText !== null) {
    const filter = parseFilter(filterText, USER_FILTER, USER_SCHEMA, { extended: true });
    users = users.filter((user) => filter.test(user));
  }
  if (searchText !== null) users = users.filter(searchPredicate(searchText.trim()));
  const order = orderText === null ? { property: "displayName", descending: false } : parseOrderBy(orderText);
  users.sort((a, b) => {
    const difference = compareValues(
      (a as Record<string, unknown>)[order.property],
      (b as Record<string, unknown>)[order.property],
    );
    return order.descending ? -difference : difference;
  });

  const rawTop = query.get("$top");
  const top = rawTop === null ? DEFAULT_TOP : Number(rawTop);
  if (rawTop !== null && (!/^\d+$/.test(rawTop) || top < 1 || top > MAX_TOP)) {
    throw new GraphFailure(
      400,
      "Request_BadRequest",
      `Invalid page size specified: '${rawTop}'. Must be between 1 and ${MAX_TOP} inclusive.`,
    );
  }
  const token = query.get("$skiptoken");
  const skip = token === null ? 0 : decodeSkipToken(token);
  const page = users.slice(skip, skip + top);
  let nextLink: string | undefined;
  if (skip + top < users.length) {
    const next = new URLSearchParams([...query].filter(([name]) => name !== "$skiptoken"));
    next.set("$skiptoken", encodeSkipToken(skip + top));
    const search = [...next]
      .map(([name, value]) => `${encodeURIComponent(name).replace(/^%24/, "$")}=${encodeURIComponent(value)}`)
      .join("&");
    nextLink = `${context.origin}/v1.0/users?${search}`;
  }
  return graphJson(context.request, 200, {
    "@odata.context": `${context.origin}/v1.0/$metadata#users${selection(select)}`,
    // Without ConsistencyLevel: eventual, Entra ignores $count=true.
    ...(advanced && query.get("$count") === "true" ? { "@odata.count": users.length } : {}),
    value: page.map((user) => applySelect({ ...user }, USER_SCHEMA, select)),
    ...(nextLink ? { "@odata.nextLink": nextLink } : {}),
  });
}

/** A user as a directoryObject relationship (manager, directReports) returns it. */
function asDirectoryObject(user: DirectoryUser, select: readonly string[] | undefined): Record<string, unknown> {
  return { "@odata.type": "#microsoft.graph.user", ...applySelect({ ...userResource(user) }, USER_SCHEMA, select) };
}

function answerManager(context: GraphContext, user: DirectoryUser) {
  const manager = managerOf(user);
  if (!manager) {
    throw new GraphFailure(
      404,
      "Request_ResourceNotFound",
      "Resource 'manager' does not exist or one of its queried reference-property objects are not present.",
    );
  }
  return graphJson(context.request, 200, {
    "@odata.context": `${context.origin}/v1.0/$metadata#directoryObjects/$entity`,
    ...asDirectoryObject(manager, parseSelect(context.query, USER_SCHEMA)),
  });
}

function answerDirectReports(context: GraphContext, user: DirectoryUser) {
  const select = parseSelect(context.query, USER_SCHEMA);
  return graphJson(context.request, 200, {
    "@odata.context": `${context.origin}/v1.0/$metadata#directoryObjects`,
    value: directReportsOf(user).map((report) => asDirectoryObject(report, select)),
  });
}

export const userRoutes: readonly GraphRoute[] = [
  { method: "GET", path: "/me", scopes: READ_PROFILE, handle: (context) => answerUser(context, signedIn(context)) },
  { method: "GET", path: "/users", scopes: READ_OTHERS, handle: listUsers },
  {
    method: "GET",
    path: "/users/{userId}",
    scopes: READ_PROFILE,
    handle: (context) => answerUser(context, addressed(context)),
  },
  {
    method: "GET",
    path: "/me/manager",
    scopes: READ_MANAGER,
    handle: (context) => answerManager(context, signedIn(context)),
  },
  {
    method: "GET",
    path: "/users/{userId}/manager",
    scopes: READ_MANAGER,
    handle: (context) => answerManager(context, addressed(context)),
  },
  {
    method: "GET",
    path: "/me/directReports",
    scopes: READ_OTHERS,
    handle: (context) => answerDirectReports(context, signedIn(context)),
  },
  {
    method: "GET",
    path: "/users/{userId}/directReports",
    scopes: READ_OTHERS,
    handle: (context) => answerDirectReports(context, addressed(context)),
  },
  {
    method: "GET",
    path: "/me/mailboxSettings",
    scopes: ["MailboxSettings.Read", "MailboxSettings.ReadWrite"],
    handle: (context) =>
      graphJson(context.request, 200, {
        "@odata.context": `${context.origin}/v1.0/$metadata#users('${context.user.id}')/mailboxSettings`,
        ...mailboxSettings(signedIn(context)),
      }),
  },
];
