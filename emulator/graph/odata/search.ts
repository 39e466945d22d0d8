/**
 * $search with the part of KQL people type: words and "quoted phrases",
 * property restrictions (from:megan, subject:"budget review"), AND (implied),
 * OR and NOT. Matching is case-insensitive and by substring.
 */
import { GraphFailure } from "../responses.ts";

export interface SearchSpec<T> {
  /** The text of each searchable KQL property of an item. */
  fields(item: T): Record<string, string>;
  /** Properties a term without a restriction is matched against. */
  defaults: readonly string[];
  /** Every property a restriction ("from:megan") may name, lower case. */
  properties: readonly string[];
}

interface Term {
  property?: string;
  text: string;
  negated: boolean;
}

const TOKEN = /(-?)(?:(\w+):)?("([^"]*)"|[^\s"]+)/g;

/** Reads the KQL query into alternatives (split by OR), each a list of terms that must all hold. */
function parse(query: string, properties: readonly string[]): Term[][] {
  const alternatives: Term[][] = [[]];
  let negateNext = false;
  for (const match of query.matchAll(TOKEN)) {
    const [, minus = "", property, whole = "", phrase] = match;
    const word = phrase ?? whole;
    if (!property && phrase === undefined && (word === "AND" || word === "OR" || word === "NOT")) {
      if (word === "OR") alternatives.push([]);
      if (word === "NOT") negateNext = true;
      continue;
    }
    const known = property && properties.includes(property.toLowerCase()) ? property.toLowerCase() : undefined;
    // An unknown restriction ("foo:bar") is plain text, as in KQL.
    const text = (known !== undefined || property === undefined ? word : `${property}:${word}`).toLowerCase();
    if (text !== "") alternatives.at(-1)!.push({ property: known, text, negated: negateNext || minus === "-" });
    negateNext = false;
  }
  return alternatives.filter((terms) => terms.length > 0);
}

/** A predicate for `$search`; the value may be wrapped in double quotes, as Graph's examples are. */
export function parseSearch<T>(raw: string, spec: SearchSpec<T>): (item: T) => boolean {
  const query = raw
    .trim()
    .replace(/^"([\s\S]*)"$/, "$1")
    .trim();
  const alternatives = parse(query, spec.properties);
  if (alternatives.length === 0) throw new GraphFailure(400, "BadRequest", "Syntax error: the $search query is empty.");
  return (item) => {
    const fields = spec.fields(item);
    const haystack = (property: string | undefined) =>
      (property ? [property] : spec.defaults)
        .map((name) => fields[name] ?? "")
        .join("\n")
        .toLowerCase();
    return alternatives.some((terms) =>
      terms.every((term) => haystack(term.property).includes(term.text) !== term.negated),
    );
  };
}
