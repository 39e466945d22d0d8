import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { localSecrets, startStack, WHOLE_CATALOG_AT_SIGN_IN } from "../../scripts/dev-stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    workerUrl: string;
    emulatorUrl: string;
    operatorKey: string;
  }
}

/** The stack `npm run dev` starts (emulator + wrangler dev), on free ports with fresh state. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const state = mkdtempSync(join(tmpdir(), "m365-e2e-"));
  const secrets = localSecrets();
  const stack = await startStack({ persistTo: state, vars: { ...secrets, ...WHOLE_CATALOG_AT_SIGN_IN } });
  project.provide("workerUrl", stack.workerUrl);
  project.provide("emulatorUrl", stack.emulator!.url);
  project.provide("operatorKey", secrets.OPERATOR_KEY!);
  return async () => {
    await stack.stop();
    rmSync(state, { recursive: true, force: true });
  };
}
