import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const limit = (namespace: string, perMinute: number) => ({
  namespace_id: namespace,
  simple: { limit: perMinute, period: 60 as const },
});

/**
 * A project of tests inside the Workers runtime, with local KV and Durable
 * Objects; Graph and Entra are the emulator, started by globalSetup.
 */
function workersProject(
  name: string,
  include: string[],
  overrides: { bindings?: Record<string, string>; limits?: Record<string, number> },
) {
  const limits: Record<string, number> = {
    USER_RATE_LIMIT: 100000,
    TENANT_RATE_LIMIT: 100000,
    ANONYMOUS_RATE_LIMIT: 100000,
    REGISTRATION_RATE_LIMIT: 100000,
    ...overrides.limits,
  };
  return {
    plugins: [
      cloudflareTest(({ inject }) => {
        const emulatorUrl = inject<string>("emulatorUrl");
        return {
          wrangler: { configPath: "./wrangler.toml" },
          miniflare: {
            bindings: {
              MICROSOFT_AUTHORITY_URL: emulatorUrl,
              GRAPH_BASE_URL: `${emulatorUrl}/v1.0`,
              // uploadFile may fetch the emulator's test files, and nothing else on loopback.
              DEV_UPLOAD_SOURCE_PREFIX: `${emulatorUrl}/_emulator/blob`,
              MICROSOFT_CLIENT_SECRET: "local-dev-secret-not-for-production",
              TOKEN_ENCRYPTION_KEY: "dGVzdC1vbmx5LWtleS0zMi1ieXRlcy1sb25nLSEhISE=",
              COOKIE_SECRET: "test-only-cookie-secret-0123456789abcdef",
              OPERATOR_KEY: "test-only-operator-key-0123456789abcdef",
              // A retired key still accepted for reading (the rotation test seals with it).
              TOKEN_ENCRYPTION_KEYS_PREVIOUS: "cHJldmlvdXMtdGVzdC1rZXktMzItYnl0ZXMtbG9uZyE=",
              // The breaker's open period, short so a test sees it close again.
              CIRCUIT_OPEN_SECONDS: "1",
              // Timeouts in seconds rather than the production 20.
              GRAPH_TIMEOUT_SECONDS: "5",
              // These tests call the whole catalog; consent on demand has its own (test/e2e/consent.test.ts).
              CONSENT_MODE: "upfront",
              ...overrides.bindings,
            },
            ratelimits: {
              USER_RATE_LIMIT: limit("1001", limits.USER_RATE_LIMIT!),
              TENANT_RATE_LIMIT: limit("1002", limits.TENANT_RATE_LIMIT!),
              ANONYMOUS_RATE_LIMIT: limit("1003", limits.ANONYMOUS_RATE_LIMIT!),
              REGISTRATION_RATE_LIMIT: limit("1004", limits.REGISTRATION_RATE_LIMIT!),
              // Tight ones for the tests of the limit functions themselves.
              TIGHT_USER_RATE_LIMIT: limit("9001", 3),
              TIGHT_TENANT_RATE_LIMIT: limit("9002", 2),
            },
          },
        };
      }),
    ],
    test: {
      name,
      include,
      // The files share one emulator and reset it between tests: one file at a time.
      fileParallelism: false,
      globalSetup: ["test/unit/global-setup.ts"],
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      workersProject("workers", ["test/unit/**/*.test.ts"], {
        // Runtime config changes apply to open sessions at once.
        bindings: { RUNTIME_CONFIG_TTL_SECONDS: "0" },
      }),
      // The deployment's own limits, configured small enough to reach in a test.
      workersProject("workers-limits", ["test/limits/**/*.test.ts"], {
        limits: { USER_RATE_LIMIT: 12, ANONYMOUS_RATE_LIMIT: 40, REGISTRATION_RATE_LIMIT: 5 },
      }),
      // Production settings (the runtime config trusted for its default 30 seconds), with
      // sessions that go idle after 2 seconds so a test sees them removed.
      workersProject("workers-lifetime", ["test/lifetime/**/*.test.ts"], {
        bindings: { SESSION_IDLE_SECONDS: "2" },
      }),
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
      {
        // What a person sees: Chromium (Debian's, through playwright-core) on the pages of `wrangler dev`
        // and the emulator, at desktop and phone sizes, with and without JavaScript.
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/e2e/global-setup.ts"],
          // One Chromium at a time: the machines have two cores.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
