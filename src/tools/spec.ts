/** The types tools and resources are written against, and the cache lifetimes of their kinds of data. */
import type { z } from "zod";
import type { UserCache } from "../graph/cache.ts";
import type { GraphClient } from "../graph/client.ts";
import type { RuntimeConfig } from "../config.ts";
import type { IconWorkload } from "../shared/workload-icons.ts";

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
  /** Permissions the enabled tools may use that are not granted yet (asked for when a tool needs one). */
  missing: string[];
  /** Of those, the ones only an administrator can grant. */
  needsAdmin: string[];
  /** Epoch milliseconds when the current Microsoft access token expires. */
  tokenExpiresAt: number;
}

/**
 * What a keyed write's requests carry so that a later call can find out
 * whether they took effect: a marker unique to the key's use (an extended
 * property, a transactionId, an externalId) and when the key was claimed.
 */
export interface OnceMarker {
  value: string;
  /** Epoch ms: every attempt with the key started at or after this. */
  since: number;
}

/** How a call meets its idempotency key (UserAccount's records). */
export type OnceRecord =
  /** First use: act, carrying the marker. */
  | { state: "new"; marker: OnceMarker }
  /** An earlier attempt may have acted and has settled: check by the marker, then act only if it did not. */
  | { state: "reconcile"; marker: OnceMarker }
  | { state: "done"; result: unknown }
  /** Another call with the key is running. */
  | { state: "pending"; retryAfterSeconds: number }
  /** An earlier attempt may have acted and may still be landing at Microsoft: wait before checking. */
  | { state: "settling"; retryAfterSeconds: number }
  /** An earlier attempt may have acted and this tool cannot check. */
  | { state: "unknown" }
  | { state: "mismatch" };

/** How a claimed key's call ended. */
export type OnceOutcome =
  | { state: "done"; result: unknown }
  /** It may have acted; `settle: false` when nothing new was sent (a failed check) and it need not wait. */
  | { state: "unknown"; settle?: boolean }
  /** It certainly did not act: the key may run again. */
  | { state: "released" };

/** How a call meets a permission the user has not granted (consent on demand). */
export type ConsentAnswer =
  /** A link that adds the permissions, bound to this user, single use, expiring. */
  | { kind: "link"; url: string; expiresAt: number; elicitationId: string }
  /**
   * Microsoft answered that only an administrator can grant `scopes`: the
   * person cannot act alone; the link picks the grant up once one has.
   */
  | { kind: "admin"; scopes: string[]; url: string; expiresAt: number };

/** What the pipeline asks before a call: which permissions the user holds, and a way to add more. */
export interface ConsentGate {
  /** The Graph permissions the user's token holds; undefined when there is no token (the call then fails on its own). */
  granted(): Promise<readonly string[] | undefined>;
  /** The same, asked of the account itself rather than the session's memory (a consent may just have landed). */
  regranted(): Promise<readonly string[] | undefined>;
  /** A link adding `scopes`, for the tool or resource named `requestedBy`. */
  request(scopes: readonly string[], requestedBy: string): Promise<ConsentAnswer>;
}

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
  /** A keyed write's marker, for its requests to carry (see ToolSpec.reconcile). */
  once?: OnceMarker;
  /** Consent on demand (absent where no user is signed in, or where sign-in asked for everything). */
  consent?: ConsentGate;
}

/** Per-user mechanisms every tool call goes through; backed by the user's UserAccount object. */
export interface CallServices {
  /** A hash of the user's key: identifies them in logs without naming them. */
  userHash: string;
  /** Claims a key; `reconcilable`: the tool can check whether an earlier attempt acted. */
  beginOnce(scope: string, key: string, argsHash: string, reconcilable: boolean): Promise<OnceRecord>;
  /** Ends a claimed key; returns the seconds before a call with it may check an attempt that may have acted. */
  finishOnce(scope: string, key: string, outcome: OnceOutcome): Promise<number | undefined>;
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
  /**
   * Delegated Graph permissions the tool may need (least privilege), all of
   * them: what an up-front sign-in asks for. Empty: none beyond sign-in.
   */
  scopes: readonly string[];
  /**
   * The permissions one call needs, when its arguments decide (another
   * mailbox, a group's calendar); default `scopes`. A call whose permissions
   * the user has not granted answers with a link to grant them (consent on demand).
   */
  scopesFor?(args: z.infer<z.ZodObject<Input>>): readonly string[];
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
  /**
   * Keyed writes: after an attempt that may have acted (a timeout or a 5xx
   * once sent), the next call with the key asks this whether it took effect,
   * looking for `context.once` (the marker the write carried): the output to
   * answer with when it did, undefined when it did not (the write then runs).
   * Throws a ToolError when it cannot tell. Without it such a key stays blocked.
   */
  reconcile?(
    args: z.infer<z.ZodObject<Input>>,
    context: ToolContext & { once: OnceMarker },
  ): Promise<ToolOutput | undefined>;
  /** Keyed writes whose arguments rule a check out (an upload that renames): false, and such a key stays blocked. */
  canReconcile?(args: z.infer<z.ZodObject<Input>>): boolean;
  /** Reads: the kind of data the result caches under (per user, in CACHE_KV). */
  cacheKind?: CacheKind;
  /** Writes: the cached kinds of data they change, dropped after the write succeeds. */
  invalidates?: readonly CacheKind[];
  run(args: z.infer<z.ZodObject<Input>>, context: ToolContext): Promise<ToolOutput>;
}

/** Whether a call gave `value` for an optional argument: present, and not an empty string or list. */
function given(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === "") return false;
  return !Array.isArray(value) || value.length > 0;
}

/**
 * The permissions of a tool some of whose arguments need more: `always` for
 * every call, and each named argument's own when a call gives it
 * (`{ mailbox: ["Mail.Read.Shared"] }`).
 */
export function scopesWith(
  always: readonly string[],
  byArgument: Readonly<Record<string, readonly string[]>>,
): { scopes: string[]; scopesFor(args: Record<string, unknown>): string[] } {
  return {
    scopes: [...new Set([...always, ...Object.values(byArgument).flat()])],
    scopesFor: (args) => [
      ...new Set([
        ...always,
        ...Object.entries(byArgument)
          .filter(([name]) => given(args[name]))
          .flatMap(([, scopes]) => scopes),
      ]),
    ],
  };
}

/** The permissions one call of `spec` needs. */
export function callScopes(spec: ToolSpec, args: Record<string, unknown>): readonly string[] {
  return spec.scopesFor ? spec.scopesFor(args as never) : spec.scopes;
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
  /** The workload whose icon a client shows beside the resource. */
  icon: IconWorkload;
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
