/**
 * Text out of Office Open XML files (.docx, .xlsx, .pptx), which are zip
 * packages of XML parts: the zip's central directory says where each part
 * is, DecompressionStream("deflate-raw") inflates it, and a small tag scanner
 * reads the text of paragraphs, cells and slides. Microsoft Graph can only
 * convert Office files to PDF, so the server reads them itself.
 */
import { ToolError } from "../../graph/errors.ts";

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Inflated parts larger than this are refused: a zip bomb costs the Worker nothing. */
const MAX_PART_BYTES = 40 * 1024 * 1024;
const MAX_TOTAL_INFLATED = 80 * 1024 * 1024;

function unreadable(reason: string): ToolError {
  return new ToolError("invalid_input", `The file is not a readable Office document (${reason}).`);
}

/** The entries of a zip archive, from its central directory (zip64 archives are refused). */
export function zipEntries(bytes: Uint8Array): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let offset = bytes.length - 22; offset >= Math.max(0, bytes.length - 22 - 0xffff); offset--) {
    if (view.getUint32(offset, true) === 0x06054b50) {
      end = offset;
      break;
    }
  }
  if (end < 0) throw unreadable("no zip directory");
  const count = view.getUint16(end + 10, true);
  const directoryOffset = view.getUint32(end + 16, true);
  if (directoryOffset === 0xffffffff || count === 0xffff) throw unreadable("zip64 archives are not supported");
  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder();
  let offset = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50)
      throw unreadable("damaged zip directory");
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const name = decoder.decode(bytes.subarray(offset + 46, offset + 46 + nameLength));
    entries.set(name, {
      name,
      method: view.getUint16(offset + 10, true),
      compressedSize: view.getUint32(offset + 20, true),
      size: view.getUint32(offset + 24, true),
      localHeaderOffset: view.getUint32(offset + 42, true),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Reads parts of one zip archive, keeping count of what it inflated. */
export class ZipReader {
  private readonly bytes: Uint8Array;
  readonly entries: Map<string, ZipEntry>;
  private inflated = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.entries = zipEntries(bytes);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The part's bytes, inflated; undefined when the archive has no such part. */
  async read(name: string): Promise<Uint8Array | undefined> {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const local = entry.localHeaderOffset;
    if (local + 30 > this.bytes.length || view.getUint32(local, true) !== 0x04034b50)
      throw unreadable("damaged zip entry");
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = this.bytes.subarray(start, start + entry.compressedSize);
    if (entry.method === 0) return data;
    if (entry.method !== 8) throw unreadable(`compression method ${entry.method}`);
    const budget = Math.min(MAX_PART_BYTES, MAX_TOTAL_INFLATED - this.inflated);
    const out = await inflateRaw(data, budget);
    this.inflated += out.length;
    return out;
  }

  async text(name: string): Promise<string | undefined> {
    const bytes = await this.read(name);
    return bytes && new TextDecoder().decode(bytes);
  }
}

/** Inflates a raw deflate stream, refusing output beyond `limit` bytes. */
async function inflateRaw(data: Uint8Array, limit: number): Promise<Uint8Array> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(data);
      controller.close();
    },
  });
  const stream = source.pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel();
        throw new ToolError("payload_too_large", "The document expands to more text than this tool reads.");
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof ToolError) throw error;
    throw unreadable("damaged compressed data");
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, entity: string) => {
    if (entity[0] !== "#") return ENTITIES[entity.toLowerCase()] ?? whole;
    const code = entity[1] === "x" || entity[1] === "X" ? parseInt(entity.slice(2), 16) : Number(entity.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** Tags and text of an XML part, in order: `{ tag: "w:p", close: false, empty: false }` or `{ text }`. */
type XmlToken = { tag: string; close: boolean; empty: boolean; attributes: string } | { text: string };

function* tokens(xml: string): Generator<XmlToken> {
  const pattern = /<(\/?)([\w:.-]+)([^>]*?)(\/?)>|<!\[CDATA\[([\s\S]*?)\]\]>|<[!?][^>]*>|([^<]+)/g;
  for (const match of xml.matchAll(pattern)) {
    if (match[2]) yield { tag: match[2], close: match[1] === "/", empty: match[4] === "/", attributes: match[3] ?? "" };
    else if (match[5] !== undefined) yield { text: match[5] };
    else if (match[6] !== undefined) yield { text: decodeXmlEntities(match[6]) };
  }
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|\\s)${name}\\s*=\\s*"([^"]*)"`).exec(attributes);
  return match?.[1] === undefined ? undefined : decodeXmlEntities(match[1]);
}

function tidy(text: string): string {
  return text
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Word: paragraphs on their own lines, tabs and breaks kept, table rows as "cell | cell". */
export function wordText(xml: string): string {
  let out = "";
  let inText = false;
  let cellDepth = 0;
  for (const token of tokens(xml)) {
    if ("text" in token) {
      if (inText) out += token.text;
      continue;
    }
    const { tag, close, empty } = token;
    if (tag === "w:t") inText = !close && !empty;
    else if (tag === "w:tab" && !close) out += "\t";
    else if ((tag === "w:br" || tag === "w:cr") && !close) out += "\n";
    else if (tag === "w:p" && (close || empty)) out += cellDepth > 0 ? " " : "\n";
    else if (tag === "w:tc") {
      if (!close && !empty) cellDepth++;
      else if (close) {
        cellDepth--;
        out = `${out.replace(/ +$/, "")} | `;
      }
    } else if (tag === "w:tr" && close) out = `${out.replace(/ \| $/, "")}\n`;
  }
  return tidy(out);
}

/** PowerPoint: the text of one slide, a line per paragraph. */
export function slideText(xml: string): string {
  let out = "";
  let inText = false;
  for (const token of tokens(xml)) {
    if ("text" in token) {
      if (inText) out += token.text;
      continue;
    }
    if (token.tag === "a:t") inText = !token.close && !token.empty;
    else if (token.tag === "a:br" && !token.close) out += "\n";
    else if (token.tag === "a:p" && (token.close || token.empty)) out += "\n";
  }
  return tidy(out);
}

/** Excel's shared strings: each <si> is one string, its runs joined. */
export function sharedStrings(xml: string): string[] {
  const strings: string[] = [];
  let current: string | undefined;
  let inText = false;
  let inPhonetic = false;
  for (const token of tokens(xml)) {
    if ("text" in token) {
      if (inText && !inPhonetic && current !== undefined) current += token.text;
      continue;
    }
    if (token.tag === "si") {
      if (!token.close) current = "";
      if (token.close || token.empty) {
        strings.push(current ?? "");
        current = undefined;
      }
    } else if (token.tag === "rPh") inPhonetic = !token.close && !token.empty;
    else if (token.tag === "t") inText = !token.close && !token.empty;
  }
  return strings;
}

/** Zero-based column of a cell reference ("C7" → 2). */
function columnIndex(ref: string): number {
  const letters = /^[A-Z]+/i.exec(ref)?.[0]?.toUpperCase() ?? "";
  let index = 0;
  for (const letter of letters) index = index * 26 + (letter.charCodeAt(0) - 64);
  return index - 1;
}

/** Excel: a worksheet's rows, cells separated by " | " in their columns (empty cells kept between values). */
export function sheetRows(xml: string, strings: readonly string[]): string[] {
  const rows: string[] = [];
  let row: string[] | undefined;
  let cell: { column: number; type: string; value: string; inline: string } | undefined;
  let reading: "v" | "t" | undefined;
  for (const token of tokens(xml)) {
    if ("text" in token) {
      if (cell && reading === "v") cell.value += token.text;
      else if (cell && reading === "t") cell.inline += token.text;
      continue;
    }
    const { tag, close, empty, attributes } = token;
    if (tag === "row") {
      if (!close) row = [];
      if ((close || empty) && row) {
        const line = row.join(" | ").replace(/(?: \| )+$/, "");
        if (line.trim() !== "") rows.push(line);
        row = undefined;
      }
    } else if (tag === "c" && row) {
      if (!close) {
        const ref = attribute(attributes, "r");
        cell = {
          column: ref ? columnIndex(ref) : row.length,
          type: attribute(attributes, "t") ?? "n",
          value: "",
          inline: "",
        };
      }
      if ((close || empty) && cell) {
        const text =
          cell.type === "s"
            ? (strings[Number(cell.value)] ?? "")
            : cell.type === "inlineStr"
              ? cell.inline
              : cell.type === "b"
                ? cell.value === "1"
                  ? "TRUE"
                  : "FALSE"
                : cell.value;
        while (row.length < cell.column) row.push("");
        row[cell.column] = text.replace(/\s+/g, " ").trim();
        cell = undefined;
      }
    } else if (tag === "v" || tag === "t") {
      reading = !close && !empty ? (tag as "v" | "t") : undefined;
    }
  }
  return rows;
}

/** The targets of a relationships part, by relationship id. */
function relationshipTargets(xml: string | undefined): Map<string, string> {
  const targets = new Map<string, string>();
  for (const match of (xml ?? "").matchAll(/<Relationship\b([^>]*)\/?>/g)) {
    const id = attribute(match[1] ?? "", "Id");
    const target = attribute(match[1] ?? "", "Target");
    if (id && target) targets.set(id, target);
  }
  return targets;
}

/** "xl/worksheets/sheet1.xml" from a target relative to `base` ("xl/") or absolute ("/xl/..."). */
function resolvePart(base: string, target: string): string {
  if (target.startsWith("/")) return target.slice(1);
  const parts = `${base}${target}`.split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "..") out.pop();
    else if (part !== "." && part !== "") out.push(part);
  }
  return out.join("/");
}

function byNumber(names: string[], pattern: RegExp): string[] {
  return names
    .filter((name) => pattern.test(name))
    .sort((a, b) => Number(pattern.exec(a)?.[1] ?? 0) - Number(pattern.exec(b)?.[1] ?? 0));
}

export type OfficeKind = "docx" | "xlsx" | "pptx";

/** The readable text of a Word, Excel or PowerPoint file. */
export async function officeText(bytes: Uint8Array, kind: OfficeKind): Promise<string> {
  const zip = new ZipReader(bytes);
  if (kind === "docx") {
    const xml = await zip.text("word/document.xml");
    if (xml === undefined) throw unreadable("no word/document.xml");
    return wordText(xml);
  }
  if (kind === "xlsx") {
    const strings = sharedStrings((await zip.text("xl/sharedStrings.xml")) ?? "");
    const workbook = (await zip.text("xl/workbook.xml")) ?? "";
    const targets = relationshipTargets(await zip.text("xl/_rels/workbook.xml.rels"));
    let sheets = [...workbook.matchAll(/<sheet\b([^>]*)\/?>/g)].map((match) => {
      const attributes = match[1] ?? "";
      const relation = /\br:id\s*=\s*"([^"]*)"/.exec(attributes)?.[1] ?? "";
      const target = targets.get(relation);
      return { name: attribute(attributes, "name") ?? "Sheet", part: target ? resolvePart("xl/", target) : "" };
    });
    if (sheets.length === 0 || sheets.some((sheet) => !zip.has(sheet.part))) {
      sheets = byNumber(zip.names(), /^xl\/worksheets\/sheet(\d+)\.xml$/).map((part, index) => ({
        name: `Sheet${index + 1}`,
        part,
      }));
    }
    if (sheets.length === 0) throw unreadable("no worksheets");
    const out: string[] = [];
    for (const sheet of sheets) {
      const rows = sheetRows((await zip.text(sheet.part)) ?? "", strings);
      out.push(`## Sheet: ${sheet.name}`, ...(rows.length ? rows : ["(empty)"]), "");
    }
    return out.join("\n").trim();
  }
  const presentation = (await zip.text("ppt/presentation.xml")) ?? "";
  const targets = relationshipTargets(await zip.text("ppt/_rels/presentation.xml.rels"));
  let slides = [...presentation.matchAll(/<p:sldId\b([^>]*)\/?>/g)]
    .map((match) => targets.get(/\br:id\s*=\s*"([^"]*)"/.exec(match[1] ?? "")?.[1] ?? ""))
    .filter((target): target is string => target !== undefined)
    .map((target) => resolvePart("ppt/", target));
  if (slides.length === 0 || slides.some((part) => !zip.has(part))) {
    slides = byNumber(zip.names(), /^ppt\/slides\/slide(\d+)\.xml$/);
  }
  if (slides.length === 0) throw unreadable("no slides");
  const out: string[] = [];
  for (const [index, part] of slides.entries()) {
    out.push(`## Slide ${index + 1}`, slideText((await zip.text(part)) ?? "") || "(no text)", "");
  }
  return out.join("\n").trim();
}
