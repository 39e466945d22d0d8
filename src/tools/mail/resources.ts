import { defineResource } from "../spec.ts";
import { renderMessage } from "./format.ts";
import { DEFAULT_BODY_CHARS } from "./inputs.ts";
import { readMessage } from "./read.ts";

/** `microsoft://messages/{id}`: a message as getEmail renders it, for clients that attach resources. */
export const messageResource = defineResource({
  name: "message",
  template: "microsoft://messages/{id}",
  title: "Email message",
  description: "One email as text: headers, body, attachment list (the getEmail view)",
  mimeType: "text/plain",
  icon: "mail",
  scopes: ["Mail.Read"],
  cacheKind: "mail",
  offeredWith: { kind: "mail" },
  async read({ id = "" }, { graph }) {
    return renderMessage(await readMessage(graph, id, DEFAULT_BODY_CHARS), DEFAULT_BODY_CHARS);
  },
});
