/**
 * Secrets and optional settings that wrangler.toml does not declare, merged into
 * the generated Env (worker-configuration.d.ts, from `npm run types`).
 */
interface AppSettings {
  /** Client secret of the Entra app registration. */
  MICROSOFT_CLIENT_SECRET: string;
  /** 32 random bytes, base64: encrypts Microsoft tokens at rest. */
  TOKEN_ENCRYPTION_KEY: string;
  /**
   * Earlier TOKEN_ENCRYPTION_KEY values, comma-separated, still accepted for
   * reading during a key rotation; data read with one is resealed with the current key.
   */
  TOKEN_ENCRYPTION_KEYS_PREVIOUS?: string;
  /** Microsoft tenant ids allowed to sign in, comma-separated; empty allows every tenant. */
  ALLOWED_TENANTS?: string;
  /** Workers Analytics Engine dataset for counters (optional binding; logs carry the same facts). */
  METRICS?: AnalyticsEngineDataset;
  /** Seconds without activity after which a session object deletes itself (default 86400). */
  SESSION_IDLE_SECONDS?: string;
  /** "true": only read tools are offered, and sign-in asks only for their permissions. */
  READ_ONLY?: string;
  /** "all" (default) or workloads, comma-separated: mail, calendar, contacts, teams, files, tasks, search. */
  TOOL_PRESET?: string;
  /** Exact tool names to offer, comma-separated; overrides TOOL_PRESET. */
  ENABLED_TOOLS?: string;
  /**
   * "upfront": sign-in asks for every permission the enabled tools may use.
   * Default ("on-demand"): sign-in asks for BASE_SCOPES, and a tool needing
   * more answers with a consent link for exactly what it lacks.
   */
  CONSENT_MODE?: string;
  /**
   * The permissions of a sign-in under consent on demand: a preset
   * ("mail-calendar", the default; "minimal"; "read") or Graph permission
   * names, comma- or space-separated. User.Read is always included.
   */
  BASE_SCOPES?: string;
  /** Seconds the Graph circuit breaker stays open before a probe (default 30). */
  CIRCUIT_OPEN_SECONDS?: string;
  /** Seconds one Graph request may take before it is abandoned (default 20). */
  GRAPH_TIMEOUT_SECONDS?: string;
  /** Seconds a session trusts the runtime config it read from CONFIG_KV (default 30). */
  RUNTIME_CONFIG_TTL_SECONDS?: string;
  /** Signs the cookie that remembers approved MCP clients. */
  COOKIE_SECRET: string;
  /** Bearer key for operator endpoints (`npm run forget-user`); unset, they answer 404. */
  OPERATOR_KEY?: string;
  /**
   * Development only: a URL prefix `uploadFile`'s sourceUrl may fetch besides public
   * https (`npm run dev` sets the emulator's `/_emulator/blob`). Never set it in production.
   */
  DEV_UPLOAD_SOURCE_PREFIX?: string;
  /** Canonical public origin (https://mcp.example.com); defaults to the request's origin. */
  PUBLIC_URL?: string;
  /** Extra browser origins allowed to call the MCP endpoints, comma-separated. */
  ALLOWED_ORIGINS?: string;
}

declare global {
  interface Env extends AppSettings {}
  namespace Cloudflare {
    interface Env extends AppSettings {}
  }
}

export {};
