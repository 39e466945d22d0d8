/**
 * $filter: comparisons joined by `and`, on the properties a collection
 * declares, with Graph's errors for what it refuses and a clear one for what
 * the emulator does not implement (or, not, functions, lambdas).
 */
import { GraphFailure } from "../responses.ts";
import { canonicalProperty, type EntitySchema } from "./select.ts";
import { valueAt } from "./values.ts";

export type FilterType =
  | { kind: "boolean" }
  | { kind: "string" }
  | { kind: "dateTime" }
  | { kind: "enum"; type: string; members: readonly string[] };

/** Filterable properties by path ("from/emailAddress/address"). */
export type FilterSchema = Record<string, FilterType>;

export interface ParsedFilter {
  test(item: unknown): boolean;
  /** The properties compared, in order of first appearance. */
  properties: string[];
}

const OPERATORS = ["eq", "ne", "gt", "ge", "lt", "le"] as const;
type Operator = (typeof OPERATORS)[number];

const OPERATOR_KINDS: Record<Operator, string> = {
  eq: "Equal",
  ne: "NotEqual",
  gt: "GreaterThan",
  ge: "GreaterThanOrEqual",
  lt: "LessThan",
  le: "LessThanOrEqual",
};

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2}))?$/;

interface Clause {
  property: string;
  operator: Operator;
  type: FilterType;
  value: string | boolean | number;
}

function unsupported(message: string, schema: FilterSchema): GraphFailure {
  const supported = Object.keys(schema).join(", ");
  return new GraphFailure(
    400,
    "ErrorInvalidUrlQueryFilter",
    `${message} The emulator supports comparisons (eq, ne; gt, ge, lt, le on dates) of ${supported}, joined with 'and'. Use $search for text.`,
  );
}

/** Splits on ` and ` outside string literals; refuses or, not and parentheses outside literals. */
function splitClauses(filter: string, schema: FilterSchema): string[] {
  const clauses: string[] = [];
  let current = "";
  let inLiteral = false;
  for (let i = 0; i < filter.length; i++) {
    const char = filter[i]!;
    if (char === "'") inLiteral = !inLiteral;
    if (!inLiteral) {
      const rest = filter.slice(i);
      const keyword = /^\s+(and|or)\s+/i.exec(rest) ?? (current.trim() === "" ? /^not\s+/i.exec(rest) : null);
      if (keyword) {
        const word = keyword[0].trim().toLowerCase();
        if (word !== "and") throw unsupported(`The '${word}' operator is not supported by the emulator.`, schema);
        clauses.push(current.trim());
        current = "";
        i += keyword[0].length - 1;
        continue;
      }
      if (char === "(" || char === ")") {
        const call = /(\w+)\s*\($/.exec(current + char);
        throw unsupported(
          call
            ? `The function '${call[1]}' is not supported by the emulator.`
            : "Parentheses are not supported by the emulator.",
          schema,
        );
      }
    }
    current += char;
  }
  if (inLiteral) throw new GraphFailure(400, "BadRequest", `Syntax error: unterminated string literal in '${filter}'.`);
  clauses.push(current.trim());
  return clauses;
}

function edmType(type: FilterType): string {
  switch (type.kind) {
    case "boolean":
      return "Edm.Boolean";
    case "string":
      return "Edm.String";
    case "dateTime":
      return "Edm.DateTimeOffset";
    case "enum":
      return type.type;
  }
}

function literalType(raw: string): string {
  if (raw.startsWith("'")) return "Edm.String";
  if (raw === "true" || raw === "false") return "Edm.Boolean";
  if (DATE_TIME.test(raw)) return "Edm.DateTimeOffset";
  if (/^-?\d+$/.test(raw)) return "Edm.Int32";
  return "Edm.Untyped";
}

function parseLiteral(raw: string, type: FilterType, operator: Operator): string | boolean | number {
  const mismatch = () =>
    new GraphFailure(
      400,
      "BadRequest",
      `A binary operator with incompatible types was detected. Found operand types '${edmType(type)}' and '${literalType(raw)}' for operator kind '${OPERATOR_KINDS[operator]}'.`,
    );
  switch (type.kind) {
    case "boolean":
      if (raw !== "true" && raw !== "false") throw mismatch();
      return raw === "true";
    case "dateTime":
      if (!DATE_TIME.test(raw)) throw mismatch();
      return Date.parse(raw);
    case "string":
    case "enum": {
      if (!/^'(?:[^']|'')*'$/.test(raw)) throw mismatch();
      const value = raw.slice(1, -1).replace(/''/g, "'");
      if (type.kind === "enum" && !type.members.some((member) => member.toLowerCase() === value.toLowerCase())) {
        throw new GraphFailure(
          400,
          "BadRequest",
          `The string '${value}' is not a valid enumeration type constant of '${type.type}'.`,
        );
      }
      return value.toLowerCase();
    }
  }
}

function parseClause(text: string, schema: FilterSchema, entity: EntitySchema): Clause {
  const match = /^([A-Za-z]\w*(?:\/[A-Za-z]\w*)*)\s+(\w+)\s+(.+)$/.exec(text);
  if (!match) throw new GraphFailure(400, "BadRequest", `Syntax error: could not parse the filter clause '${text}'.`);
  const [, path = "", operatorText = "", raw = ""] = match;
  const operator = operatorText.toLowerCase() as Operator;
  if (!OPERATORS.includes(operator)) {
    throw new GraphFailure(400, "BadRequest", `Syntax error: unknown operator '${operatorText}' in '${text}'.`);
  }
  const property = Object.keys(schema).find((candidate) => candidate.toLowerCase() === path.toLowerCase());
  if (!property) {
    const head = path.split("/")[0] ?? path;
    if (!canonicalProperty(entity, head)) {
      throw new GraphFailure(400, "BadRequest", `Could not find a property named '${head}' on type '${entity.type}'.`);
    }
    throw unsupported(`Filtering on '${path}' is not supported by the emulator.`, schema);
  }
  const type = schema[property]!;
  if (operator !== "eq" && operator !== "ne" && type.kind !== "dateTime") {
    throw unsupported(`The operator '${operator}' on '${property}' is not supported by the emulator.`, schema);
  }
  return { property, operator, type, value: parseLiteral(raw.trim(), type, operator) };
}

function holds(clause: Clause, item: unknown): boolean {
  let actual = valueAt(item, clause.property);
  if (clause.type.kind === "dateTime") actual = typeof actual === "string" ? Date.parse(actual) : undefined;
  else if (typeof actual === "string") actual = actual.toLowerCase();
  if (actual === undefined || actual === null) return clause.operator === "ne";
  switch (clause.operator) {
    case "eq":
      return actual === clause.value;
    case "ne":
      return actual !== clause.value;
    case "gt":
      return (actual as number) > (clause.value as number);
    case "ge":
      return (actual as number) >= (clause.value as number);
    case "lt":
      return (actual as number) < (clause.value as number);
    case "le":
      return (actual as number) <= (clause.value as number);
  }
}

export function parseFilter(filter: string, schema: FilterSchema, entity: EntitySchema): ParsedFilter {
  if (filter.trim() === "") throw new GraphFailure(400, "BadRequest", "The $filter expression is empty.");
  const clauses = splitClauses(filter, schema).map((text) => parseClause(text, schema, entity));
  return {
    test: (item) => clauses.every((clause) => holds(clause, item)),
    properties: [...new Set(clauses.map((clause) => clause.property))],
  };
}
