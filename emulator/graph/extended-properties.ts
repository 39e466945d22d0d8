/**
 * Single-value extended properties on Outlook items (messages, contacts), as
 * Graph documents them: set in the body that creates the item, returned only
 * when asked for, and found with
 * `$filter=singleValueExtendedProperties/any(ep: ep/id eq '{id}' and ep/value eq '{value}')`
 * (learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-post-singlevalueextendedproperties,
 * .../singlevaluelegacyextendedproperty-get). The id names the property in one of the documented
 * formats (extended-properties-overview): `{type} {proptag}`, `{type} {guid} Name {name}` or
 * `{type} {guid} Id {number}`. Id names match case-sensitively; string values case-insensitively.
 */
import type { SingleValueLegacyExtendedProperty } from "@microsoft/microsoft-graph-types";
import type { EmulatorRequest } from "../http.ts";
import { GraphFailure } from "./responses.ts";

export type ExtendedProperty = { id: string; value: string };

const TYPES = "(?:Binary|Boolean|CLSID|Currency|Double|Float|Integer|Long|Short|String|SystemTime|Object|Null)";
const ID_FORMATS = [
  new RegExp(`^${TYPES} 0x[0-9A-Fa-f]{4}$`),
  new RegExp(
    `^${TYPES} \\{[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\\} (?:Name \\S.*|Id 0x[0-9A-Fa-f]{1,8})$`,
  ),
];

/** The `singleValueExtendedProperties` of a create body, checked as Graph checks them; [] when absent. */
export function readExtendedProperties(value: unknown): ExtendedProperty[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new GraphFailure(
      400,
      "RequestBodyRead",
      "Cannot read 'singleValueExtendedProperties': a 'StartArray' node was expected, as it is a collection of microsoft.graph.singleValueLegacyExtendedProperty.",
    );
  }
  return value.map((entry: unknown) => {
    const { id, value: text } = (entry ?? {}) as SingleValueLegacyExtendedProperty;
    if (typeof id !== "string" || !ID_FORMATS.some((format) => format.test(id))) {
      throw new GraphFailure(
        400,
        "ErrorInvalidProperty",
        `The extended property id '${String(id)}' is not valid: use '{type} {proptag}' or '{type} {guid} Name {name}'.`,
      );
    }
    if (typeof text !== "string") {
      throw new GraphFailure(400, "RequestBodyRead", `The value of extended property '${id}' must be a string.`);
    }
    return { id, value: text };
  });
}

const MARKED =
  /^singleValueExtendedProperties\/any\(\s*(\w+)\s*:\s*\1\/id\s+eq\s+'((?:[^']|'')*)'\s+and\s+\1\/value\s+eq\s+'((?:[^']|'')*)'\s*\)$/i;

/**
 * The request's `$filter` when it asks for items carrying an extended
 * property: a test for them, and the request without that `$filter` for the
 * collection's other options. Undefined when the filter is about something else.
 */
export function extendedPropertyFilter(request: EmulatorRequest):
  | {
      test(item: { singleValueExtendedProperties?: SingleValueLegacyExtendedProperty[] | null }): boolean;
      rest: EmulatorRequest;
      nextLink(link: string | undefined): string | undefined;
    }
  | undefined {
  const filter = request.url.searchParams.get("$filter");
  if (filter === null || !/singleValueExtendedProperties/i.test(filter)) return undefined;
  const match = MARKED.exec(filter.trim());
  if (!match) {
    throw new GraphFailure(
      400,
      "ErrorInvalidUrlQueryFilter",
      "The emulator filters extended properties only as singleValueExtendedProperties/any(ep: ep/id eq '{id}' and ep/value eq '{value}').",
    );
  }
  const id = match[2]!.replace(/''/g, "'");
  const value = match[3]!.replace(/''/g, "'").toLowerCase();
  const url = new URL(request.url);
  url.searchParams.delete("$filter");
  return {
    // A next page repeats the filter, as Graph's links repeat every option.
    nextLink: (link) => {
      if (!link) return link;
      const next = new URL(link);
      next.searchParams.set("$filter", filter);
      return next.href;
    },
    test: (item) =>
      (item.singleValueExtendedProperties ?? []).some(
        (property) => property.id === id && property.value?.toLowerCase() === value,
      ),
    rest: { ...request, url },
  };
}
