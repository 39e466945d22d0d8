/** `npm run emulator`: the Microsoft emulator on its own. Options: --port (default 8788 or EMULATOR_PORT), --host. */
import { parseArgs } from "node:util";
import { startEmulator } from "./server.ts";

const { values } = parseArgs({ options: { port: { type: "string" }, host: { type: "string" } } });
const port = Number(values.port ?? process.env.EMULATOR_PORT ?? 8788);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`Invalid port: ${values.port ?? process.env.EMULATOR_PORT}`);
  process.exit(2);
}
const emulator = await startEmulator({ port, host: values.host ?? "127.0.0.1" });
console.log(`Microsoft emulator (demo tenant) listening on ${emulator.url}`);

function stop(): void {
  emulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
