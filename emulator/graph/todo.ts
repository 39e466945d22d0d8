/**
 * Microsoft To Do: /me/todo/lists (and /{id}), /tasks (and /{id}) and a
 * task's checklistItems. Dates are kept and answered in UTC: the To Do API
 * documents no `Prefer: outlook.timezone` and ignores it, so $filter and
 * $orderby compare UTC values too.
 */
import type {
  DateTimeTimeZone,
  Importance,
  ItemBody,
  LinkedResource,
  TaskStatus,
} from "@microsoft/microsoft-graph-types";
import { randomUUID } from "node:crypto";
import type { StoredChecklistItem, StoredTask, StoredTaskList, TodoStore } from "../data/todo.ts";
import { DAY, isoSeconds, utcDateTime } from "../data/time.ts";
import { jsonBody, type EmulatorRequest } from "../http.ts";
import { instantOf, resolveTimeZone } from "../timezones.ts";
import { queryCollection, type CollectionSpec } from "./odata/collection.ts";
import type { FilterSchema } from "./odata/filter.ts";
import { applySelect, parseSelect, type EntitySchema } from "./odata/select.ts";
import { graphEmpty, graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";

const READ = ["Tasks.Read", "Tasks.ReadWrite"];
const WRITE = ["Tasks.ReadWrite"];

const NOT_FOUND = "The specified object was not found in the store.";
const ID = /^[A-Za-z0-9+/=_-]{1,512}$/;

const TASK_STATUSES: readonly TaskStatus[] = ["notStarted", "inProgress", "completed", "waitingOnOthers", "deferred"];
const IMPORTANCES: readonly Importance[] = ["low", "normal", "high"];
const DATE_PROPERTIES = ["dueDateTime", "reminderDateTime", "startDateTime", "completedDateTime"] as const;
type DateProperty = (typeof DATE_PROPERTIES)[number];

export const TASK_SCHEMA: EntitySchema = {
  type: "microsoft.graph.todoTask",
  properties: [
    "id",
    "title",
    "body",
    "status",
    "importance",
    "isReminderOn",
    "createdDateTime",
    "lastModifiedDateTime",
    "bodyLastModifiedDateTime",
    "completedDateTime",
    "dueDateTime",
    "startDateTime",
    "reminderDateTime",
    "recurrence",
    "categories",
    "hasAttachments",
  ],
  alwaysSelected: ["id"],
};

const LIST_SCHEMA: EntitySchema = {
  type: "microsoft.graph.todoTaskList",
  properties: ["id", "displayName", "isOwner", "isShared", "wellknownListName"],
  alwaysSelected: ["id"],
};

const CHECKLIST_SCHEMA: EntitySchema = {
  type: "microsoft.graph.checklistItem",
  properties: ["id", "displayName", "isChecked", "createdDateTime", "checkedDateTime"],
  alwaysSelected: ["id"],
};

const TASK_FILTER: FilterSchema = {
  status: { kind: "enum", type: "microsoft.graph.taskStatus", members: TASK_STATUSES },
  importance: { kind: "enum", type: "microsoft.graph.importance", members: IMPORTANCES },
  title: { kind: "string" },
  isReminderOn: { kind: "boolean" },
  hasAttachments: { kind: "boolean" },
  createdDateTime: { kind: "dateTime" },
  lastModifiedDateTime: { kind: "dateTime" },
};

const TASK_COLLECTION: CollectionSpec<Record<string, unknown>> = {
  entity: TASK_SCHEMA,
  filter: TASK_FILTER,
  sortable: [
    "title",
    "status",
    "importance",
    "createdDateTime",
    "lastModifiedDateTime",
    "dueDateTime/dateTime",
    "reminderDateTime/dateTime",
    "completedDateTime/dateTime",
    "startDateTime/dateTime",
  ],
  // To Do's own order: newest first, as the list keeps them.
  defaultOrder: [],
  defaultTop: 10,
  maxTop: 1000,
};

const LIST_COLLECTION: CollectionSpec<StoredTaskList> = {
  entity: LIST_SCHEMA,
  filter: {
    displayName: { kind: "string" },
    wellknownListName: {
      kind: "enum",
      type: "microsoft.graph.wellknownListName",
      members: ["none", "defaultList", "flaggedEmails", "unknownFutureValue"],
    },
    isOwner: { kind: "boolean" },
    isShared: { kind: "boolean" },
  },
  sortable: ["displayName"],
  defaultOrder: [],
  defaultTop: 100,
  maxTop: 1000,
};

function todoOf(context: GraphContext): TodoStore {
  return context.state.dataOf(context.user.id).todo;
}

function checkId(id: string): void {
  if (!ID.test(id)) throw new GraphFailure(400, "ErrorInvalidIdMalformed", "Id is malformed.");
}

function findList(context: GraphContext): StoredTaskList {
  const id = context.params.listId ?? "";
  checkId(id);
  const list = todoOf(context).lists.find((candidate) => candidate.id === id);
  if (!list) throw new GraphFailure(404, "ErrorItemNotFound", NOT_FOUND);
  return list;
}

function findTask(context: GraphContext, list: StoredTaskList): StoredTask {
  const id = context.params.taskId ?? "";
  checkId(id);
  const task = list.tasks.find((candidate) => candidate.id === id);
  if (!task) throw new GraphFailure(404, "ErrorItemNotFound", NOT_FOUND);
  return task;
}

function metadata(context: GraphContext, path: string): string {
  return `${context.origin}/v1.0/$metadata#users('${context.user.id}')/todo/${path}`;
}

function selection(select: readonly string[] | undefined): string {
  return select ? `(${select.join(",")})` : "";
}

function newChangeKey(): string {
  return randomUUID().replace(/-/g, "").slice(0, 24);
}

function presentList(list: StoredTaskList, select?: readonly string[]): Record<string, unknown> {
  const { changeKey, tasks: _tasks, ...resource } = list;
  return applySelect({ "@odata.etag": `W/"${changeKey}"`, ...resource }, LIST_SCHEMA, select);
}

function presentChecklistItem(item: StoredChecklistItem): Record<string, unknown> {
  return { ...item };
}

/** A task as Graph answers it: dates in UTC as stored, no store-only fields. */
function taskView(task: StoredTask): Record<string, unknown> {
  const { changeKey, checklistItems: _checklistItems, linkedResources: _linkedResources, ...stored } = task;
  return structuredClone({ "@odata.etag": `W/"${changeKey}"`, ...stored });
}

function expandsChecklist(context: GraphContext): boolean {
  const expand = context.query.get("$expand");
  if (expand === null) return false;
  if (expand.trim().toLowerCase() !== "checklistitems") {
    throw new GraphFailure(
      400,
      "BadRequest",
      `Could not find a navigation property named '${expand}' on type '${TASK_SCHEMA.type}'; the emulator expands 'checklistItems' only.`,
    );
  }
  return true;
}

function presentTask(
  context: GraphContext,
  task: StoredTask,
  view: Record<string, unknown>,
  select: readonly string[] | undefined,
): Record<string, unknown> {
  const presented = applySelect(view, TASK_SCHEMA, select);
  if (expandsChecklist(context)) presented.checklistItems = task.checklistItems.map(presentChecklistItem);
  return presented;
}

// ---------------------------------------------------------------------------
// $filter on the dateTime strings of dateTimeTimeZone properties
// ---------------------------------------------------------------------------

interface DateClause {
  property: DateProperty;
  operator: "eq" | "ne" | "gt" | "ge" | "lt" | "le";
  value: string;
}

const DATE_CLAUSE =
  /^(dueDateTime|reminderDateTime|startDateTime|completedDateTime)\/dateTime\s+(eq|ne|gt|ge|lt|le)\s+(.+)$/i;
const OPERATOR_KINDS: Record<DateClause["operator"], string> = {
  eq: "Equal",
  ne: "NotEqual",
  gt: "GreaterThan",
  ge: "GreaterThanOrEqual",
  lt: "LessThan",
  le: "LessThanOrEqual",
};

/** Splits `filter` on ` and ` outside string literals; undefined when it uses or, not or parentheses. */
function andClauses(filter: string): string[] | undefined {
  const clauses: string[] = [];
  let current = "";
  let inLiteral = false;
  for (let i = 0; i < filter.length; i++) {
    const char = filter[i]!;
    if (char === "'") inLiteral = !inLiteral;
    if (!inLiteral) {
      const rest = filter.slice(i);
      if (char === "(" || char === ")" || /^\s+(or|not)\s+/i.test(rest) || /^not\s/i.test(rest)) return undefined;
      const and = /^\s+and\s+/i.exec(rest);
      if (and) {
        clauses.push(current.trim());
        current = "";
        i += and[0].length - 1;
        continue;
      }
    }
    current += char;
  }
  clauses.push(current.trim());
  return clauses;
}

function parseDateClause(text: string): DateClause | undefined {
  const match = DATE_CLAUSE.exec(text);
  if (!match) return undefined;
  const [, name = "", operatorText = "", raw = ""] = match;
  const property = DATE_PROPERTIES.find((candidate) => candidate.toLowerCase() === name.toLowerCase())!;
  const operator = operatorText.toLowerCase() as DateClause["operator"];
  const literal = raw.trim();
  if (!/^'(?:[^']|'')*'$/.test(literal)) {
    const type = /^\d{4}-\d{2}-\d{2}/.test(literal) ? "Edm.DateTimeOffset" : "Edm.Untyped";
    throw new GraphFailure(
      400,
      "BadRequest",
      `A binary operator with incompatible types was detected. Found operand types 'Edm.String' and '${type}' for operator kind '${OPERATOR_KINDS[operator]}'.`,
    );
  }
  return { property, operator, value: literal.slice(1, -1).replace(/''/g, "'").replace(/Z$/i, "") };
}

function holds(clause: DateClause, view: Record<string, unknown>): boolean {
  const actual = (view[clause.property] as DateTimeTimeZone | undefined)?.dateTime;
  if (actual === undefined || actual === null) return clause.operator === "ne";
  const difference = actual < clause.value ? -1 : actual > clause.value ? 1 : 0;
  switch (clause.operator) {
    case "eq":
      return difference === 0;
    case "ne":
      return difference !== 0;
    case "gt":
      return difference > 0;
    case "ge":
      return difference >= 0;
    case "lt":
      return difference < 0;
    case "le":
      return difference <= 0;
  }
}

/** The query with `$filter` replaced (or removed), for the collection engine. */
function withFilter(request: EmulatorRequest, filter: string | undefined): EmulatorRequest {
  const url = new URL(request.url);
  if (filter) url.searchParams.set("$filter", filter);
  else url.searchParams.delete("$filter");
  return { ...request, url };
}

/** A nextLink that repeats the client's own query (with its original $filter), at the engine's next $skip. */
function restoreNextLink(request: EmulatorRequest, engineLink: string): string {
  const next = new URL(engineLink);
  const options = new Map([...request.url.searchParams].filter(([name]) => name !== "$skip" && name !== "$top"));
  options.set("$top", next.searchParams.get("$top") ?? "");
  options.set("$skip", next.searchParams.get("$skip") ?? "");
  const query = [...options]
    .map(([name, value]) => `${encodeURIComponent(name).replace(/^%24/, "$")}=${encodeURIComponent(value)}`)
    .join("&");
  return `${request.url.origin}${request.url.pathname}?${query}`;
}

// ---------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function badRequest(message: string): GraphFailure {
  return new GraphFailure(400, "BadRequest", message);
}

function readBody(context: GraphContext, type: string): Record<string, unknown> {
  const parsed = jsonBody(context.request);
  if (!parsed.ok) throw badRequest(`Unable to read JSON request payload: ${parsed.error}`);
  if (!isObject(parsed.value)) throw badRequest(`The request body must be a JSON object of type '${type}'.`);
  return parsed.value;
}

function rejectUnknown(body: Record<string, unknown>, known: readonly string[], type: string): void {
  const unknown = Object.keys(body).find((name) => !name.includes("@odata.") && !known.includes(name));
  if (unknown) {
    throw badRequest(
      `The property '${unknown}' does not exist on type '${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
    );
  }
}

function readEnum<T extends string>(value: unknown, members: readonly T[], type: string): T {
  const member = typeof value === "string" ? members.find((candidate) => candidate === value) : undefined;
  if (!member) throw badRequest(`Cannot convert the literal '${String(value)}' to the expected type '${type}'.`);
  return member;
}

function readString(value: unknown, property: string): string {
  if (typeof value !== "string") {
    throw badRequest(`Cannot convert a value of type '${typeof value}' to 'Edm.String' for property '${property}'.`);
  }
  return value;
}

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$/;

/** A dateTimeTimeZone from a request body, as the UTC value the store keeps; null clears it. */
function readDateTime(value: unknown, property: string): DateTimeTimeZone | null {
  if (value === null) return null;
  if (!isObject(value) || typeof value.dateTime !== "string" || typeof value.timeZone !== "string") {
    throw badRequest(
      `'${property}' must be a dateTimeTimeZone: { "dateTime": "2026-11-25T00:00:00", "timeZone": "..." }.`,
    );
  }
  const zone = resolveTimeZone(value.timeZone);
  if (zone === undefined) {
    throw new GraphFailure(
      400,
      "TimeZoneNotSupportedException",
      `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${value.timeZone}'.`,
    );
  }
  const instant = LOCAL_DATE_TIME.test(value.dateTime) ? instantOf(value.dateTime, zone) : undefined;
  if (instant === undefined) {
    throw badRequest(
      `Cannot convert the literal '${value.dateTime}' to the expected type 'Edm.DateTime' in '${property}'.`,
    );
  }
  return utcDateTime(instant);
}

function readItemBody(value: unknown): ItemBody {
  if (!isObject(value)) throw badRequest('\'body\' must be an itemBody: { "content": "...", "contentType": "text" }.');
  const contentType =
    value.contentType === undefined
      ? "text"
      : readEnum(value.contentType, ["text", "html"], "microsoft.graph.bodyType");
  return { content: value.content === undefined ? "" : readString(value.content, "content"), contentType };
}

/** The linkedResources of a new task: each names its application and title (linkedresource resource type). */
function readLinkedResources(value: unknown): LinkedResource[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw badRequest("'linkedResources' must be a collection of microsoft.graph.linkedResource.");
  return value.map((entry: unknown) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw badRequest("Each linkedResource must be an object.");
    }
    const { webUrl, applicationName, displayName, externalId, ...others } = entry as Record<string, unknown>;
    const unknown = Object.keys(others).find((name) => !name.includes("@odata."));
    if (unknown) throw badRequest(`The property '${unknown}' does not exist on type 'microsoft.graph.linkedResource'.`);
    for (const [name, field] of Object.entries({ webUrl, applicationName, displayName, externalId })) {
      if (field !== undefined && field !== null && typeof field !== "string")
        throw badRequest(`'${name}' must be a string.`);
    }
    return {
      id: randomUUID(),
      webUrl: (webUrl as string | undefined) ?? null,
      applicationName: (applicationName as string | undefined) ?? null,
      displayName: (displayName as string | undefined) ?? null,
      externalId: (externalId as string | undefined) ?? null,
    };
  });
}

const TASK_INPUT = [
  "title",
  "body",
  "status",
  "importance",
  "isReminderOn",
  "dueDateTime",
  "reminderDateTime",
  "startDateTime",
  "completedDateTime",
  "categories",
  "recurrence",
];

/** Applies a create or update body to `task`, refusing what Graph refuses. */
function applyTaskInput(task: StoredTask, body: Record<string, unknown>, now: number): void {
  rejectUnknown(body, TASK_INPUT, TASK_SCHEMA.type);
  if (body.title !== undefined) task.title = readString(body.title, "title");
  if (body.body !== undefined) {
    task.body = readItemBody(body.body);
    task.bodyLastModifiedDateTime = isoSeconds(now);
  }
  if (body.importance !== undefined)
    task.importance = readEnum(body.importance, IMPORTANCES, "microsoft.graph.importance");
  if (body.categories !== undefined) {
    if (!Array.isArray(body.categories)) throw badRequest("'categories' must be a collection of strings.");
    task.categories = body.categories.map((category) => readString(category, "categories"));
  }
  if (body.recurrence !== undefined) {
    if (body.recurrence !== null && !isObject(body.recurrence))
      throw badRequest("'recurrence' must be a patternedRecurrence.");
    task.recurrence = body.recurrence as StoredTask["recurrence"];
  }
  for (const property of DATE_PROPERTIES) {
    if (body[property] === undefined) continue;
    const value = readDateTime(body[property], property);
    if (value) task[property] = value;
    else delete task[property];
  }
  if (body.reminderDateTime !== undefined && body.isReminderOn === undefined)
    task.isReminderOn = body.reminderDateTime !== null;
  if (body.isReminderOn !== undefined) {
    if (typeof body.isReminderOn !== "boolean") throw badRequest("'isReminderOn' must be a boolean.");
    task.isReminderOn = body.isReminderOn;
  }
  if (body.status !== undefined) {
    const status = readEnum(body.status, TASK_STATUSES, "microsoft.graph.taskStatus");
    if (status === "completed" && task.status !== "completed" && body.completedDateTime === undefined) {
      task.completedDateTime = utcDateTime(Math.floor(now / DAY) * DAY);
    }
    if (status !== "completed") delete task.completedDateTime;
    task.status = status;
  }
  task.lastModifiedDateTime = isoSeconds(now);
  task.changeKey = newChangeKey();
}

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

function listTasks(context: GraphContext) {
  const list = findList(context);
  const select = parseSelect(context.query, TASK_SCHEMA);
  const views = new Map(list.tasks.map((task) => [task.id, taskView(task)]));
  let items = [...views.values()];
  let request = context.request;
  const filter = context.query.get("$filter");
  const clauses = filter === null ? undefined : andClauses(filter);
  if (clauses) {
    const dateClauses = clauses.map(parseDateClause);
    if (dateClauses.some(Boolean)) {
      items = items.filter((view) => dateClauses.every((clause) => !clause || holds(clause, view)));
      request = withFilter(request, clauses.filter((_, index) => !dateClauses[index]).join(" and "));
    }
  }
  const page = queryCollection(request, items, TASK_COLLECTION);
  const byId = new Map(list.tasks.map((task) => [task.id, task]));
  return graphJson(context.request, 200, {
    "@odata.context": metadata(context, `lists('${list.id}')/tasks${selection(select)}`),
    ...(page.count !== undefined ? { "@odata.count": page.count } : {}),
    value: page.items.map((view) => presentTask(context, byId.get(view.id as string)!, view, select)),
    ...(page.nextLink ? { "@odata.nextLink": restoreNextLink(context.request, page.nextLink) } : {}),
  });
}

function answerTask(
  context: GraphContext,
  list: StoredTaskList,
  task: StoredTask,
  status: 200 | 201,
  extra: Record<string, unknown> = {},
) {
  const select = parseSelect(context.query, TASK_SCHEMA);
  const view = taskView(task);
  return graphJson(context.request, status, {
    "@odata.context": metadata(context, `lists('${list.id}')/tasks${selection(select)}/$entity`),
    ...presentTask(context, task, view, select),
    ...extra,
  });
}

function answerList(context: GraphContext, list: StoredTaskList, status: 200 | 201) {
  const select = parseSelect(context.query, LIST_SCHEMA);
  return graphJson(context.request, status, {
    "@odata.context": metadata(context, `lists${selection(select)}/$entity`),
    ...presentList(list, select),
  });
}

function readDisplayName(body: Record<string, unknown>): string {
  rejectUnknown(body, ["displayName"], LIST_SCHEMA.type);
  const name = typeof body.displayName === "string" ? body.displayName.trim() : "";
  if (!name)
    throw new GraphFailure(400, "invalidRequest", "The property 'displayName' is required and cannot be empty.");
  return name;
}

export const todoRoutes: readonly GraphRoute[] = [
  {
    method: "GET",
    path: "/me/todo/lists",
    scopes: READ,
    handle(context) {
      const select = parseSelect(context.query, LIST_SCHEMA);
      const page = queryCollection(context.request, todoOf(context).lists, LIST_COLLECTION);
      return graphJson(context.request, 200, {
        "@odata.context": metadata(context, `lists${selection(select)}`),
        ...(page.count !== undefined ? { "@odata.count": page.count } : {}),
        value: page.items.map((list) => presentList(list, select)),
        ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
      });
    },
  },
  {
    method: "POST",
    path: "/me/todo/lists",
    scopes: WRITE,
    handle(context) {
      const displayName = readDisplayName(readBody(context, LIST_SCHEMA.type));
      const list: StoredTaskList = {
        id: `AAMkAGTodoList${randomUUID().replace(/-/g, "")}AAA=`,
        displayName,
        isOwner: true,
        isShared: false,
        wellknownListName: "none",
        changeKey: newChangeKey(),
        tasks: [],
      };
      todoOf(context).lists.push(list);
      return answerList(context, list, 201);
    },
  },
  {
    method: "GET",
    path: "/me/todo/lists/{listId}",
    scopes: READ,
    handle: (context) => answerList(context, findList(context), 200),
  },
  {
    method: "PATCH",
    path: "/me/todo/lists/{listId}",
    scopes: WRITE,
    handle(context) {
      const list = findList(context);
      list.displayName = readDisplayName(readBody(context, LIST_SCHEMA.type));
      list.changeKey = newChangeKey();
      return answerList(context, list, 200);
    },
  },
  {
    method: "DELETE",
    path: "/me/todo/lists/{listId}",
    scopes: WRITE,
    handle(context) {
      const list = findList(context);
      if (list.wellknownListName !== "none") {
        throw new GraphFailure(
          400,
          "invalidRequest",
          `The well-known list '${list.wellknownListName}' cannot be deleted.`,
        );
      }
      const store = todoOf(context);
      store.lists = store.lists.filter((candidate) => candidate !== list);
      return graphEmpty(context.request, 204);
    },
  },
  { method: "GET", path: "/me/todo/lists/{listId}/tasks", scopes: READ, handle: listTasks },
  {
    method: "POST",
    path: "/me/todo/lists/{listId}/tasks",
    scopes: WRITE,
    handle(context) {
      const list = findList(context);
      // Linked resources may be created with the task (todotasklist-post-tasks); they come back in the answer.
      const { linkedResources, ...body } = readBody(context, TASK_SCHEMA.type);
      const links = readLinkedResources(linkedResources);
      if (typeof body.title !== "string" || body.title.trim() === "") {
        throw new GraphFailure(400, "invalidRequest", "The property 'title' is required and cannot be empty.");
      }
      const now = Date.now();
      const task: StoredTask = {
        id: `AAMkAGTodoTask${randomUUID().replace(/-/g, "")}AAA=`,
        title: "",
        status: "notStarted",
        importance: "normal",
        isReminderOn: false,
        createdDateTime: isoSeconds(now),
        lastModifiedDateTime: isoSeconds(now),
        bodyLastModifiedDateTime: isoSeconds(now),
        hasAttachments: false,
        categories: [],
        body: { content: "", contentType: "text" },
        changeKey: "",
        checklistItems: [],
      };
      applyTaskInput(task, body, now);
      if (links.length) task.linkedResources = links;
      list.tasks.unshift(task);
      return answerTask(context, list, task, 201, links.length ? { linkedResources: links } : {});
    },
  },
  {
    method: "GET",
    path: "/me/todo/lists/{listId}/tasks/{taskId}",
    scopes: READ,
    handle(context) {
      const list = findList(context);
      return answerTask(context, list, findTask(context, list), 200);
    },
  },
  {
    method: "PATCH",
    path: "/me/todo/lists/{listId}/tasks/{taskId}",
    scopes: WRITE,
    handle(context) {
      const list = findList(context);
      const task = findTask(context, list);
      const body = readBody(context, TASK_SCHEMA.type);
      if (body.title !== undefined && (typeof body.title !== "string" || body.title.trim() === "")) {
        throw new GraphFailure(400, "invalidRequest", "The property 'title' cannot be empty.");
      }
      // Validate against a copy so a refused body changes nothing.
      const updated = structuredClone(task);
      applyTaskInput(updated, body, Date.now());
      Object.assign(task, updated);
      for (const property of DATE_PROPERTIES) if (!updated[property]) delete task[property];
      return answerTask(context, list, task, 200);
    },
  },
  {
    method: "DELETE",
    path: "/me/todo/lists/{listId}/tasks/{taskId}",
    scopes: WRITE,
    handle(context) {
      const list = findList(context);
      const task = findTask(context, list);
      list.tasks = list.tasks.filter((candidate) => candidate !== task);
      return graphEmpty(context.request, 204);
    },
  },
  {
    method: "GET",
    path: "/me/todo/lists/{listId}/tasks/{taskId}/linkedResources",
    scopes: READ,
    handle(context) {
      const list = findList(context);
      const task = findTask(context, list);
      return graphJson(context.request, 200, {
        "@odata.context": metadata(context, `lists('${list.id}')/tasks('${task.id}')/linkedResources`),
        value: task.linkedResources ?? [],
      });
    },
  },
  {
    method: "GET",
    path: "/me/todo/lists/{listId}/tasks/{taskId}/checklistItems",
    scopes: READ,
    handle(context) {
      const list = findList(context);
      const task = findTask(context, list);
      const select = parseSelect(context.query, CHECKLIST_SCHEMA);
      return graphJson(context.request, 200, {
        "@odata.context": metadata(
          context,
          `lists('${list.id}')/tasks('${task.id}')/checklistItems${selection(select)}`,
        ),
        value: task.checklistItems.map((item) => applySelect(presentChecklistItem(item), CHECKLIST_SCHEMA, select)),
      });
    },
  },
];
