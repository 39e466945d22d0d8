/**
 * A small Office Open XML writer for the seed: real .docx, .xlsx and .pptx
 * files (zip packages with deflated parts) whose text is known, so tools that
 * read documents can be tested against what Word, Excel and PowerPoint write.
 */
import { crc32, deflateRawSync } from "node:zlib";

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/** DOS time and date of 2026-01-05 09:30, fixed so the same seed gives the same bytes. */
const DOS_TIME = (9 << 11) | (30 << 5);
const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 5;

/** A zip archive (no zip64, UTF-8 names), every entry deflated, as Office writes its packages. */
export function zip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const compressed = deflateRawSync(entry.data);
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6); // version needed
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const XML_HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships";
const OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

function part(name: string, xml: string): ZipEntry {
  return { name, data: Buffer.from(XML_HEADER + xml, "utf8") };
}

function relationships(items: readonly { id: string; type: string; target: string }[]): string {
  return `<Relationships xmlns="${RELATIONSHIPS}">${items
    .map((item) => `<Relationship Id="${item.id}" Type="${OFFICE_DOCUMENT}/${item.type}" Target="${item.target}"/>`)
    .join("")}</Relationships>`;
}

function contentTypes(overrides: readonly [string, string][]): string {
  return (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    overrides.map(([name, type]) => `<Override PartName="${name}" ContentType="${type}"/>`).join("") +
    "</Types>"
  );
}

const W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/** A block of a Word document: a paragraph (optionally a heading) or a table of text cells. */
export type WordBlock = { heading?: 1 | 2; text: string } | { table: readonly (readonly string[])[] };

/** Word splits text into runs wherever formatting changes; the seed does too, so readers must join them. */
function runs(text: string): string {
  const words = text.split(" ");
  if (words.length < 4) return `<w:r><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r>`;
  const middle = Math.floor(words.length / 2);
  const first = `${words.slice(0, middle).join(" ")} `;
  const second = words.slice(middle).join(" ");
  return (
    `<w:r><w:t xml:space="preserve">${escapeXml(first)}</w:t></w:r>` +
    `<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">${escapeXml(second)}</w:t></w:r>`
  );
}

function paragraph(text: string, style?: string): string {
  const properties = style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : "";
  return `<w:p>${properties}${runs(text)}</w:p>`;
}

/** A .docx whose body holds `blocks`. */
export function docx(blocks: readonly WordBlock[]): Buffer {
  const body = blocks
    .map((block) => {
      if ("table" in block) {
        const rows = block.table
          .map((row) => `<w:tr>${row.map((cell) => `<w:tc>${paragraph(cell)}</w:tc>`).join("")}</w:tr>`)
          .join("");
        return `<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr>${rows}</w:tbl>`;
      }
      return paragraph(block.text, block.heading ? `Heading${block.heading}` : undefined);
    })
    .join("");
  return zip([
    part(
      "[Content_Types].xml",
      contentTypes([
        ["/word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"],
      ]),
    ),
    part("_rels/.rels", relationships([{ id: "rId1", type: "officeDocument", target: "word/document.xml" }])),
    part(
      "word/document.xml",
      `<w:document xmlns:w="${W}"><w:body>${body}<w:sectPr><w:pgSz w:w="12240" w:h="15840"/></w:sectPr></w:body></w:document>`,
    ),
  ]);
}

export type CellValue = string | number | boolean | null;

export interface Sheet {
  name: string;
  rows: readonly (readonly CellValue[])[];
}

function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

const S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

/** An .xlsx with `sheets`: strings in the shared string table (the last sheet's as inline strings), numbers and booleans in cells. */
export function xlsx(sheets: readonly Sheet[]): Buffer {
  const strings: string[] = [];
  const indexOf = new Map<string, number>();
  const shared = (text: string): number => {
    let index = indexOf.get(text);
    if (index === undefined) {
      index = strings.length;
      strings.push(text);
      indexOf.set(text, index);
    }
    return index;
  };
  const sheetParts = sheets.map((sheet, sheetIndex) => {
    const inline = sheets.length > 1 && sheetIndex === sheets.length - 1;
    const rows = sheet.rows
      .map((row, rowIndex) => {
        const cells = row
          .map((value, columnIndex) => {
            const ref = `${columnName(columnIndex)}${rowIndex + 1}`;
            if (value === null || value === "") return "";
            if (typeof value === "number") return `<c r="${ref}"><v>${value}</v></c>`;
            if (typeof value === "boolean") return `<c r="${ref}" t="b"><v>${value ? 1 : 0}</v></c>`;
            if (inline) return `<c r="${ref}" t="inlineStr"><is><t>${escapeXml(value)}</t></is></c>`;
            return `<c r="${ref}" t="s"><v>${shared(value)}</v></c>`;
          })
          .join("");
        return `<row r="${rowIndex + 1}">${cells}</row>`;
      })
      .join("");
    return part(
      `xl/worksheets/sheet${sheetIndex + 1}.xml`,
      `<worksheet xmlns="${S}"><sheetData>${rows}</sheetData></worksheet>`,
    );
  });
  const sheetList = sheets
    .map(
      (sheet, index) =>
        `<sheet name="${escapeXml(sheet.name)}" sheetId="${index + 1}" r:id="rId${index + 1}" xmlns:r="${OFFICE_DOCUMENT}"/>`,
    )
    .join("");
  return zip([
    part(
      "[Content_Types].xml",
      contentTypes([
        ["/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"],
        ...sheets.map((_sheet, index): [string, string] => [
          `/xl/worksheets/sheet${index + 1}.xml`,
          "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
        ]),
        ["/xl/sharedStrings.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"],
      ]),
    ),
    part("_rels/.rels", relationships([{ id: "rId1", type: "officeDocument", target: "xl/workbook.xml" }])),
    part(
      "xl/workbook.xml",
      `<workbook xmlns="${S}" xmlns:r="${OFFICE_DOCUMENT}"><sheets>${sheetList}</sheets></workbook>`,
    ),
    part(
      "xl/_rels/workbook.xml.rels",
      relationships([
        ...sheets.map((_sheet, index) => ({
          id: `rId${index + 1}`,
          type: "worksheet",
          target: `worksheets/sheet${index + 1}.xml`,
        })),
        { id: `rId${sheets.length + 1}`, type: "sharedStrings", target: "sharedStrings.xml" },
      ]),
    ),
    ...sheetParts,
    part(
      "xl/sharedStrings.xml",
      `<sst xmlns="${S}" count="${strings.length}" uniqueCount="${strings.length}">${strings
        .map((text) => `<si><t xml:space="preserve">${escapeXml(text)}</t></si>`)
        .join("")}</sst>`,
    ),
  ]);
}

export interface Slide {
  title: string;
  bullets: readonly string[];
}

const A = "http://schemas.openxmlformats.org/drawingml/2006/main";
const P = "http://schemas.openxmlformats.org/presentationml/2006/main";
const NAMESPACES = `xmlns:a="${A}" xmlns:r="${OFFICE_DOCUMENT}" xmlns:p="${P}"`;
const EMPTY_TREE = '<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>';

function shape(id: number, name: string, placeholder: string, paragraphs: readonly string[]): string {
  const text = paragraphs.map((line) => `<a:p><a:r><a:rPr lang="en-US"/><a:t>${escapeXml(line)}</a:t></a:r></a:p>`);
  return (
    `<p:sp><p:nvSpPr><p:cNvPr id="${id}" name="${name}"/><p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr>` +
    `<p:nvPr><p:ph ${placeholder}/></p:nvPr></p:nvSpPr><p:spPr/>` +
    `<p:txBody><a:bodyPr/><a:lstStyle/>${text.join("")}</p:txBody></p:sp>`
  );
}

/** The theme PowerPoint needs to open a deck: colours, fonts and the three formatting style lists. */
function theme(): string {
  const colour = (name: string, value: string) => `<a:${name}><a:srgbClr val="${value}"/></a:${name}>`;
  const solid = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>';
  const line = `<a:ln w="9525">${solid}</a:ln>`;
  return (
    `<a:theme xmlns:a="${A}" name="Office Theme"><a:themeElements>` +
    '<a:clrScheme name="Office"><a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>' +
    '<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1>' +
    colour("dk2", "44546A") +
    colour("lt2", "E7E6E6") +
    colour("accent1", "4472C4") +
    colour("accent2", "ED7D31") +
    colour("accent3", "A5A5A5") +
    colour("accent4", "FFC000") +
    colour("accent5", "5B9BD5") +
    colour("accent6", "70AD47") +
    colour("hlink", "0563C1") +
    colour("folHlink", "954F72") +
    "</a:clrScheme>" +
    '<a:fontScheme name="Office"><a:majorFont><a:latin typeface="Calibri Light"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont>' +
    '<a:minorFont><a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/></a:minorFont></a:fontScheme>' +
    '<a:fmtScheme name="Office">' +
    `<a:fillStyleLst>${solid}${solid}${solid}</a:fillStyleLst>` +
    `<a:lnStyleLst>${line}${line}${line}</a:lnStyleLst>` +
    "<a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst>" +
    `<a:bgFillStyleLst>${solid}${solid}${solid}</a:bgFillStyleLst>` +
    "</a:fmtScheme></a:themeElements></a:theme>"
  );
}

/** A .pptx with one title-and-content slide per entry, with the master, layout and theme PowerPoint requires. */
export function pptx(slides: readonly Slide[]): Buffer {
  const slideParts = slides.flatMap((slide, index) => [
    part(
      `ppt/slides/slide${index + 1}.xml`,
      `<p:sld ${NAMESPACES}><p:cSld><p:spTree>${EMPTY_TREE}` +
        shape(2, "Title 1", 'type="title"', [slide.title]) +
        shape(3, "Content Placeholder 2", 'idx="1"', slide.bullets) +
        "</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>",
    ),
    part(
      `ppt/slides/_rels/slide${index + 1}.xml.rels`,
      relationships([{ id: "rId1", type: "slideLayout", target: "../slideLayouts/slideLayout1.xml" }]),
    ),
  ]);
  const colourMap =
    '<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" accent3="accent3" accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" folHlink="folHlink"/>';
  return zip([
    part(
      "[Content_Types].xml",
      contentTypes([
        ["/ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"],
        [
          "/ppt/slideMasters/slideMaster1.xml",
          "application/vnd.openxmlformats-officedocument.presentationml.slideMaster+xml",
        ],
        [
          "/ppt/slideLayouts/slideLayout1.xml",
          "application/vnd.openxmlformats-officedocument.presentationml.slideLayout+xml",
        ],
        ["/ppt/theme/theme1.xml", "application/vnd.openxmlformats-officedocument.theme+xml"],
        ...slides.map((_slide, index): [string, string] => [
          `/ppt/slides/slide${index + 1}.xml`,
          "application/vnd.openxmlformats-officedocument.presentationml.slide+xml",
        ]),
      ]),
    ),
    part("_rels/.rels", relationships([{ id: "rId1", type: "officeDocument", target: "ppt/presentation.xml" }])),
    part(
      "ppt/presentation.xml",
      `<p:presentation ${NAMESPACES}><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst>` +
        `<p:sldIdLst>${slides.map((_slide, index) => `<p:sldId id="${256 + index}" r:id="rId${index + 3}"/>`).join("")}</p:sldIdLst>` +
        '<p:sldSz cx="12192000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>',
    ),
    part(
      "ppt/_rels/presentation.xml.rels",
      relationships([
        { id: "rId1", type: "slideMaster", target: "slideMasters/slideMaster1.xml" },
        { id: "rId2", type: "theme", target: "theme/theme1.xml" },
        ...slides.map((_slide, index) => ({
          id: `rId${index + 3}`,
          type: "slide",
          target: `slides/slide${index + 1}.xml`,
        })),
      ]),
    ),
    part(
      "ppt/slideMasters/slideMaster1.xml",
      `<p:sldMaster ${NAMESPACES}><p:cSld><p:spTree>${EMPTY_TREE}</p:spTree></p:cSld>${colourMap}` +
        '<p:sldLayoutIdLst><p:sldLayoutId id="2147483649" r:id="rId1"/></p:sldLayoutIdLst></p:sldMaster>',
    ),
    part(
      "ppt/slideMasters/_rels/slideMaster1.xml.rels",
      relationships([
        { id: "rId1", type: "slideLayout", target: "../slideLayouts/slideLayout1.xml" },
        { id: "rId2", type: "theme", target: "../theme/theme1.xml" },
      ]),
    ),
    part(
      "ppt/slideLayouts/slideLayout1.xml",
      `<p:sldLayout ${NAMESPACES} type="obj"><p:cSld name="Title and Content"><p:spTree>${EMPTY_TREE}</p:spTree></p:cSld>` +
        "<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>",
    ),
    part(
      "ppt/slideLayouts/_rels/slideLayout1.xml.rels",
      relationships([{ id: "rId1", type: "slideMaster", target: "../slideMasters/slideMaster1.xml" }]),
    ),
    part("ppt/theme/theme1.xml", theme()),
    ...slideParts,
  ]);
}
