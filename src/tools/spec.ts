/** The types tools and resources are written against, and the cache lifetimes of their kinds of data. */
import type { z } from "zod";
import type { UserCache } from "../graph/cache.ts";
import type { GraphClient } from "../graph/client.ts";
import type { RuntimeConfig } from "../config.ts";

/** Kinds of cached Graph reads; a write names the kinds it makes stale. */
export type CacheKind = "mail" | "calendar" | "contacts" | "directory" | "teams" | "files" | "tasks" | "search";

/** How long each kind of cached read stays fresh enough to serve. */
export const CACHE_TTL_SECONDS: Record<CacheKind, number> = {
  mail: 60,
  calendar: 120,
  contacts: 600,
  directory: 3600,
  teams: 60,
  files: 120,
  tasks: 120,
  search: 120,
};

/** The signed-in account as Microsoft granted it. */
export interface AccountSummary {
  name: string;
  username: string;
  tenantId: string;
  objectId: string;
  scopes: string[];
  /** Epoch milliseconds when the current Microsoft access token expires. */
  tokenExpiresAt: number;
}

/** What an idempotency key's earlier use left behind. */
export type OnceRecord =
  | { state: "new" }
  | { state: "pending" }
  | { state: "done"; result: unknown }
  | { state: "unknown" }
  | { state: "mismatch" };

/** What a tool's handler may use: the user's Graph client and who they are. */
export interface ToolContext {
  graph: GraphClient;
  /** This user's cache of Graph reads (CACHE_KV). */
  cache: UserCache;
  /** The signed-in account as Microsoft granted it, read from the user's account object. */
  account(): Promise<AccountSummary>;
  /**
   * Reports progress of a long call (MCP `notifications/progress`) when the
   * client asked for it with a progress token; otherwise does nothing.
   */
  progress?(progress: number, total?: number, message?: string): Promise<void>;
  /** The session's per-user services (absent where no user is signed in, e.g. discovery). */
  services?: CallServices;
  /** Round trips this call made (Durable Object calls, KV reads), for its log line. */
  meter?: { durableObjects: number; kvReads: number };
  /** Development only: a URL prefix (the emulator's) `uploadFile` may fetch besides public https. */
  devUploadSourcePrefix?: string;
}

/** Per-user mechanisms every tool call goes through; backed by the user's UserAccount object. */
export interface CallServices {
  /** A hash of the user's key: identifies them in logs without naming them. */
  userHash: string;
  beginOnce(scope: string, key: string, argsHash: string): Promise<OnceRecord>;
  finishOnce(
    scope: string,
    key: string,
    outcome: { state: "done"; result: unknown } | { state: "unknown" } | { state: "forget" },
  ): Promise<void>;
  cacheGenerations(kinds: readonly CacheKind[]): Promise<Record<string, string>>;
  bumpCacheGenerations(kinds: readonly CacheKind[]): Promise<void>;
  /** Workers Analytics Engine dataset for counters, when bound. */
  metrics?: AnalyticsEngineDataset;
  /** Signs the user out of this server everywhere (logout). */
  signOut(): Promise<{ grantsRevoked: number; cacheEntriesDeleted: number }>;
  /** The operator's runtime settings (CONFIG_KV), re-read every 30 seconds at most. */
  runtimeConfig?(): Promise<RuntimeConfig>;
}

/** A tool's answer: a short text for the model, and the same facts as structured content when it declares an output schema. */
export interface ToolOutput {
  text: string;
  structured?: Record<string, unknown>;
}

/**
 * One tool, as data: the catalog derives MCP annotations, the Graph
 * permissions to request at sign-in, and read-only filtering from it.
 */
export interface ToolSpec<Input extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: Input;
  output?: z.ZodRawShape;
  /** Delegated Graph permissions the tool needs (least privilege). Empty: none beyond sign-in. */
  scopes: readonly string[];
  /** "read" tools change nothing in Microsoft 365. */
  access: "read" | "write";
  /** Writes only: deletes or overwrites something the user cannot get back. */
  destructive?: boolean;
  /** Writes only: repeating the same call has no further effect. */
  idempotent?: boolean;
  /**
   * Writes that send or create something (mail, messages, events, files):
   * the tool takes an optional `idempotencyKey`, and a repeat of a key within
   * 24 hours returns the first result without acting again.
   */
  idempotencyKey?: boolean;
  /** Reads: the kind of data the result caches under (per user, in CACHE_KV). */
  cacheKind?: CacheKind;
  /** Writes: the cached kinds of data they change, dropped after the write succeeds. */
  invalidates?: readonly CacheKind[];
  run(args: z.infer<z.ZodObject<Input>>, context: ToolContext): Promise<ToolOutput>;
}

/** Declares a tool with its argument types inferred from `input`. */
export function defineTool<Input extends z.ZodRawShape>(spec: ToolSpec<Input>): ToolSpec<Input> {
  return spec;
}

/**
 * One MCP resource, as data: a fixed `uri` or a URI `template` whose
 * variables `read` receives decoded. It is read through the same steps as a
 * tool call (runtime config, cache, log line, error codes).
 */
export type ResourceSpec = ResourceFields & ({ uri: string } | { template: string });

interface ResourceFields {
  name: string;
  title: string;
  description: string;
  mimeType: string;
  /** Graph permissions the read needs; requested at sign-in and named in consent errors. */
  scopes: readonly string[];
  /** The kind of data the read caches under; a write to that kind makes it stale. */
  cacheKind: CacheKind;
  /** How long a read stays fresh when it should differ from its kind's lifetime. */
  cacheSeconds?: number;
  /**
   * The enabled tools that bring the resource along: any tool caching this
   * kind of data, or one tool by name. Absent: always offered.
   */
  offeredWith?: { kind: CacheKind } | { tool: string };
  /** The resource's text for the given template variables. */
  read(variables: Record<string, string>, context: ToolContext): Promise<string>;
}

export function defineResource(spec: ResourceSpec): ResourceSpec {
  return spec;
}
