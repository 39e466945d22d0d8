/**
 * Starts the local stack: the Microsoft emulator and `wrangler dev` pointed at
 * it. Used by `npm run dev` and by the end-to-end tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { startEmulator, type RunningEmulator } from "../emulator/server.ts";
import { DEMO_CLIENT_SECRET } from "../emulator/tenant.ts";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface StackOptions {
  workerPort?: number;
  emulatorPort?: number;
  /** Where wrangler keeps local KV and Durable Object state. */
  persistTo?: string;
  /** Skip the emulator and use the Microsoft endpoints of the config (real Microsoft). */
  useEmulator?: boolean;
  /** Extra Worker variables, e.g. secrets for a test run. */
  vars?: Record<string, string>;
  /** Print wrangler's output (development) or keep it for errors only (tests). */
  inheritOutput?: boolean;
}

export interface RunningStack {
  workerUrl: string;
  emulator: RunningEmulator | undefined;
  /** Settles when wrangler dev exits, with its exit code. */
  exited: Promise<number | null>;
  /** What wrangler dev printed (stdout and stderr), the last 200,000 characters; empty with `inheritOutput`. */
  output(): string;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * Sign-in asks for every permission at once (CONSENT_MODE=upfront): for runs
 * that call the whole catalog (measurements, most tests) rather than the
 * consent-on-demand flow, which has tests of its own.
 */
export const WHOLE_CATALOG_AT_SIGN_IN: Readonly<Record<string, string>> = { CONSENT_MODE: "upfront" };

/** Secrets for a throwaway local run; none of them protects anything real. */
export function localSecrets(): Record<string, string> {
  return {
    MICROSOFT_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    COOKIE_SECRET: randomBytes(32).toString("base64url"),
    OPERATOR_KEY: randomBytes(32).toString("base64url"),
  };
}

async function waitForWorker(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`wrangler dev did not answer within 90 s:\n${output()}`);
}

export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const useEmulator = options.useEmulator ?? true;
  const emulator = useEmulator ? await startEmulator({ port: options.emulatorPort ?? 0 }) : undefined;
  const workerPort = options.workerPort ?? (await freePort());
  const vars: Record<string, string> = {
    ...(emulator
      ? {
          MICROSOFT_AUTHORITY_URL: emulator.url,
          GRAPH_BASE_URL: `${emulator.url}/v1.0`,
          DEV_UPLOAD_SOURCE_PREFIX: `${emulator.url}/_emulator/blob`,
        }
      : {}),
    ...options.vars,
  };
  const args = [
    "node_modules/wrangler/bin/wrangler.js",
    "dev",
    "--port",
    String(workerPort),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(await freePort()),
    "--show-interactive-dev-session=false",
    ...(options.persistTo ? ["--persist-to", options.persistTo] : []),
    ...Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
  ];
  let log = "";
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "" },
    stdio: options.inheritOutput ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-200_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const workerUrl = `http://127.0.0.1:${workerPort}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await emulator?.close();
  };
  try {
    await waitForWorker(workerUrl, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { workerUrl, emulator, exited, output: () => log, stop };
}
