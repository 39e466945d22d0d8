/**
 * Graph's collection queries on an in-memory list: $filter, $search,
 * $orderby, $top, $skip / $skiptoken and $count, with @odata.nextLink paging
 * that repeats the same options.
 */
import type { EmulatorRequest } from "../../http.ts";
import { GraphFailure } from "../responses.ts";
import { parseFilter, type FilterOptions, type FilterSchema } from "./filter.ts";
import { parseSearch, type SearchSpec } from "./search.ts";
import type { EntitySchema } from "./select.ts";
import { compareValues, valueAt } from "./values.ts";

export interface OrderBy {
  property: string;
  descending: boolean;
}

export interface CollectionSpec<T> {
  entity: EntitySchema;
  filter: FilterSchema;
  /** The $filter grammar beyond comparisons joined with `and` (contacts, directory objects). */
  filterOptions?: FilterOptions;
  /** Properties $orderby may name. */
  sortable: readonly string[];
  defaultOrder: readonly OrderBy[];
  /** $search support; without it $search is refused. */
  search?: SearchSpec<T> & { maxResults: number };
  defaultTop: number;
  maxTop: number;
  /**
   * Exchange's rule for messages: with both $filter and $orderby, the
   * $orderby properties must come first in $filter, in the same order, or
   * Graph answers InefficientFilter.
   */
  orderByMustLeadFilter?: boolean;
}

export interface Page<T> {
  items: T[];
  /** Matching items in all pages, when $count=true. */
  count?: number;
  nextLink?: string;
}

function parseOrderBy(raw: string, sortable: readonly string[]): OrderBy[] {
  return raw.split(",").map((part) => {
    const match = /^\s*([\w/]+)(?:\s+(asc|desc))?\s*$/i.exec(part);
    const property = match && sortable.find((candidate) => candidate.toLowerCase() === match[1]!.toLowerCase());
    if (!match) throw new GraphFailure(400, "BadRequest", `Syntax error in $orderby: '${raw}'.`);
    if (!property) {
      throw new GraphFailure(
        400,
        "ErrorInvalidUrlQuery",
        `The emulator cannot sort by '${match[1]}'. Sortable properties: ${sortable.join(", ")}.`,
      );
    }
    return { property, descending: match[2]?.toLowerCase() === "desc" };
  });
}

/** An integer query option ($top, $skip) within bounds, or Graph's 400. */
export function integerOption(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new GraphFailure(
      400,
      "BadRequest",
      `Invalid value '${raw}' for ${name}: expected an integer from ${min} to ${max}.`,
    );
  }
  return value;
}

function encodeSkipToken(skip: number): string {
  return Buffer.from(`emulator-skip:${skip}`).toString("base64url");
}

function decodeSkipToken(token: string): number {
  const match = /^emulator-skip:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!match) {
    throw new GraphFailure(
      400,
      "BadRequest",
      "The $skiptoken is not valid; follow @odata.nextLink as it was returned.",
    );
  }
  return Number(match[1]);
}

/** A query string with the option names unescaped, as Graph writes its links ("?$top=10&$skip=10"). */
function queryString(options: Map<string, string>): string {
  return [...options]
    .map(([name, value]) => `${encodeURIComponent(name).replace(/^%24/, "$")}=${encodeURIComponent(value)}`)
    .join("&");
}

function sorted<T>(items: readonly T[], order: readonly OrderBy[]): T[] {
  return [...items].sort((a, b) => {
    for (const { property, descending } of order) {
      const difference = compareValues(valueAt(a, property), valueAt(b, property));
      if (difference !== 0) return descending ? -difference : difference;
    }
    return 0;
  });
}

/** Refuses option combinations Graph refuses. */
function checkOptions(query: URLSearchParams): void {
  if (query.has("$search") && query.has("$orderby")) {
    throw new GraphFailure(400, "BadRequest", "The query parameter '$orderBy' is not supported with '$search'.");
  }
  if (query.has("$search") && query.has("$filter")) {
    throw new GraphFailure(400, "BadRequest", "The query parameter '$filter' is not supported with '$search'.");
  }
  const count = query.get("$count");
  if (count !== null && count !== "true" && count !== "false") {
    throw new GraphFailure(400, "BadRequest", `Invalid value '${count}' for $count: expected true or false.`);
  }
}

/** The items that $filter or $search keep, in $orderby (or the default) order. */
function matching<T>(query: URLSearchParams, items: readonly T[], spec: CollectionSpec<T>): T[] {
  const filterText = query.get("$filter");
  const searchText = query.get("$search");
  const orderText = query.get("$orderby");
  const order = orderText === null ? spec.defaultOrder : parseOrderBy(orderText, spec.sortable);
  if (searchText !== null) {
    if (!spec.search) {
      throw new GraphFailure(400, "BadRequest", `$search is not supported on ${spec.entity.type} collections.`);
    }
    return sorted(items.filter(parseSearch(searchText, spec.search)), order).slice(0, spec.search.maxResults);
  }
  if (filterText === null) return sorted(items, order);
  const filter = parseFilter(filterText, spec.filter, spec.entity, spec.filterOptions);
  const leading = filter.properties.slice(0, order.length);
  if (spec.orderByMustLeadFilter && orderText !== null && order.some((entry, i) => leading[i] !== entry.property)) {
    throw new GraphFailure(
      400,
      "InefficientFilter",
      "The restriction or sort order is too complex for this operation.",
    );
  }
  return sorted(
    items.filter((item) => filter.test(item)),
    order,
  );
}

/** One page of `items` as this request asks for it. */
export function queryCollection<T>(request: EmulatorRequest, items: readonly T[], spec: CollectionSpec<T>): Page<T> {
  const query = request.url.searchParams;
  checkOptions(query);
  const result = matching(query, items, spec);
  const top = integerOption(query, "$top", spec.defaultTop, 1, spec.maxTop);
  const skipToken = query.get("$skiptoken");
  const skip =
    skipToken === null ? integerOption(query, "$skip", 0, 0, Number.MAX_SAFE_INTEGER) : decodeSkipToken(skipToken);
  const page: Page<T> = { items: result.slice(skip, skip + top) };
  if (query.get("$count") === "true") page.count = result.length;
  if (skip + top < result.length) {
    const next = new Map([...query].filter(([name]) => name !== "$skip" && name !== "$skiptoken"));
    next.set("$top", String(top));
    // Graph pages mail listings with $skip and searches with an opaque $skiptoken.
    if (query.has("$search")) next.set("$skiptoken", encodeSkipToken(skip + top));
    else next.set("$skip", String(skip + top));
    page.nextLink = `${request.url.origin}${request.url.pathname}?${queryString(next)}`;
  }
  return page;
}
