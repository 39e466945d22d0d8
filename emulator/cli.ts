/** `npm run emulator`: the Microsoft emulator on its own (default port 8788). */
import { parseArgs } from "node:util";
import { startEmulator } from "./server.ts";

const { values } = parseArgs({
  options: { port: { type: "string" }, host: { type: "string" } },
});
const emulator = await startEmulator({
  port: Number(values.port ?? process.env.EMULATOR_PORT ?? 8788),
  host: values.host ?? "127.0.0.1",
});
console.log(`Microsoft emulator (demo tenant) listening on ${emulator.url}`);
const stop = () => void emulator.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
