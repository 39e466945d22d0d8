import { isId } from "../shared/ids.ts";
import { defineResource } from "../spec.ts";
import { notReadable, readItemText } from "./content.ts";
import { invalid, READ_SCOPES } from "./inputs.ts";

const RESOURCE_MAX_CHARS = 100_000;

/** `microsoft://files/{id}`: the text of a file in the user's OneDrive, as readFile reads it. */
export const fileResource = defineResource({
  name: "file",
  template: "microsoft://files/{id}",
  title: "OneDrive file",
  description: "The text of a file in your OneDrive by item id (text, code, Word, Excel, PowerPoint)",
  mimeType: "text/plain",
  icon: "files",
  scopes: READ_SCOPES.scopesFor({}),
  cacheKind: "files",
  offeredWith: { tool: "readFile" },
  async read({ id = "" }, context) {
    if (!isId("driveItem", id)) throw invalid("id: not a OneDrive item id.");
    const { item, text } = await readItemText(context, `/me/drive/items/${encodeURIComponent(id)}`, "/me/drive");
    if (text === undefined) return notReadable(item);
    return text.length > RESOURCE_MAX_CHARS
      ? `${text.slice(0, RESOURCE_MAX_CHARS)}\n[Cut at ${RESOURCE_MAX_CHARS} of ${text.length} characters; use readFile with offset for more.]`
      : text;
  },
});
