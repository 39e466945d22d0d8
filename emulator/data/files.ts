/**
 * Attachment contents for the seed: text, CSV, JSON and XML files with real
 * text, small but valid PDF and PNG files, and DOCX files that only start like
 * one (a zip).
 */
import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";
import type { AttachmentKind } from "./corpus.ts";
import type { SeededRandom } from "./random.ts";

export const CONTENT_TYPES: Record<AttachmentKind, string> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  png: "image/png",
  txt: "text/plain",
  csv: "text/csv",
  json: "application/json",
  xml: "application/xml",
};

export function attachmentKind(fileName: string): AttachmentKind {
  const extension = fileName.slice(fileName.lastIndexOf(".") + 1).toLowerCase();
  if (extension in CONTENT_TYPES) return extension as AttachmentKind;
  throw new Error(`no attachment kind for ${fileName}`);
}

/** Deterministic bytes that do not compress: a SHA-256 stream from `seed`. */
function filler(seed: string, size: number): Buffer {
  const block = Buffer.concat(
    Array.from({ length: 128 }, (_, i) => createHash("sha256").update(`${seed}:${i}`).digest()),
  );
  const bytes = Buffer.alloc(size);
  for (let offset = 0; offset < size; offset += block.length) block.copy(bytes, offset);
  return bytes;
}

function textFile(title: string, lines: readonly string[], size: number, random: SeededRandom): Buffer {
  const out = [title, "=".repeat(title.length), ""];
  let length = out.join("\n").length;
  while (length < size) {
    const line = random.pick(lines);
    out.push(line);
    length += line.length + 1;
  }
  return Buffer.from(out.join("\n"));
}

function csvFile(size: number, random: SeededRandom): Buffer {
  const rows = ["date,region,channel,amount_usd"];
  const regions = ["North America", "EMEA", "APAC", "LATAM"];
  const channels = ["Search", "Social", "Events", "Email", "Partners"];
  let length = rows[0]!.length;
  let day = 0;
  while (length < size) {
    const date = new Date(Date.UTC(2026, 0, 1 + day++)).toISOString().slice(0, 10);
    const row = `${date},${random.pick(regions)},${random.pick(channels)},${random.int(100, 25_000)}.00`;
    rows.push(row);
    length += row.length + 1;
  }
  return Buffer.from(rows.join("\n"));
}

/** A one-page PDF showing `title`, padded to about `size` bytes with an unused stream. */
function pdfFile(title: string, size: number, seed: string): Buffer {
  const text = `BT /F1 20 Tf 72 720 Td (${title.replace(/[()\\]/g, "")}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  const padding = filler(seed, Math.max(0, size - 900)).toString("base64");
  objects.push(`<< /Length ${padding.length} >>\nstream\n${padding}\nendstream`);
  let body = "%PDF-1.4\n";
  const offsets = objects.map((object, index) => {
    const offset = body.length;
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
    return offset;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  body += offsets.map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`).join("");
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** An RGB image 256 pixels wide, as tall as it takes to reach about `size` bytes (stored uncompressed). */
function pngFile(size: number, seed: string): Buffer {
  const width = 256;
  const rowBytes = width * 3 + 1;
  const height = Math.max(1, Math.ceil(size / rowBytes));
  const pixels = filler(seed, rowBytes * height);
  for (let row = 0; row < height; row++) pixels[row * rowBytes] = 0;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(pixels, { level: 0 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

function jsonFile(title: string, size: number, random: SeededRandom): Buffer {
  const channels: { name: string; budgetUsd: number; active: boolean }[] = [];
  const names = ["search", "social", "events", "email", "partners", "display", "video"];
  let length = 0;
  while (length < size - 120) {
    const channel = {
      name: `${random.pick(names)}-${channels.length + 1}`,
      budgetUsd: random.int(1_000, 90_000),
      active: random.chance(0.7),
    };
    channels.push(channel);
    length += JSON.stringify(channel).length + 6;
  }
  return Buffer.from(JSON.stringify({ campaign: title, currency: "USD", channels }, null, 2));
}

function xmlFile(title: string, size: number, random: SeededRandom): Buffer {
  const items: string[] = [];
  let length = 0;
  while (length < size - 150) {
    const item = `  <item sku="MK8-${String(items.length + 1).padStart(3, "0")}" price="${random.int(99, 1_499)}.00" stock="${random.int(0, 400)}"/>`;
    items.push(item);
    length += item.length + 1;
  }
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<feed title="${title.replace(/[<&"]/g, "")}">\n${items.join("\n")}\n</feed>\n`,
  );
}

/** The bytes of a seeded attachment of about `size` bytes. */
export function fileContent(
  kind: AttachmentKind,
  title: string,
  lines: readonly string[],
  size: number,
  random: SeededRandom,
): Buffer {
  const seed = `${title}:${random.next()}`;
  switch (kind) {
    case "txt":
      return textFile(title, lines, size, random);
    case "csv":
      return csvFile(size, random);
    case "json":
      return jsonFile(title, size, random);
    case "xml":
      return xmlFile(title, size, random);
    case "pdf":
      return pdfFile(title, size, seed);
    case "png":
      return pngFile(size, seed);
    case "docx":
      return Buffer.concat([Buffer.from("PK\u0003\u0004", "latin1"), filler(seed, size - 4)]);
  }
}
