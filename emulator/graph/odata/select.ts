/** $select: which properties of an entity a response carries. */
import { GraphFailure } from "../responses.ts";

export interface EntitySchema {
  /** The OData type, for errors: "microsoft.graph.message". */
  type: string;
  /** Every property a request may name. */
  properties: readonly string[];
  /** Properties returned without $select; all of the resource when absent. */
  defaultProperties?: readonly string[];
  /** Returned even when not selected (messages always carry their id). */
  alwaysSelected?: readonly string[];
}

/** The canonical spelling of a property name (Graph matches names case-insensitively), or undefined. */
export function canonicalProperty(schema: EntitySchema, name: string): string | undefined {
  const lower = name.toLowerCase();
  return schema.properties.find((property) => property.toLowerCase() === lower);
}

/** The properties `$select` names, canonical; undefined when there is no $select. */
export function parseSelect(query: URLSearchParams, schema: EntitySchema): string[] | undefined {
  const raw = query.get("$select");
  if (raw === null) return undefined;
  const names = raw.split(",").map((name) => name.trim());
  if (names.some((name) => name === "")) throw new GraphFailure(400, "BadRequest", `Invalid $select: '${raw}'.`);
  if (names.includes("*")) return [...schema.properties];
  return names.map((name) => {
    const property = canonicalProperty(schema, name);
    if (!property) {
      throw new GraphFailure(400, "BadRequest", `Could not find a property named '${name}' on type '${schema.type}'.`);
    }
    return property;
  });
}

/** The resource with only the selected (or default) properties, keeping @odata annotations. */
export function applySelect(
  resource: Record<string, unknown>,
  schema: EntitySchema,
  selected: readonly string[] | undefined,
): Record<string, unknown> {
  const keep = selected ? [...(schema.alwaysSelected ?? []), ...selected] : schema.defaultProperties;
  if (!keep) return resource;
  return Object.fromEntries(
    Object.entries(resource).filter(([name]) => name.includes("@odata.") || keep.includes(name)),
  );
}
