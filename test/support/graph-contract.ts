/**
 * Checks Graph requests against Microsoft's published descriptions of Graph:
 * paths and query options against the URL templates of Microsoft's Graph SDK
 * packages on npm (`@microsoft/msgraph-sdk-*`, generated from the v1.0
 * metadata), and the property names in $select, $filter, $orderby, $expand and
 * directory $search against the types of `@microsoft/microsoft-graph-types`.
 * Knows nothing of the server or the emulator: it reads requests as the
 * emulator logged them. Node only (reads node_modules).
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/** The SDK packages that carry v1.0 URL templates (the `-me`, `-drives` and `-search` packages are not on npm). */
export const SDK_PACKAGES = [
  "@microsoft/msgraph-sdk-users",
  "@microsoft/msgraph-sdk-chats",
  "@microsoft/msgraph-sdk-teams",
  "@microsoft/msgraph-sdk-sites",
] as const;

const TYPES_PACKAGE = "@microsoft/microsoft-graph-types";

/** One request as the emulator's log has it. */
export interface LoggedGraphRequest {
  method: string;
  /** With /v1.0, URL-encoded as sent. */
  path: string;
  query: string;
  batch?: { method: string; url: string }[];
}

interface Template {
  /** "name@version" of the package it came from. */
  source: string;
  /** The path part, e.g. /users/{user-id}/messages/{message-id}. */
  path: string;
  pattern: RegExp;
  literalCharacters: number;
  /** Query parameters it takes, "$select" etc. included. */
  query: Set<string>;
  /** Methods it takes, with the entity type a GET answers (from its response factory), when known. */
  methods: Map<string, string | undefined>;
}

interface TypeInfo {
  base: string[];
  /** Property name → the type of its value (element type for collections), "string" etc. for primitives. */
  properties: Map<string, string>;
}

const requireFromHere = createRequire(import.meta.url);

function packageDirectory(name: string): string {
  return dirname(requireFromHere.resolve(`${name}/package.json`));
}

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(packageDirectory(name), "package.json"), "utf8")) as { version: string })
    .version;
}

function jsFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : jsFiles(path);
    return entry.name.endsWith(".js") ? [path] : [];
  });
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Splits "{+baseurl}/users/{user%2Did}/calendarView?endDateTime={endDateTime}{&%24top}" into path and parameters. */
function parseTemplate(raw: string): { path: string; query: Set<string> } {
  const body = raw.replace(/^\{\+baseurl\}/, "");
  const start = body.search(/\{\?|\?/);
  const path = (start < 0 ? body : body.slice(0, start)).replace(/%2D/gi, "-");
  const query = new Set<string>();
  if (start >= 0) {
    const rest = body.slice(start);
    for (const list of rest.matchAll(/\{[?&]([^}]*)\}/g)) {
      for (const name of list[1]!.split(",")) query.add(decodeURIComponent(name.replace(/\*$/, "")));
    }
    for (const pair of rest.replace(/\{[?&][^}]*\}/g, "").matchAll(/[?&]([^=&{]+)=/g)) {
      query.add(decodeURIComponent(pair[1]!));
    }
  }
  return { path, query };
}

function templatePattern(path: string): RegExp {
  const source = path
    .split(/(\{[^}]+\})/)
    .map((part) => (/^\{[^}]+\}$/.test(part) ? "[^/]+" : escapeRegExp(part)))
    .join("");
  return new RegExp(`^${source}$`, "i");
}

/** The entity type a Kiota response factory builds: createMessageCollectionResponseFromDiscriminatorValue → Message. */
function typeOfFactory(factory: string | undefined): string | undefined {
  const name = /^create(\w+)FromDiscriminatorValue$/.exec(factory ?? "")?.[1];
  return name?.replace(/CollectionResponse$/, "");
}

/** Every URL template of the SDK packages, with its methods and the types their GETs answer. */
export function loadTemplates(): { templates: Template[]; sources: string[] } {
  const templates = new Map<string, Template>();
  const sources: string[] = [];
  for (const name of SDK_PACKAGES) {
    const source = `${name}@${packageVersion(name)}`;
    sources.push(source);
    for (const file of jsFiles(packageDirectory(name))) {
      const text = readFileSync(file, "utf8");
      const constants = new Map(
        [...text.matchAll(/export const (\w+UriTemplate) = "([^"]+)";/g)].map((match) => [match[1]!, match[2]!]),
      );
      for (const block of text.matchAll(/export const \w+RequestsMetadata = \{([\s\S]*?)\n\};/g)) {
        for (const method of block[1]!.matchAll(/\n {4}(get|post|patch|put|delete): \{([\s\S]*?)\n {4}\}/g)) {
          const raw = constants.get(/uriTemplate: (\w+)/.exec(method[2]!)?.[1] ?? "");
          if (!raw) continue;
          const { path, query } = parseTemplate(raw);
          const key = `${source} ${path}`;
          const template = templates.get(key) ?? {
            source,
            path,
            pattern: templatePattern(path),
            literalCharacters: path.replace(/\{[^}]+\}/g, "").length,
            query: new Set<string>(),
            methods: new Map<string, string | undefined>(),
          };
          for (const option of query) template.query.add(option);
          const factory = /responseBodyFactory: (\w+)/.exec(method[2]!)?.[1];
          template.methods.set(method[1]!.toUpperCase(), typeOfFactory(factory));
          templates.set(key, template);
        }
      }
    }
  }
  return { templates: [...templates.values()], sources };
}

/** The interfaces of @microsoft/microsoft-graph-types, by name, with their properties' value types. */
export function loadTypes(): { types: Map<string, TypeInfo>; source: string } {
  const directory = packageDirectory(TYPES_PACKAGE);
  const text = readFileSync(join(directory, "microsoft-graph.d.ts"), "utf8").replace(/\r\n/g, "\n");
  const types = new Map<string, TypeInfo>();
  for (const match of text.matchAll(/^export interface (\w+)(?: extends ([\w, ]+))? \{\n([\s\S]*?)^\}/gm)) {
    const properties = new Map<string, string>();
    for (const property of match[3]!.matchAll(/^ {4}"?([\w@.]+)"?\??: (.+);$/gm)) {
      const valueType = property[2]!
        .replace(/^NullableOption<(.+)>$/, "$1")
        .replace(/\[\]$/, "")
        .trim();
      properties.set(property[1]!, valueType);
    }
    types.set(match[1]!, {
      base: (match[2] ?? "")
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
      properties,
    });
  }
  return { types, source: `${TYPES_PACKAGE}@${packageVersion(TYPES_PACKAGE)}` };
}

/** A property's value type on an entity type or one of its bases; undefined when it has no such property. */
function ownPropertyType(types: Map<string, TypeInfo>, typeName: string, property: string): string | undefined {
  const info = types.get(typeName);
  if (!info) return undefined;
  return info.properties.get(property) ?? info.base.map((base) => ownPropertyType(types, base, property)).find(Boolean);
}

/** The types that extend `typeName`, directly or not. */
function derivedTypes(types: Map<string, TypeInfo>, typeName: string): string[] {
  const direct = [...types].filter(([, info]) => info.base.includes(typeName)).map(([name]) => name);
  return [...direct, ...direct.flatMap((name) => derivedTypes(types, name))];
}

/**
 * A property's value type. On a directoryObject (a user's manager, direct
 * reports) Graph serves the concrete object, a user, group or device, and
 * reads their properties without a type cast: those count too.
 */
function propertyType(types: Map<string, TypeInfo>, typeName: string, property: string): string | undefined {
  const own = ownPropertyType(types, typeName, property);
  if (own || typeName !== "DirectoryObject") return own;
  return derivedTypes(types, typeName)
    .map((name) => ownPropertyType(types, name, property))
    .find(Boolean);
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** Resolves "dueDateTime/dateTime" (or a cast "microsoft.graph.fileAttachment/contentBytes") from `typeName`; the problem if any. */
function checkPropertyPath(
  types: Map<string, TypeInfo>,
  typeName: string,
  path: string,
): { type?: string; problem?: string } {
  let current = typeName;
  for (const segment of path.split("/")) {
    if (segment.startsWith("microsoft.graph.")) {
      current = pascal(segment.slice("microsoft.graph.".length));
      if (!types.has(current)) return { problem: `'${segment}' is not a Graph type` };
      continue;
    }
    const next = propertyType(types, current, segment);
    if (!next) return { problem: `'${segment}' is not a property of ${current}` };
    current = next;
  }
  return { type: current };
}

const FILTER_WORDS = new Set(
  "and or not eq ne gt ge lt le in has any all true false null".split(" ").map((word) => word.toLowerCase()),
);

/** The property paths a $filter names, each with the type it is read on (lambda variables resolved). */
function filterPaths(
  types: Map<string, TypeInfo>,
  typeName: string,
  filter: string,
): { paths: string[]; problems: string[] } {
  const paths: string[] = [];
  const problems: string[] = [];
  const variables = new Map<string, string>();
  // String, date and number literals name no property.
  const text = filter
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/\b\d{4}-\d{2}-\d{2}(?:T[\d:.]+)?(?:Z|[+-]\d{2}:\d{2})?/g, "0");
  const tokens = [...text.matchAll(/[A-Za-z_][\w.]*(?:\/[A-Za-z_][\w.]*)*(?=\s*(\()?)/g)];
  for (const token of tokens) {
    const word = token[0];
    const followedByParen = token[1] === "(";
    if (FILTER_WORDS.has(word.toLowerCase())) continue;
    const lambda = /^(.*)\/(any|all)$/i.exec(word);
    if (lambda && followedByParen) {
      const resolved = checkPropertyPath(types, typeName, lambda[1]!);
      paths.push(lambda[1]!);
      if (resolved.problem) problems.push(`$filter: ${resolved.problem}`);
      const variable = /^\s*\(\s*(\w+)\s*:/.exec(text.slice(token.index + word.length))?.[1];
      if (variable && resolved.type) variables.set(variable, resolved.type);
      continue;
    }
    if (followedByParen) continue; // a function: startswith(...), contains(...)
    const [head, ...rest] = word.split("/");
    if (variables.has(head!)) {
      if (
        text
          .slice(token.index + word.length)
          .trimStart()
          .startsWith(":")
      )
        continue; // the variable's declaration
      if (rest.length === 0) continue; // the element itself (a collection of strings)
      const resolved = checkPropertyPath(types, variables.get(head!)!, rest.join("/"));
      paths.push(word);
      if (resolved.problem) problems.push(`$filter: ${resolved.problem}`);
      continue;
    }
    const resolved = checkPropertyPath(types, typeName, word);
    paths.push(word);
    if (resolved.problem) problems.push(`$filter: ${resolved.problem}`);
  }
  return { paths, problems };
}

/** Splits on commas outside parentheses. */
function topLevelList(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else current += char;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** Problems with the property names of a request's query options, read on `typeName`; and how many names were checked. */
function propertyProblems(
  types: Map<string, TypeInfo>,
  typeName: string,
  query: URLSearchParams,
): { problems: string[]; names: number } {
  const problems: string[] = [];
  let names = 0;
  const check = (option: string, path: string, on = typeName) => {
    names++;
    const resolved = checkPropertyPath(types, on, path);
    if (resolved.problem) problems.push(`${option}: ${resolved.problem}`);
    return resolved.type;
  };
  for (const [name, value] of query) {
    const option = name.toLowerCase();
    if (option === "$select") for (const path of value.split(",")) check("$select", path.trim());
    if (option === "$orderby") {
      for (const part of value.split(",")) check("$orderby", part.trim().replace(/\s+(asc|desc)$/i, ""));
    }
    if (option === "$filter") {
      const found = filterPaths(types, typeName, value);
      names += found.paths.length;
      problems.push(...found.problems);
    }
    if (option === "$expand") {
      for (const item of topLevelList(value)) {
        const nested = /^([\w/.]+)(?:\((.*)\))?$/.exec(item);
        if (!nested) {
          problems.push(`$expand: cannot read '${item}'`);
          continue;
        }
        const target = check("$expand", nested[1]!);
        for (const inner of (nested[2] ?? "").split(";")) {
          const select = /^\s*\$select=(.*)$/i.exec(inner)?.[1];
          if (select && target) for (const path of select.split(",")) check("$expand($select)", path.trim(), target);
        }
      }
    }
    // Directory $search: "property:value" clauses name properties.
    if (option === "$search" && typeName === "User") {
      for (const clause of value.matchAll(/"([A-Za-z]\w*):/g)) check("$search", clause[1]!);
    }
  }
  return { problems, names };
}

/** A Graph id segment, for naming a request shape without published description. */
function looksLikeId(written: string): boolean {
  const segment = written.replace(/:$/, "");
  if (segment.includes("(")) return false;
  return (
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment) ||
    /^19:/.test(segment) ||
    /^\d+$/.test(segment) ||
    /^(b!|01)[\w!-]{10,}$/.test(segment) ||
    /[,=]/.test(segment) ||
    (segment.length >= 24 && /^[\w+/=-]+$/.test(segment))
  );
}

/** The path as a shape: ids as {id}, path-addressed items as root:/{path}:, search(q='...') as search(q={q}). */
function shapeOfPath(path: string): string {
  return path
    .replace(/:\/[^:]*(:|$)/g, (_whole, end: string) => `:/{path}${end}`)
    .replace(/search\(q='(?:[^']|'')*'\)/gi, "search(q={q})")
    .split("/")
    .map((segment) => (looksLikeId(segment) ? (segment.endsWith(":") ? "{id}:" : "{id}") : segment))
    .join("/");
}

/**
 * The entity type of a drive path that no SDK package on npm describes
 * (Microsoft publishes no drives package): its properties are still checked.
 */
function driveTypeOf(shape: string): string | undefined {
  if (/\/(children|root|items\/\{id\}|root:\/\{path\}:?|search\(q=\{q\}\))$/i.test(shape)) return "DriveItem";
  if (/\/(drive|drives\/\{id\})$/i.test(shape)) return "Drive";
  return undefined;
}

export interface CheckedShape {
  method: string;
  /** The SDK template's path, or the request's path with its ids as {id}. */
  path: string;
  /** Query option names, sorted. */
  options: string[];
  /** "name@version" of the package whose template describes it; undefined when none does. */
  reference?: string;
  /** For a shape without template: the Graph type its property names were checked on. */
  inferredType?: string;
  problems: string[];
}

export interface ContractReport {
  shapes: CheckedShape[];
  /** Property names checked against the types. */
  propertyNames: number;
  templateSources: string[];
  typesSource: string;
}

/** Paging parameters Graph puts in the @odata.nextLink it hands back; SDKs follow those links as given. */
const NEXT_LINK_OPTIONS = new Set(["$skiptoken"]);

/** The request lines to check: each logged Graph request, and each request inside a $batch. */
function requestLines(entries: readonly LoggedGraphRequest[]): { method: string; path: string; query: string }[] {
  return entries.flatMap((entry) => {
    if (/^\/v1\.0\/\$batch$/i.test(entry.path)) {
      return (entry.batch ?? []).map((inner) => {
        const url = new URL(inner.url.replace(/^\/?/, "/"), "http://graph.invalid");
        return { method: inner.method, path: url.pathname, query: url.search.slice(1) };
      });
    }
    if (!/^\/v1\.0\//i.test(entry.path)) return [];
    return [{ method: entry.method, path: entry.path.replace(/^\/v1\.0/i, ""), query: entry.query }];
  });
}

/** Checks every request; one result per request shape (method, path template, query option names). */
export function checkRequests(entries: readonly LoggedGraphRequest[]): ContractReport {
  const { templates, sources } = loadTemplates();
  const { types, source: typesSource } = loadTypes();
  const shapes = new Map<string, CheckedShape>();
  let propertyNames = 0;
  for (const line of requestLines(entries)) {
    const decoded = line.path
      .split("/")
      .map((segment) => {
        try {
          return decodeURIComponent(segment);
        } catch {
          return segment;
        }
      })
      .join("/");
    // Graph's /me is the signed-in user's /users/{id}.
    const asUser = decoded.replace(/^\/me(?=\/|$)/i, "/users/me");
    const template = templates
      .filter((candidate) => candidate.pattern.test(asUser) && candidate.methods.has(line.method))
      .sort((a, b) => b.literalCharacters - a.literalCharacters)[0];
    const query = new URLSearchParams(line.query);
    const options = [...new Set([...query.keys()])].sort();
    const path = template ? template.path : shapeOfPath(decoded);
    const key = `${line.method} ${path}${template ? "" : " (unpublished)"} ?${options.join("&")}`;
    const shape = shapes.get(key) ?? {
      method: line.method,
      path,
      options,
      ...(template ? { reference: template.source } : {}),
      problems: [],
    };
    if (template) {
      for (const option of options) {
        if (!template.query.has(option) && !NEXT_LINK_OPTIONS.has(option.toLowerCase())) {
          shape.problems.push(`query option '${option}' is not in the template (${[...template.query].join(", ")})`);
        }
      }
    }
    const typeName = template
      ? template.methods.get(line.method)
      : line.method === "GET"
        ? driveTypeOf(path)
        : undefined;
    if (!template && typeName) shape.inferredType = typeName;
    if (typeName && types.has(typeName)) {
      const checked = propertyProblems(types, typeName, query);
      propertyNames += checked.names;
      shape.problems.push(...checked.problems.map((problem) => `${problem} (${line.path}?${line.query})`));
    }
    shape.problems = [...new Set(shape.problems)];
    shapes.set(key, shape);
  }
  return { shapes: [...shapes.values()], propertyNames, templateSources: sources, typesSource };
}

/**
 * `node test/support/graph-contract.ts FILE`: checks a request log the
 * emulator appended to FILE (EMULATOR_REQUEST_LOG=FILE npm test), every
 * logged Graph request of the run, the tests' own direct calls included.
 * Prints the shapes with problems and those without published template.
 */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node test/support/graph-contract.ts REQUEST_LOG.jsonl");
    process.exit(2);
  }
  const entries = readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LoggedGraphRequest);
  const report = checkRequests(entries);
  const shape = (item: CheckedShape) =>
    `${item.method} ${item.path}${item.options.length ? ` ?${item.options.join("&")}` : ""}`;
  const published = report.shapes.filter((item) => item.reference);
  console.log(
    `${report.shapes.length} request shapes; ${published.length} against ${report.templateSources.join(", ")}; ${report.propertyNames} property names against ${report.typesSource}.`,
  );
  for (const item of report.shapes.filter((candidate) => candidate.problems.length > 0)) {
    console.log(`PROBLEM ${shape(item)}\n  ${item.problems.join("\n  ")}`);
  }
  for (const item of report.shapes.filter((candidate) => !candidate.reference))
    console.log(`UNPUBLISHED ${shape(item)}`);
  process.exit(report.shapes.some((item) => item.problems.length > 0) ? 1 : 0);
}
