import type { TestProject } from "vitest/node";
import { startEmulator } from "../../emulator/server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    emulatorUrl: string;
  }
}

/** One Microsoft emulator for the Workers-runtime tests; its URL reaches the Worker's bindings. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = await startEmulator({ port: 0 });
  project.provide("emulatorUrl", emulator.url);
  return () => emulator.close();
}
