/**
 * The first step of a tool call: the arguments checked against the tool's
 * input schema. A failure is a tool error, `invalid_input`, naming each field
 * and its rule, so the model reads it and corrects the call (MCP 2025-11-25
 * asks for exactly this rather than a protocol error). Numbers and booleans a
 * model sent as strings ("5", "true") are taken as what they plainly say.
 */
import type { z } from "zod";
import { ToolError } from "../../graph/errors.ts";

/** Issues named in one error; a model fixes a few at a time, and the rest come back on the next try. */
const MAX_ISSUES = 3;

/** A decimal number and nothing else: no blanks, hex, exponents, "Infinity" or trailing text. */
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** What a string stands for where the schema expects a number or a boolean; undefined when ambiguous. */
function scalarFromString(expected: string, text: string): number | boolean | undefined {
  if (expected === "boolean") return text === "true" ? true : text === "false" ? false : undefined;
  if (expected === "number" && DECIMAL.test(text)) return Number(text);
  return undefined;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

/**
 * A copy of `args` with each string that one of `issues` refused as not a
 * number or boolean replaced by the number or boolean it spells, or
 * undefined when there is none.
 */
function withScalarsFromStrings(args: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  let copy: unknown;
  for (const issue of issues) {
    if (issue.code !== "invalid_type" || issue.path.length === 0) continue;
    const text = valueAt(args, issue.path);
    if (typeof text !== "string") continue;
    const scalar = scalarFromString(issue.expected, text);
    if (scalar === undefined) continue;
    copy ??= structuredClone(args);
    const parent = valueAt(copy, issue.path.slice(0, -1)) as Record<PropertyKey, unknown>;
    parent[issue.path.at(-1)!] = scalar;
  }
  return copy;
}

const TYPE_NAMES: Record<string, string> = {
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  string: "a string",
  array: "an array",
  object: "an object",
  record: "an object",
};

const FORMAT_NAMES: Record<string, string> = {
  email: "an email address",
  url: "a URL",
  uuid: "a UUID",
  guid: "a GUID",
  datetime: "an ISO 8601 date and time",
  date: "a date (YYYY-MM-DD)",
  time: "a time (HH:MM)",
};

/** The value a model sent, short enough to quote back: strings clipped, containers named. */
function described(input: unknown): string {
  if (typeof input === "string") return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input);
  if (Array.isArray(input)) return "an array";
  if (input !== null && typeof input === "object") return "an object";
  return String(input);
}

/** "50", "1 character", "3 items": a limit in the units of what it limits. */
function amount(limit: number | bigint, origin: string): string {
  const unit = origin === "string" ? "character" : origin === "array" || origin === "set" ? "item" : "";
  if (!unit) return String(limit);
  return `${limit} ${unit}${Number(limit) === 1 ? "" : "s"}`;
}

/**
 * The rule an issue broke, in a few words. Messages a schema gives itself
 * (a refinement's text) take precedence over these; issues not named here
 * keep zod's wording.
 */
const ruleOf: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "required";
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, not ${described(issue.input)}`;
    case "too_big": {
      const limit = amount(issue.maximum, issue.origin);
      if (issue.exact) return `must be exactly ${limit}`;
      return issue.inclusive === false ? `must be less than ${limit}` : `must be at most ${limit}`;
    }
    case "too_small": {
      const limit = amount(issue.minimum, issue.origin);
      if (issue.exact) return `must be exactly ${limit}`;
      if (Number(issue.minimum) === 1 && /^(string|array|set)$/.test(issue.origin)) return "must not be empty";
      return issue.inclusive === false ? `must be more than ${limit}` : `must be at least ${limit}`;
    }
    case "invalid_value":
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
    case "invalid_format":
      if (issue.format === "regex") return "is not in the expected format";
      return `must be ${FORMAT_NAMES[issue.format] ?? `a valid ${issue.format}`}`;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.join(", ")}`;
    default:
      return undefined;
  }
};

/** A field's path as a model would write it: `to[0]`, `attendees[1].email`; the arguments themselves when empty. */
function fieldOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "arguments";
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join("");
}

/** "count: must be at most 50; to[0]: must be an email address." */
function issuesText(issues: readonly z.core.$ZodIssue[]): string {
  const named = issues.slice(0, MAX_ISSUES).map((issue) => `${fieldOf(issue.path)}: ${issue.message}`);
  const more = issues.length > MAX_ISSUES ? [`and ${issues.length - MAX_ISSUES} more`] : [];
  const text = [...named, ...more].join("; ");
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * The arguments a tool runs with: `args` parsed by `schema` (defaults filled
 * in), after numbers and booleans given as strings are read as such.
 * Throws an `invalid_input` ToolError naming the fields and rules otherwise.
 */
export async function parseArguments(schema: z.ZodType, args: unknown): Promise<Record<string, unknown>> {
  let parsed = await schema.safeParseAsync(args, { error: ruleOf });
  if (!parsed.success) {
    const lenient = withScalarsFromStrings(args, parsed.error.issues);
    if (lenient !== undefined) parsed = await schema.safeParseAsync(lenient, { error: ruleOf });
  }
  if (!parsed.success) throw new ToolError("invalid_input", issuesText(parsed.error.issues));
  return parsed.data as Record<string, unknown>;
}
