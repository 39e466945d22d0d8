/** A file's text: plain text and code as they are, HTML as readable text, Word, Excel and PowerPoint extracted. */
import type { DriveItem } from "@microsoft/microsoft-graph-types";
import { ToolError } from "../../graph/errors.ts";
import { htmlToReadableText } from "../shared/html.ts";
import type { ToolContext } from "../spec.ts";
import { extensionOf, typeOf } from "./format.ts";
import { invalid } from "./inputs.ts";
import { officeText, type OfficeKind } from "./ooxml.ts";
import { humanSize } from "./upload.ts";

/** readFile downloads at most this much. */
const READ_MAX_BYTES = 10 * 1024 * 1024;

const TEXT_EXTENSIONS = new Set(
  (
    "txt md markdown csv tsv json jsonl xml yaml yml toml ini cfg conf log sql html htm css scss less svg " +
    "js mjs cjs ts tsx jsx py rb php java kt kts swift go rs c h cc cpp hpp cs vb fs ps1 psm1 sh bash zsh bat cmd " +
    "r m scala lua pl dart gradle properties env tex rst vtt srt ics vcf"
  ).split(" "),
);
const OFFICE: Record<string, OfficeKind> = {
  docx: "docx",
  docm: "docx",
  dotx: "docx",
  xlsx: "xlsx",
  xlsm: "xlsx",
  pptx: "pptx",
  ppsx: "pptx",
};

function isTextMime(mime: string | null | undefined): boolean {
  return Boolean(
    mime && (mime.startsWith("text/") || /^application\/(json|xml|javascript|x-sh|x-yaml|ld\+json)/.test(mime)),
  );
}

/** UTF-8 (with or without BOM) or UTF-16 with a BOM; undefined when the bytes look binary. */
function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  if (bytes.subarray(0, 8192).includes(0)) return undefined;
  return new TextDecoder("utf-8").decode(bytes).replace(/^\uFEFF/, "");
}

interface ReadText {
  item: DriveItem;
  /** The whole text, or undefined when the file is not readable as text. */
  text: string | undefined;
}

/** Downloads an item and extracts its text (plain text, code, HTML, Word, Excel, PowerPoint). */
export async function readItemText(
  context: Pick<ToolContext, "graph">,
  address: string,
  drive: string,
): Promise<ReadText> {
  const { graph } = context;
  const item = await graph.get<DriveItem>(address, {
    query: { $select: "id,name,size,file,folder,package,webUrl,lastModifiedDateTime,lastModifiedBy,parentReference" },
  });
  if (item.folder || item.package) {
    throw invalid(`"${item.name}" is a folder; use listFiles to see what is in it.`);
  }
  const extension = extensionOf(item.name ?? "");
  const office = OFFICE[extension];
  const textual = TEXT_EXTENSIONS.has(extension) || (extension === "" && isTextMime(item.file?.mimeType));
  if (!office && !textual) return { item, text: undefined };
  if ((item.size ?? 0) > READ_MAX_BYTES) {
    throw new ToolError(
      "payload_too_large",
      `"${item.name}" is ${humanSize(item.size)}; this tool reads files up to ${humanSize(READ_MAX_BYTES)}. Open it on the web: ${item.webUrl ?? ""}`,
    );
  }
  const { bytes } = await graph.getBytes(`${drive}/items/${encodeURIComponent(item.id ?? "")}/content`, READ_MAX_BYTES);
  if (office) return { item, text: await officeText(bytes, office) };
  const decoded = decodeText(bytes);
  if (decoded === undefined) return { item, text: undefined };
  return { item, text: extension === "html" || extension === "htm" ? htmlToReadableText(decoded) : decoded };
}

export function notReadable(item: DriveItem): string {
  return `"${item.name}" is a ${typeOf(item)} (${humanSize(item.size)}), which this tool cannot read as text. Open it on the web: ${item.webUrl ?? "(no link)"}`;
}
