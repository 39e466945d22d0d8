/**
 * Prints the model-token cost of the tool catalog as `tools/list` serves it
 * (o200k tokenizer): each tool, each workload, and the whole catalog against
 * its budget. `npm run tokens`; test/unit/budgets.test.ts guards the limits.
 */
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { TOOLS } from "../src/tools/catalog.ts";
import { toolDefinition } from "../src/tools/define.ts";

/** The budget the catalog answers to (issue: at most 12,000 tokens for every tool). */
export const CATALOG_TOKEN_BUDGET = 12_000;

const rows = TOOLS.map((spec) => {
  const definition = toolDefinition(spec);
  return {
    tool: spec.name,
    total: countTokens(JSON.stringify(definition)),
    input: countTokens(JSON.stringify(definition.inputSchema)),
    output: definition.outputSchema ? countTokens(JSON.stringify(definition.outputSchema)) : 0,
    description: countTokens(spec.description),
  };
});
const catalog = countTokens(JSON.stringify({ tools: TOOLS.map(toolDefinition) }));

const pad = (value: string | number, width: number) => String(value).padStart(width);
console.log(`${"tool".padEnd(26)}${pad("total", 7)}${pad("descr", 7)}${pad("input", 7)}${pad("output", 7)}`);
for (const row of rows) {
  console.log(
    `${row.tool.padEnd(26)}${pad(row.total, 7)}${pad(row.description, 7)}${pad(row.input, 7)}${pad(row.output, 7)}`,
  );
}
console.log(
  `\n${TOOLS.length} tools: ${catalog} tokens for the whole tools/list result (budget ${CATALOG_TOKEN_BUDGET}, ${Math.round(catalog / TOOLS.length)} per tool on average)`,
);
