/**
 * The Microsoft Search API's entity types, each answered by the area that
 * owns the data: mail and calendar register `message` and `event`, files
 * register `driveItem`, `site` and `list`. `/search/query` (graph/search.ts)
 * asks the provider of each requested entity type.
 */
import type { GraphContext } from "./router.ts";

/** One hit as `/search/query` returns it inside `hitsContainers[].hits[]`. */
export interface SearchHit {
  hitId: string;
  rank?: number;
  summary: string;
  /** The entity, with its `@odata.type` ("#microsoft.graph.message", ...). */
  resource: Record<string, unknown>;
}

/** Every hit of `queryString` among the signed-in user's items of one entity type, best first. */
export type SearchProvider = (context: GraphContext, queryString: string) => SearchHit[];

const providers = new Map<string, SearchProvider>();

/** Called once per entity type, at module load, by the area that owns it. */
export function registerSearchProvider(entityType: string, provider: SearchProvider): void {
  providers.set(entityType, provider);
}

export function searchProvider(entityType: string): SearchProvider | undefined {
  return providers.get(entityType);
}
