/**
 * `npm run tokens`: what the catalog and listing results cost a model, in
 * o200k tokens. Starts the stack `npm run dev` starts (emulator + Worker, on
 * free ports), then prints each tool's cost, the whole tools/list against
 * its budget, and listing results against Graph's raw JSON for the same
 * items. test/e2e/budgets.test.ts guards the same limits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CATALOG_TOKEN_BUDGET, LISTING_MIN_RATIO, measureCatalog, measureListings } from "../test/support/budgets.ts";
import { localSecrets, WHOLE_CATALOG_AT_SIGN_IN, startStack } from "./dev-stack.ts";

const state = mkdtempSync(join(tmpdir(), "m365-tokens-"));
const stack = await startStack({ persistTo: state, vars: { ...localSecrets(), ...WHOLE_CATALOG_AT_SIGN_IN } });
try {
  const catalog = await measureCatalog(stack.workerUrl);
  console.log(`${"tool".padEnd(28)}${"tokens".padStart(7)}`);
  for (const tool of [...catalog.perTool].sort((a, b) => b.tokens - a.tokens)) {
    console.log(`${tool.name.padEnd(28)}${String(tool.tokens).padStart(7)}`);
  }
  console.log(
    `\ntools/list: ${catalog.tools} tools, ${catalog.tokens} tokens (budget ${CATALOG_TOKEN_BUDGET}; ${Math.round(catalog.tokens / catalog.tools)} per tool)\n`,
  );

  const listings = await measureListings(stack.workerUrl, stack.emulator!.url);
  console.log(
    `${"listing".padEnd(32)}${"items".padStart(6)}${"text".padStart(7)}${"struct".padStart(8)}${"raw Graph".padStart(11)}${"ratio".padStart(8)}`,
  );
  for (const row of listings) {
    console.log(
      `${row.label.padEnd(32)}${String(row.items).padStart(6)}${String(row.textTokens).padStart(7)}${String(row.structuredTokens).padStart(8)}${String(row.rawTokens).padStart(11)}${`${row.ratio.toFixed(1)}x`.padStart(8)}`,
    );
  }
  console.log(
    `\n(ratio: raw Graph tokens over the larger rendering; the budget asks for at least ${LISTING_MIN_RATIO}x)`,
  );
} finally {
  await stack.stop();
  rmSync(state, { recursive: true, force: true });
}
