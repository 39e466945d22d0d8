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
  /** `functions`: string functions the property allows, in collections that take the extended grammar. */
  | { kind: "string"; functions?: readonly StringFunction[] }
  | { kind: "dateTime" }
  | { kind: "enum"; type: string; members: readonly string[] }
  /**
   * A collection property that lambdas (`emailAddresses/any(a:a/address eq 'x')`) look into,
   * in collections that take the extended grammar; `items` by path inside an element ("" is the element).
   */
  | { kind: "collection"; items: FilterSchema };

export type StringFunction = "startswith" | "endswith" | "contains";

/** What a collection's $filter accepts beyond comparisons joined with `and`. */
export interface FilterOptions {
  /** or, not, parentheses, the string functions and lambdas each property allows. */
  extended?: boolean;
}

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
    case "collection":
      return "Collection";
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
    case "collection":
      throw mismatch();
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

export function parseFilter(
  filter: string,
  schema: FilterSchema,
  entity: EntitySchema,
  options: FilterOptions = {},
): ParsedFilter {
  if (filter.trim() === "") throw new GraphFailure(400, "BadRequest", "The $filter expression is empty.");
  if (options.extended) return parseExtended(filter, schema, entity);
  const clauses = splitClauses(filter, schema).map((text) => parseClause(text, schema, entity));
  return {
    test: (item) => clauses.every((clause) => holds(clause, item)),
    properties: [...new Set(clauses.map((clause) => clause.property))],
  };
}

/*
 * The extended grammar, for collections that opt in (FilterOptions.extended),
 * as Graph accepts it on contacts and directory objects: `or`, `not`,
 * parentheses, startswith/endswith/contains where a property allows them, and
 * any/all lambdas over collection properties.
 */

type Token =
  { kind: "open" | "close" | "comma" | "colon" } | { kind: "word"; text: string } | { kind: "literal"; text: string };

const LITERAL_PATTERNS = [
  /^'(?:[^']|'')*'/,
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2}))?(?![\w-])/,
  /^-?\d+(\.\d+)?(?![\w])/,
  /^(true|false)(?![\w/])/,
];

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let rest = filter;
  while ((rest = rest.replace(/^\s+/, "")) !== "") {
    const single = { "(": "open", ")": "close", ",": "comma", ":": "colon" }[rest[0]!] as
      "open" | "close" | "comma" | "colon" | undefined;
    if (single) {
      tokens.push({ kind: single });
      rest = rest.slice(1);
      continue;
    }
    if (rest.startsWith("'") && !/^'(?:[^']|'')*'/.test(rest)) {
      throw new GraphFailure(400, "BadRequest", `Syntax error: unterminated string literal in '${filter}'.`);
    }
    const literal = LITERAL_PATTERNS.map((pattern) => pattern.exec(rest)).find(Boolean);
    if (literal) {
      tokens.push({ kind: "literal", text: literal[0] });
      rest = rest.slice(literal[0].length);
      continue;
    }
    const word = /^[A-Za-z_$][\w$]*(?:\/[A-Za-z_$][\w$]*)*/.exec(rest);
    if (!word) throw new GraphFailure(400, "BadRequest", `Syntax error at '${rest}' in '${filter}'.`);
    tokens.push({ kind: "word", text: word[0] });
    rest = rest.slice(word[0].length);
  }
  return tokens;
}

type Predicate = (item: unknown) => boolean;

/** The value at `path` of an item; "" is the item itself (a lambda over a collection of strings). */
function valueOf(item: unknown, path: string): unknown {
  return path === "" ? item : valueAt(item, path);
}

class ExtendedParser {
  private position = 0;
  readonly properties: string[] = [];
  private readonly tokens: Token[];
  private readonly filter: string;
  private readonly root: FilterSchema;
  private readonly entity: EntitySchema;

  constructor(filter: string, schema: FilterSchema, entity: EntitySchema) {
    this.filter = filter;
    this.tokens = tokenize(filter);
    this.root = schema;
    this.entity = entity;
  }

  parse(): Predicate {
    const predicate = this.or({ schema: this.root });
    if (this.position < this.tokens.length) throw this.syntax();
    return predicate;
  }

  private syntax(): GraphFailure {
    const token = this.tokens[this.position];
    const near = token
      ? "text" in token
        ? token.text
        : { open: "(", close: ")", comma: ",", colon: ":" }[token.kind]
      : "end";
    return new GraphFailure(400, "BadRequest", `Syntax error at '${near}' in '${this.filter}'.`);
  }

  private peekWord(...words: string[]): boolean {
    const token = this.tokens[this.position];
    return token?.kind === "word" && words.includes(token.text.toLowerCase());
  }

  private expect(kind: Token["kind"]): Token {
    const token = this.tokens[this.position];
    if (token?.kind !== kind) throw this.syntax();
    this.position++;
    return token;
  }

  private or(scope: Scope): Predicate {
    const parts = [this.and(scope)];
    while (this.peekWord("or")) {
      this.position++;
      parts.push(this.and(scope));
    }
    return parts.length === 1 ? parts[0]! : (item) => parts.some((part) => part(item));
  }

  private and(scope: Scope): Predicate {
    const parts = [this.unary(scope)];
    while (this.peekWord("and")) {
      this.position++;
      parts.push(this.unary(scope));
    }
    return parts.length === 1 ? parts[0]! : (item) => parts.every((part) => part(item));
  }

  private unary(scope: Scope): Predicate {
    if (this.peekWord("not")) {
      this.position++;
      const inner = this.unary(scope);
      return (item) => !inner(item);
    }
    return this.primary(scope);
  }

  private primary(scope: Scope): Predicate {
    const token = this.tokens[this.position];
    if (token?.kind === "open") {
      this.position++;
      const inner = this.or(scope);
      this.expect("close");
      return inner;
    }
    if (token?.kind !== "word") throw this.syntax();
    this.position++;
    const next = this.tokens[this.position];
    if (next?.kind === "open") {
      const lambda = /^(.*)\/(any|all)$/i.exec(token.text);
      return lambda ? this.lambda(scope, lambda[1]!, lambda[2]!.toLowerCase()) : this.call(scope, token.text);
    }
    return this.comparison(scope, token.text);
  }

  /** A path as written, resolved against the scope: its property in the schema and the path to read. */
  private resolve(scope: Scope, written: string): { property: string; read: string; type: FilterType } {
    let path = written;
    if (scope.variable !== undefined) {
      if (path === scope.variable) path = "";
      else if (path.startsWith(`${scope.variable}/`)) path = path.slice(scope.variable.length + 1);
      else throw new GraphFailure(400, "BadRequest", `The range variable '${scope.variable}' must start '${written}'.`);
    }
    const property = Object.keys(scope.schema).find((candidate) => candidate.toLowerCase() === path.toLowerCase());
    if (property === undefined) {
      const head = path.split("/")[0] ?? path;
      if (scope.variable === undefined && !canonicalProperty(this.entity, head)) {
        throw new GraphFailure(
          400,
          "BadRequest",
          `Could not find a property named '${head}' on type '${this.entity.type}'.`,
        );
      }
      throw unsupported(`Filtering on '${written}' is not supported by the emulator.`, this.root);
    }
    const qualified = scope.prefix ? `${scope.prefix}/${property}`.replace(/\/$/, "") : property;
    if (!this.properties.includes(qualified)) this.properties.push(qualified);
    return { property: qualified, read: property, type: scope.schema[property]! };
  }

  private comparison(scope: Scope, written: string): Predicate {
    const { property, read, type } = this.resolve(scope, written);
    const operator = this.tokens[this.position];
    const value = this.tokens[this.position + 1];
    if (operator?.kind !== "word" || !value || value.kind !== "literal") throw this.syntax();
    this.position += 2;
    const clause = parseClause(`${property} ${operator.text} ${value.text}`, { [property]: type }, this.entity);
    // holds() reads the clause's property from the item; inside a lambda the item is the element.
    return (item) => holds({ ...clause, property: "value" }, { value: valueOf(item, read) });
  }

  private call(scope: Scope, name: string): Predicate {
    const fn = name.toLowerCase() as StringFunction;
    this.expect("open");
    const target = this.expect("word") as { kind: "word"; text: string };
    this.expect("comma");
    const literal = this.expect("literal") as { kind: "literal"; text: string };
    this.expect("close");
    const { property, read, type } = this.resolve(scope, target.text);
    if (type.kind !== "string" || !type.functions?.includes(fn)) {
      throw unsupported(`The function '${name}' on '${property}' is not supported by the emulator.`, this.root);
    }
    if (!/^'(?:[^']|'')*'$/.test(literal.text)) {
      throw new GraphFailure(400, "BadRequest", `The function '${name}' takes a string, not '${literal.text}'.`);
    }
    const needle = literal.text.slice(1, -1).replace(/''/g, "'").toLowerCase();
    return (item) => {
      const actual = valueOf(item, read);
      if (typeof actual !== "string") return false;
      const text = actual.toLowerCase();
      return fn === "startswith"
        ? text.startsWith(needle)
        : fn === "endswith"
          ? text.endsWith(needle)
          : text.includes(needle);
    };
  }

  private lambda(scope: Scope, written: string, kind: string): Predicate {
    const { property, read, type } = this.resolve(scope, written);
    if (type.kind !== "collection") {
      throw unsupported(`The lambda '${kind}' on '${property}' is not supported by the emulator.`, this.root);
    }
    this.expect("open");
    const variable = (this.expect("word") as { kind: "word"; text: string }).text;
    this.expect("colon");
    const inner = this.or({ schema: type.items, variable, prefix: property });
    this.expect("close");
    return (item) => {
      const elements = valueOf(item, read);
      if (!Array.isArray(elements)) return false;
      return kind === "any" ? elements.some((element) => inner(element)) : elements.every((element) => inner(element));
    };
  }
}

interface Scope {
  schema: FilterSchema;
  /** The lambda's range variable, inside one. */
  variable?: string;
  /** The collection property a lambda looks into, for `properties`. */
  prefix?: string;
}

function parseExtended(filter: string, schema: FilterSchema, entity: EntitySchema): ParsedFilter {
  const parser = new ExtendedParser(filter, schema, entity);
  const test = parser.parse();
  return { test, properties: parser.properties };
}
