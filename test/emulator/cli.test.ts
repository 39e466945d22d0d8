import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../emulator/cli.ts", import.meta.url));

describe("emulator CLI", () => {
  it("prints one line with its URL, serves, and exits cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8");
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: string) => {
        output += chunk;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code} before listening`)));
    });
    expect(output).toBe(`Microsoft emulator (demo tenant) listening on ${url}\n`);
    expect(await (await fetch(`${url}/_emulator/health`)).json()).toEqual({ ok: true });
    child.kill("SIGTERM");
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
    expect(output.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("refuses an invalid port", async () => {
    const child = spawn(process.execPath, [CLI, "--port", "http"], { stdio: ["ignore", "pipe", "pipe"] });
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(2);
  });
});
