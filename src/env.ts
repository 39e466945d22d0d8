/**
 * Secrets and optional settings that wrangler.toml does not declare, merged into
 * the generated Env (worker-configuration.d.ts, from `npm run types`).
 */
interface AppSettings {
  /** Client secret of the Entra app registration. */
  MICROSOFT_CLIENT_SECRET: string;
  /** 32 random bytes, base64: encrypts Microsoft tokens at rest. */
  TOKEN_ENCRYPTION_KEY: string;
  /** Signs the cookie that remembers approved MCP clients. */
  COOKIE_SECRET: string;
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
