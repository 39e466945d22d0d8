// The npm registry this project is built against lacks the macOS and Windows
// builds of some workerd releases. `npm install` then leaves them out of the
// lockfile and `npm ci` refuses the lockfile as out of sync. Recording them as
// platform-restricted optional entries lets `npm ci` skip them on Linux and
// fetch them on a machine that needs (and can reach) them.
// Run after any `npm install` that changes the workerd version.
import { readFileSync, writeFileSync } from "node:fs";

const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const workerd = lock.packages["node_modules/workerd"];
const platforms = {
  "@cloudflare/workerd-darwin-64": { os: "darwin", cpu: "x64" },
  "@cloudflare/workerd-darwin-arm64": { os: "darwin", cpu: "arm64" },
  "@cloudflare/workerd-linux-64": { os: "linux", cpu: "x64" },
  "@cloudflare/workerd-linux-arm64": { os: "linux", cpu: "arm64" },
  "@cloudflare/workerd-windows-64": { os: "win32", cpu: "x64" },
};
let added = 0;
for (const [name, version] of Object.entries(workerd.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  const platform = platforms[name];
  if (lock.packages[key] || !platform) continue;
  lock.packages[key] = {
    version,
    cpu: [platform.cpu],
    dev: true,
    license: "Apache-2.0",
    optional: true,
    os: [platform.os],
    engines: { node: ">=16" },
  };
  added++;
}
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
console.log(`lockfile: ${added} platform entries added for workerd ${workerd.version}`);
