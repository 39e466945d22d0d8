/**
 * The OData query options our tools use, applied to in-memory collections the
 * way Graph applies them: $select, $top, $skip, $orderby, $filter, $search,
 * $count, and @odata.nextLink paging.
 */
import type { EmulatorRequest } from "../http.ts";
import { GraphFailure } from "./responses.ts";

export interface CollectionOptions<T> {
  /** Properties `$filter` may name, as Graph paths ("from/emailAddress/address"). */
  filterable: readonly string[];
  /** Properties `$orderby` may name. */
  sortable: readonly string[];
  defaultOrder?: { field: string; descending: boolean };
  /** Text a `$search` term is matched against; `$search` is refused when absent. */
  searchText?: (item: T) => Record<"all" | "from" | "to" | "subject", string>;
  defaultTop?: number;
  maxTop?: number;
}

type Comparable = string | number | boolean | null | undefined;

function valueAt(item: unknown, path: string): Comparable {
  let current: unknown = item;
  for (const segment of path.split("/")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current as Comparable;
}

/** Splits on a keyword outside single-quoted literals. */
function splitOutsideQuotes(text: string, keyword: RegExp): string[] {
  const parts: string[] = [];
  let depth = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "'") depth = !depth;
    if (!depth) {
      keyword.lastIndex = i;
      const match = keyword.exec(text);
      if (match && match.index === i) {
        parts.push(text.slice(start, i));
        start = i + match[0].length;
        i = start - 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim());
}

function parseLiteral(raw: string): Comparable {
  if (raw === "true") return true;
  if (raw === "false") return false;
  if (raw === "null") return null;
  if (raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1).replace(/''/g, "'");
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})?$/.test(raw)) return raw;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  throw new GraphFailure(400, "BadRequest", `Invalid filter clause: the literal ${raw} is not a supported value.`);
}

function compare(left: Comparable, operator: string, right: Comparable): boolean {
  const l = typeof left === "string" && typeof right === "string" && /^\d{4}-/.test(right) ? Date.parse(left) : left;
  const r = typeof left === "string" && typeof right === "string" && /^\d{4}-/.test(right) ? Date.parse(right) : right;
  switch (operator) {
    case "eq":
      return typeof l === "string" && typeof r === "string" ? l.toLowerCase() === r.toLowerCase() : l === r;
    case "ne":
      return l !== r;
    case "gt":
      return (l as number) > (r as number);
    case "ge":
      return (l as number) >= (r as number);
    case "lt":
      return (l as number) < (r as number);
    case "le":
      return (l as number) <= (r as number);
    default:
      return false;
  }
}

/** Parses a `$filter` of `and`-joined comparisons into a predicate. */
export function parseFilter<T>(filter: string, filterable: readonly string[]): (item: T) => boolean {
  if (/\s+or\s+/i.test(filter.replace(/'[^']*'/g, "''"))) {
    throw new GraphFailure(400, "BadRequest", "Invalid filter clause: 'or' is not supported by this emulator.");
  }
  const clauses = splitOutsideQuotes(filter, /\s+and\s+/iy).map((clause) => {
    const match = /^([A-Za-z]+(?:\/[A-Za-z]+)*)\s+(eq|ne|gt|ge|lt|le)\s+(.+)$/i.exec(clause);
    if (!match) throw new GraphFailure(400, "BadRequest", `Invalid filter clause: could not parse '${clause}'.`);
    const [, field, operator, literal] = match;
    if (!filterable.includes(field!)) {
      throw new GraphFailure(
        400,
        "ErrorInvalidProperty",
        `Invalid filter clause: the property '${field}' does not support filtering.`,
      );
    }
    return { field: field!, operator: operator!.toLowerCase(), value: parseLiteral(literal!.trim()) };
  });
  return (item) => clauses.every((clause) => compare(valueAt(item, clause.field), clause.operator, clause.value));
}

function parseSearch<T>(
  raw: string,
  searchText: NonNullable<CollectionOptions<T>["searchText"]>,
): (item: T) => boolean {
  const query = raw
    .trim()
    .replace(/^"(.*)"$/s, "$1")
    .trim();
  if (!query) throw new GraphFailure(400, "BadRequest", "Syntax error: the $search query is empty.");
  const terms = query.match(/(\w+:)?("[^"]*"|\S+)/g) ?? [];
  const conditions = terms.map((term) => {
    const scoped = /^(from|to|subject):(.*)$/i.exec(term);
    const scope = (scoped?.[1]?.toLowerCase() ?? "all") as "all" | "from" | "to" | "subject";
    const word = (scoped?.[2] ?? term).replace(/^"|"$/g, "").toLowerCase();
    return { scope, word };
  });
  return (item) => {
    const text = searchText(item);
    return conditions.every(({ scope, word }) => text[scope].toLowerCase().includes(word));
  };
}

/** Keeps only `$select`ed properties (plus id and @odata.etag, as Graph does). */
export function applySelect<T extends object>(item: T, select: string | null): Record<string, unknown> {
  if (!select) return { ...(item as Record<string, unknown>) };
  const fields = select
    .split(",")
    .map((field) => field.trim())
    .filter(Boolean);
  const picked: Record<string, unknown> = {};
  const source = item as unknown as Record<string, unknown>;
  if ("@odata.etag" in source) picked["@odata.etag"] = source["@odata.etag"];
  if ("id" in source) picked.id = source.id;
  for (const field of fields) if (field in source) picked[field] = source[field];
  return picked;
}

export interface Page<T> {
  items: T[];
  nextLink?: string;
  count?: number;
}

/** Applies filter, search, order and paging to a collection, as Graph would for this request. */
export function queryCollection<T>(request: EmulatorRequest, items: T[], options: CollectionOptions<T>): Page<T> {
  const params = request.url.searchParams;
  const filter = params.get("$filter");
  const search = params.get("$search");
  const orderby = params.get("$orderby");
  if (search && orderby) {
    throw new GraphFailure(400, "BadRequest", "The query parameter '$orderBy' is not supported with '$search'.");
  }
  if (search && filter) {
    throw new GraphFailure(400, "BadRequest", "The query parameter '$filter' is not supported with '$search'.");
  }
  let result = items;
  if (filter) result = result.filter(parseFilter<T>(filter, options.filterable));
  if (search) {
    if (!options.searchText) throw new GraphFailure(400, "BadRequest", "This collection does not support $search.");
    result = result.filter(parseSearch(search, options.searchText));
  }
  const order = orderby
    ? (() => {
        const [field, direction = "asc"] = orderby.trim().split(/\s+/);
        if (!options.sortable.includes(field!)) {
          throw new GraphFailure(400, "BadRequest", `The $orderby property '${field}' is not supported.`);
        }
        return { field: field!, descending: direction.toLowerCase() === "desc" };
      })()
    : options.defaultOrder;
  if (order) {
    result = [...result].sort((a, b) => {
      const left = valueAt(a, order.field) ?? "";
      const right = valueAt(b, order.field) ?? "";
      const sign = left < right ? -1 : left > right ? 1 : 0;
      return order.descending ? -sign : sign;
    });
  }
  const maxTop = options.maxTop ?? 1000;
  const topParam = params.get("$top");
  const top = topParam === null ? (options.defaultTop ?? 10) : Number(topParam);
  if (!Number.isInteger(top) || top < 1 || top > maxTop) {
    throw new GraphFailure(
      400,
      "BadRequest",
      `Invalid value '${topParam}' for $top: it must be an integer from 1 to ${maxTop}.`,
    );
  }
  const skipParam = params.get("$skip");
  const skip = skipParam === null ? 0 : Number(skipParam);
  if (!Number.isInteger(skip) || skip < 0)
    throw new GraphFailure(400, "BadRequest", `Invalid value '${skipParam}' for $skip.`);
  const pageItems = result.slice(skip, skip + top);
  let nextLink: string | undefined;
  if (skip + top < result.length) {
    const next = new URL(request.url.toString());
    next.searchParams.set("$top", String(top));
    next.searchParams.set("$skip", String(skip + top));
    nextLink = next.toString();
  }
  return { items: pageItems, nextLink, count: params.get("$count") === "true" ? result.length : undefined };
}
