/** Search across Microsoft 365, and read-only Graph queries for what no other tool covers. */
import { graphQuery } from "./graph-query.ts";
import { searchMicrosoft365 } from "./microsoft365.ts";

export const searchTools = [searchMicrosoft365, graphQuery];
