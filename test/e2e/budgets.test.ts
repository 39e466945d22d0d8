import { describe, expect, inject, it } from "vitest";
import { CATALOG_TOKEN_BUDGET, LISTING_MIN_RATIO, measureCatalog, measureListings } from "../support/budgets.ts";

const workerUrl = inject("workerUrl");
const emulatorUrl = inject("emulatorUrl");

describe("token budgets (o200k, as a model reads them)", () => {
  it(`keeps the whole tools/list under ${CATALOG_TOKEN_BUDGET} tokens`, async () => {
    const catalog = await measureCatalog(workerUrl);
    expect(catalog.tools).toBeGreaterThan(50);
    expect(catalog.tokens).toBeLessThanOrEqual(CATALOG_TOKEN_BUDGET);
  });

  it(`renders listings at least ${LISTING_MIN_RATIO}x smaller than Graph's raw JSON for the same items`, async () => {
    const listings = await measureListings(workerUrl, emulatorUrl);
    for (const listing of listings) {
      expect(listing.items, listing.label).toBeGreaterThanOrEqual(Number(listing.label.split(" ")[0]));
      expect(listing.ratio, `${listing.label}: ${JSON.stringify(listing)}`).toBeGreaterThanOrEqual(LISTING_MIN_RATIO);
    }
  });
});
