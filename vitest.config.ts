import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        // Unit and integration tests inside the Workers runtime, with local KV and
        // Durable Objects; Graph and Entra are the emulator, started by globalSetup.
        plugins: [
          cloudflareTest(({ inject }) => {
            const emulatorUrl = inject<string>("emulatorUrl");
            return {
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  MICROSOFT_AUTHORITY_URL: emulatorUrl,
                  GRAPH_BASE_URL: `${emulatorUrl}/v1.0`,
                  MICROSOFT_CLIENT_SECRET: "local-dev-secret-not-for-production",
                  TOKEN_ENCRYPTION_KEY: "dGVzdC1vbmx5LWtleS0zMi1ieXRlcy1sb25nLSEhISE=",
                  COOKIE_SECRET: "test-only-cookie-secret-0123456789abcdef",
                  // A retired key still accepted for reading (the rotation test seals with it).
                  TOKEN_ENCRYPTION_KEYS_PREVIOUS: "cHJldmlvdXMtdGVzdC1rZXktMzItYnl0ZXMtbG9uZyE=",
                  // The breaker's open period, short so a test sees it close again.
                  CIRCUIT_OPEN_SECONDS: "1",
                  // Timeouts in seconds rather than the production 20.
                  GRAPH_TIMEOUT_SECONDS: "5",
                  // Runtime config changes apply to open sessions at once.
                  RUNTIME_CONFIG_TTL_SECONDS: "0",
                },
                // wrangler.toml's generous limits, and tight ones for the tests of the limits themselves.
                ratelimits: {
                  USER_RATE_LIMIT: { namespace_id: "1001", simple: { limit: 100000, period: 60 } },
                  TENANT_RATE_LIMIT: { namespace_id: "1002", simple: { limit: 100000, period: 60 } },
                  ANONYMOUS_RATE_LIMIT: { namespace_id: "1003", simple: { limit: 100000, period: 60 } },
                  TIGHT_USER_RATE_LIMIT: { namespace_id: "9001", simple: { limit: 3, period: 60 } },
                  TIGHT_TENANT_RATE_LIMIT: { namespace_id: "9002", simple: { limit: 2, period: 60 } },
                  TIGHT_ANONYMOUS_RATE_LIMIT: { namespace_id: "9003", simple: { limit: 2, period: 60 } },
                },
              },
            };
          }),
        ],
        test: {
          name: "workers",
          include: ["test/unit/**/*.test.ts"],
          // The files share one emulator and reset it between tests: one file at a time.
          fileParallelism: false,
          globalSetup: ["test/unit/global-setup.ts"],
        },
      },
      {
        // End-to-end: the emulator and `wrangler dev`, driven by real MCP clients.
        test: {
          name: "node",
          include: ["test/e2e/**/*.test.ts", "test/emulator/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/e2e/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
