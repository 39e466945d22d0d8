/**
 * `npm run dev`: the Microsoft emulator (demo tenant) on :8788 and the Worker on
 * :8787. Writes .dev.vars with generated local-only secrets on first run. When
 * .dev.vars points MICROSOFT_AUTHORITY_URL at real Microsoft, no emulator starts.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { localSecrets, ROOT, startStack } from "./dev-stack.ts";

const devVarsPath = join(ROOT, ".dev.vars");

function ensureDevVars(): Record<string, string> {
  if (!existsSync(devVarsPath)) {
    const generated = localSecrets();
    const template = readFileSync(join(ROOT, ".dev.vars.example"), "utf8");
    const filled = template.replace(
      /^(\w+)=<generated>$/gm,
      (_line, name: string) => `${name}=${generated[name] ?? ""}`,
    );
    writeFileSync(devVarsPath, filled, { mode: 0o600 });
    console.log("Wrote .dev.vars with generated local-only secrets.");
  }
  const values: Record<string, string> = {};
  for (const line of readFileSync(devVarsPath, "utf8").split("\n")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (match?.[1]) values[match[1]] = match[2] ?? "";
  }
  return values;
}

const devVars = ensureDevVars();
const authority = devVars.MICROSOFT_AUTHORITY_URL;
const useEmulator = !authority || /^https?:\/\/(localhost|127\.)/.test(authority);
const workerPort = Number(process.env.PORT ?? 8787);
const emulatorPort = Number(process.env.EMULATOR_PORT ?? 8788);

const stack = await startStack({ workerPort, emulatorPort, useEmulator, inheritOutput: true });
const origin = `http://localhost:${workerPort}`;
console.log(`
m365-mcp-server is running at ${origin}
  Streamable HTTP  ${origin}/mcp
  SSE / WebSocket  ${origin}/sse
  Health           ${origin}/health
${stack.emulator ? `Microsoft: the emulator's demo tenant at ${stack.emulator.url} (sign in as adele@contoso.example, megan@contoso.example or alex@contoso.example)` : `Microsoft: ${authority}`}
Try: curl -X POST ${origin}/sse -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}'
`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
void stack.exited.then(async (code) => {
  if (stopping) return;
  console.error(`wrangler dev exited (${code ?? "signal"}); stopping the emulator.`);
  await stack.stop();
  process.exit(code ?? 1);
});
