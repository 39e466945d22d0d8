/**
 * OneDrive and SharePoint for the seed: each demo user's OneDrive (folders
 * several levels deep, a folder of 65 invoices to page through, text and code
 * files, real Word, Excel and PowerPoint files with known text, PDFs, images,
 * a legacy .doc, a video over 4 MB, shared items) and the tenant's SharePoint
 * sites with their document libraries.
 */
import { createHash } from "node:crypto";
import { ADELE, ALEX, DEMO_USERS, MEGAN, TENANT_DOMAIN, type DemoUser } from "../tenant.ts";
import { fileContent } from "./files.ts";
import { docx, pptx, xlsx, type Sheet, type Slide, type WordBlock } from "./ooxml.ts";
import { SeededRandom, stableGuid } from "./random.ts";
import { DAY, HOUR, isoSeconds, MINUTE } from "./time.ts";

/** Who created or changed something, as Graph's identitySet.user carries it. */
export interface Identity {
  id: string;
  displayName: string;
  email?: string;
}

/** A sharing permission: a link (createLink) or a grant to people. */
export interface StoredPermission {
  id: string;
  roles: ("read" | "write")[];
  link?: {
    type: "view" | "edit" | "embed";
    scope: "anonymous" | "organization" | "users";
    webUrl: string;
    preventsDownload: boolean;
  };
  /** The people a "users" link or an invitation grants access to. */
  grantedTo?: Identity[];
  expirationDateTime?: string;
  createdDateTime: string;
}

export interface StoredDriveItem {
  id: string;
  name: string;
  /** Null for the root folder. */
  parentId: string | null;
  kind: "folder" | "file";
  mimeType?: string;
  /** The file's bytes. Never mutated (a write stores a new buffer), so seed copies share them. */
  content?: Buffer;
  /** What Microsoft Search indexes of the file's content, when it has text. */
  text?: string;
  description?: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  createdBy: Identity;
  lastModifiedBy: Identity;
  /** Bumped by every change; part of eTag and cTag. */
  version: number;
  permissions: StoredPermission[];
  image?: { width: number; height: number };
}

/** An upload session (createUploadSession) and the bytes received so far. */
export interface UploadSession {
  token: string;
  driveId: string;
  parentId: string;
  name: string;
  conflictBehavior: "rename" | "replace" | "fail";
  /** The file being overwritten, when the session was created on an existing item. */
  replaceItemId?: string;
  /** Declared by item.fileSize or by the first fragment's Content-Range. */
  total?: number;
  fragments: Buffer[];
  received: number;
  /** Epoch ms; each fragment extends it. */
  expiresAt: number;
  userId: string;
}

export interface StoredDrive {
  id: string;
  driveType: "business" | "documentLibrary";
  name: string;
  description: string;
  webUrl: string;
  createdDateTime: string;
  owner: Identity;
  /** The OneDrive's owner (user id); absent for document libraries. */
  ownerUserId?: string;
  /** The site of a document library. */
  siteId?: string;
  rootId: string;
  items: Map<string, StoredDriveItem>;
  /** Deleted items (and the folders' contents with them), newest last. */
  recycleBin: StoredDriveItem[];
  /** The tenant's sharing policy for this drive: whether "anyone" links may be created. */
  allowAnonymousLinks: boolean;
  quotaTotal: number;
  uploads: Map<string, UploadSession>;
}

export interface StoredSite {
  id: string;
  name: string;
  displayName: string;
  description: string;
  webUrl: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  /** Document libraries; the first is the site's default drive. */
  drives: StoredDrive[];
}

export const SHAREPOINT_HOST = "contoso.sharepoint.com";
const MY_SITE_HOST = "contoso-my.sharepoint.com";

export function identityOf(user: DemoUser): Identity {
  return { id: user.id, displayName: user.displayName, email: user.mail };
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** An id shaped like OneDrive for Business item ids ("01" and 32 base32 characters). */
export function driveItemId(...parts: (string | number)[]): string {
  const digest = createHash("sha256").update(parts.join("|")).digest();
  let id = "01";
  for (let i = 0; i < 32; i++) id += BASE32[digest[i]! % 32];
  return id;
}

/** An id shaped like SharePoint drive ids ("b!" and 64 URL-safe base64 characters). */
export function driveId(...parts: (string | number)[]): string {
  const digest = Buffer.concat([
    createHash("sha256")
      .update(`a|${parts.join("|")}`)
      .digest(),
    createHash("sha256")
      .update(`b|${parts.join("|")}`)
      .digest(),
  ]);
  return `b!${digest.toString("base64url").slice(0, 64)}`;
}

/** Deterministic bytes that do not compress (video, legacy formats). */
function filler(seed: string, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  let block = createHash("sha256").update(seed).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(bytes, offset);
    block = createHash("sha256").update(block).digest();
  }
  return bytes;
}

export const MIME_TYPES: Record<string, string> = {
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  json: "application/json",
  xml: "application/xml",
  html: "text/html",
  htm: "text/html",
  py: "text/x-python",
  js: "text/javascript",
  ts: "video/mp2t",
  css: "text/css",
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  mp4: "video/mp4",
  zip: "application/x-zip-compressed",
  doc: "application/msword",
  xls: "application/vnd.ms-excel",
  ppt: "application/vnd.ms-powerpoint",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
};

/** The MIME type SharePoint gives a file by its extension. */
export function mimeTypeOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return (dot >= 0 && MIME_TYPES[name.slice(dot + 1).toLowerCase()]) || "application/octet-stream";
}

const TEXT_EXTENSIONS = new Set(["txt", "md", "csv", "json", "xml", "html", "htm", "py", "js", "ts", "css", "log"]);

/** The searchable text of content Microsoft Search would index as text. */
export function indexableText(name: string, content: Buffer): string | undefined {
  const extension = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  if (!TEXT_EXTENSIONS.has(extension) || content.length > 1_000_000) return undefined;
  return content.toString("utf8");
}

function pngSize(content: Buffer): { width: number; height: number } | undefined {
  if (content.length < 24 || content.readUInt32BE(0) !== 0x89504e47) return undefined;
  return { width: content.readUInt32BE(16), height: content.readUInt32BE(20) };
}

function wordText(blocks: readonly WordBlock[]): string {
  return blocks
    .map((block) => ("table" in block ? block.table.map((row) => row.join(" ")).join("\n") : block.text))
    .join("\n");
}

function sheetText(sheets: readonly Sheet[]): string {
  return sheets.map((sheet) => sheet.rows.map((row) => row.join(" ")).join("\n")).join("\n");
}

function slideText(slides: readonly Slide[]): string {
  return slides.map((slide) => [slide.title, ...slide.bullets].join("\n")).join("\n");
}

/** Lays out one drive: folders and files with creation and change times before `dayStart`. */
class DriveBuilder {
  readonly drive: StoredDrive;
  private readonly random: SeededRandom;
  private readonly dayStart: number;
  private readonly people: readonly Identity[];

  constructor(drive: StoredDrive, dayStart: number, people: readonly Identity[], seed: number) {
    this.drive = drive;
    this.dayStart = dayStart;
    this.people = people;
    this.random = new SeededRandom(seed);
  }

  get root(): StoredDriveItem {
    return this.drive.items.get(this.drive.rootId)!;
  }

  private times(daysAgo: number): { created: string; modified: string } {
    const created = this.dayStart - daysAgo * DAY + this.random.int(8, 17) * HOUR + this.random.int(0, 59) * MINUTE;
    const edited = Math.min(this.dayStart - 10 * MINUTE, created + this.random.int(0, Math.max(0, daysAgo - 1)) * DAY);
    return { created: isoSeconds(created), modified: isoSeconds(Math.max(created, edited)) };
  }

  private add(parent: StoredDriveItem | null, item: Omit<StoredDriveItem, "id" | "parentId">): StoredDriveItem {
    const stored: StoredDriveItem = {
      id: driveItemId(this.drive.id, parent?.id ?? "", item.name),
      parentId: parent?.id ?? null,
      ...item,
    };
    this.drive.items.set(stored.id, stored);
    return stored;
  }

  addRoot(created: string): StoredDriveItem {
    const item = this.add(null, {
      name: "root",
      kind: "folder",
      createdDateTime: created,
      lastModifiedDateTime: created,
      createdBy: this.drive.owner,
      lastModifiedBy: this.drive.owner,
      version: 1,
      permissions: [],
    });
    this.drive.rootId = item.id;
    return item;
  }

  folder(parent: StoredDriveItem, name: string, daysAgo: number, by?: Identity): StoredDriveItem {
    const { created, modified } = this.times(daysAgo);
    const author = by ?? this.drive.owner;
    return this.add(parent, {
      name,
      kind: "folder",
      createdDateTime: created,
      lastModifiedDateTime: modified,
      createdBy: author,
      lastModifiedBy: author,
      version: 1,
      permissions: [],
    });
  }

  file(
    parent: StoredDriveItem,
    name: string,
    content: Buffer,
    daysAgo: number,
    options: { by?: Identity; editedBy?: Identity; text?: string; description?: string } = {},
  ): StoredDriveItem {
    const { created, modified } = this.times(daysAgo);
    const author = options.by ?? this.drive.owner;
    const mimeType = mimeTypeOf(name);
    const image = mimeType === "image/png" ? pngSize(content) : undefined;
    return this.add(parent, {
      name,
      kind: "file",
      mimeType,
      content,
      text: options.text ?? indexableText(name, content),
      ...(options.description ? { description: options.description } : {}),
      createdDateTime: created,
      lastModifiedDateTime: modified,
      createdBy: author,
      lastModifiedBy: options.editedBy ?? author,
      version: this.random.int(1, 6),
      permissions: [],
      ...(image ? { image } : {}),
    });
  }

  word(parent: StoredDriveItem, name: string, blocks: readonly WordBlock[], daysAgo: number, by?: Identity) {
    return this.file(parent, name, docx(blocks), daysAgo, { by, text: wordText(blocks) });
  }

  workbook(parent: StoredDriveItem, name: string, sheets: readonly Sheet[], daysAgo: number, by?: Identity) {
    return this.file(parent, name, xlsx(sheets), daysAgo, { by, text: sheetText(sheets) });
  }

  deck(parent: StoredDriveItem, name: string, slides: readonly Slide[], daysAgo: number, by?: Identity) {
    return this.file(parent, name, pptx(slides), daysAgo, { by, text: slideText(slides) });
  }

  pdf(parent: StoredDriveItem, name: string, title: string, size: number, daysAgo: number, by?: Identity) {
    return this.file(parent, name, fileContent("pdf", title, [title], size, this.random), daysAgo, { by });
  }

  png(parent: StoredDriveItem, name: string, size: number, daysAgo: number, by?: Identity) {
    return this.file(parent, name, fileContent("png", name, [name], size, this.random), daysAgo, { by });
  }

  pick<T>(items: readonly T[]): T {
    return this.random.pick(items);
  }

  int(min: number, max: number): number {
    return this.random.int(min, max);
  }

  /** A sharing link, as createLink makes them. */
  share(
    item: StoredDriveItem,
    scope: "organization" | "users" | "anonymous",
    type: "view" | "edit",
    grantedTo?: Identity[],
  ) {
    const id = stableGuid(this.drive.id, item.id, "permission", item.permissions.length);
    item.permissions.push({
      id,
      roles: [type === "edit" ? "write" : "read"],
      link: { type, scope, webUrl: sharingUrl(this.drive, item, id), preventsDownload: false },
      ...(grantedTo ? { grantedTo } : {}),
      createdDateTime: item.lastModifiedDateTime,
    });
  }
}

/** A sharing link's URL, shaped like SharePoint's (":w:" for Word and so on). */
export function sharingUrl(drive: StoredDrive, item: StoredDriveItem, permissionId: string): string {
  const extension = item.name.slice(item.name.lastIndexOf(".") + 1).toLowerCase();
  const kind =
    item.kind === "folder"
      ? "f"
      : (({ docx: "w", xlsx: "x", pptx: "p", pdf: "b" } as Record<string, string>)[extension] ?? "u");
  const token = createHash("sha256").update(`${drive.id}|${item.id}|${permissionId}`).digest("base64url").slice(0, 44);
  const base =
    drive.driveType === "business"
      ? `https://${MY_SITE_HOST}/:${kind}:/g/personal/${drive.webUrl.split("/personal/")[1]?.split("/")[0] ?? ""}`
      : `https://${SHAREPOINT_HOST}/:${kind}:/s/${drive.webUrl.split("/sites/")[1]?.split("/")[0] ?? ""}`;
  return `${base}/${token}`;
}

function newDrive(fields: Omit<StoredDrive, "rootId" | "items" | "recycleBin" | "uploads">): StoredDrive {
  return { ...fields, rootId: "", items: new Map(), recycleBin: [], uploads: new Map() };
}

function personalPath(user: DemoUser): string {
  return user.userPrincipalName.replace(/[@.]/g, "_");
}

function meetingNotes(user: DemoUser): string {
  return [
    "# Marketing sync",
    "",
    `Attendees: ${user.displayName}, Megan Bowen, Alex Wilber`,
    "",
    "## Decisions",
    "- The Mark 8 launch moves to the second week of March.",
    "- Partner events get 30 percent of the event budget.",
    "",
    "## Action items",
    "- [ ] Alex: final hero image for the landing page",
    "- [ ] Megan: confirm the webinar dates with Litware Events",
    `- [x] ${user.givenName}: share the quarterly business review`,
    "",
  ].join("\n");
}

function advisoryTranscript(random: SeededRandom): string {
  const speakers = ["Moderator", "Northwind", "Fabrikam", "Adatum", "Tailspin", "Litware"];
  const lines = [
    "We would like scheduled exports of every dashboard, not only the sales ones.",
    "The mobile app should work offline for at least a day.",
    "Single sign-on across all of our subsidiaries is a priority for this year.",
    "We would pay for premium support if it included a named engineer.",
    "Quarterly releases with clear release notes suit us better than monthly ones.",
    "Onboarding takes too long for teams of more than fifty people.",
    "Is data residency in the EU on the roadmap?",
    "An API to pull usage data into our own reporting tools would help a lot.",
  ];
  const out = ["Customer advisory board: full transcript", "=========================================", ""];
  let length = 0;
  for (let turn = 1; length < 60_000; turn++) {
    const line = `[${String(turn).padStart(3, "0")}] ${random.pick(speakers)}: ${random.pick(lines)} ${random.pick(lines)}`;
    out.push(line);
    length += line.length + 1;
  }
  out.push("", "END OF TRANSCRIPT");
  return out.join("\n");
}

/** The seeded OneDrive of `user`, dated back from `dayStart` (epoch ms, midnight UTC). */
export function seedDrive(user: DemoUser, dayStart: number): StoredDrive {
  const me = identityOf(user);
  const colleagues = DEMO_USERS.filter((other) => other.id !== user.id).map(identityOf);
  const drive = newDrive({
    id: driveId("onedrive", user.id),
    driveType: "business",
    name: "OneDrive",
    description: "",
    webUrl: `https://${MY_SITE_HOST}/personal/${personalPath(user)}/Documents`,
    createdDateTime: isoSeconds(dayStart - 900 * DAY),
    owner: me,
    ownerUserId: user.id,
    allowAnonymousLinks: true,
    quotaTotal: 1024 ** 4,
  });
  const b = new DriveBuilder(drive, dayStart, [me, ...colleagues], user.id.charCodeAt(user.id.length - 1) * 7919);
  const root = b.addRoot(drive.createdDateTime);

  const documents = b.folder(root, "Documents", 400);
  const reports = b.folder(documents, "Reports", 300);
  const year = b.folder(reports, "2025", 200);
  const q4 = b.folder(year, "Q4", 120);
  const archive = b.folder(q4, "Archive", 110);
  b.word(
    q4,
    "Q4 2025 summary.docx",
    [
      { heading: 1, text: "Q4 2025 summary" },
      { text: "The holiday campaign beat its lead target by 22 percent." },
      { text: "Retail partners asked for earlier access to launch materials." },
    ],
    95,
  );
  b.file(
    archive,
    "Draft outline.txt",
    Buffer.from("Q4 draft outline\n\n1. Results\n2. Lessons learned\n3. Next year\n"),
    105,
  );
  b.word(
    reports,
    "Quarterly business review.docx",
    [
      { heading: 1, text: "Quarterly business review: Q3 FY26" },
      { text: `Prepared by ${user.displayName}, ${user.department}.` },
      { heading: 2, text: "Highlights" },
      { text: "Revenue grew 18 percent year over year, led by the Mark 8 launch in EMEA." },
      { text: "Customer satisfaction reached 4.6 out of 5 across all regions." },
      { heading: 2, text: "Revenue by region" },
      {
        table: [
          ["Region", "Revenue (USD)", "Growth"],
          ["North America", "4,200,000", "12%"],
          ["EMEA", "3,100,000", "27%"],
          ["APAC", "1,900,000", "15%"],
        ],
      },
      { heading: 2, text: "Risks" },
      { text: "Supply of the Mark 8 display panels remains tight until the end of the quarter." },
      { text: "Next review: the first Monday of next quarter." },
    ],
    20,
  );
  b.workbook(
    reports,
    "Sales by region.xlsx",
    [
      {
        name: "Summary",
        rows: [
          ["Region", "Q1", "Q2", "Q3"],
          ["North America", 1200000, 1350000, 1420000],
          ["EMEA", 880000, 940000, 1100000],
          ["APAC", 510000, 560000, 640000],
          ["Total", 2590000, 2850000, 3160000],
        ],
      },
      {
        name: "Notes",
        rows: [["Figures in USD; source: Dynamics 365 Sales."], ["Prepared by", user.displayName], ["Audited", true]],
      },
    ],
    12,
  );
  b.file(
    reports,
    "Regional targets.csv",
    Buffer.from(
      "region,quarter,target_usd\nNorth America,Q4,1500000\nEMEA,Q4,1200000\nAPAC,Q4,700000\nLATAM,Q4,300000\n",
    ),
    30,
  );

  const presentations = b.folder(documents, "Presentations", 200);
  b.deck(
    presentations,
    "Mark 8 launch plan.pptx",
    [
      { title: "Mark 8 launch plan", bullets: ["Launch date: the second week of March", `Owner: ${user.displayName}`] },
      { title: "Audience", bullets: ["IT decision makers in mid-size companies", "Design professionals"] },
      {
        title: "Channels",
        bullets: [
          "Search and social campaigns",
          "Partner events in EMEA and APAC",
          "Webinar series with Litware Events",
        ],
      },
      { title: "Next steps", bullets: ["Final brand review with Alex Wilber", "Budget sign-off by Friday"] },
    ],
    8,
  );

  const notes = b.folder(documents, "Notes", 150);
  b.file(notes, "Meeting notes.md", Buffer.from(meetingNotes(user)), 3);
  b.file(
    notes,
    "Ideas.txt",
    Buffer.from(
      "Ideas for next quarter\n\n- A customer story series with Northwind\n- Short product videos for social\n- A partner portal refresh\n",
    ),
    40,
  );
  b.file(
    notes,
    "campaign-settings.json",
    Buffer.from(
      `${JSON.stringify({ campaign: "Mark 8 launch", owner: user.mail, budgetUsd: 250000, channels: ["search", "social", "events"] }, null, 2)}\n`,
    ),
    15,
  );
  b.file(
    notes,
    "product-feed.xml",
    Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?>\n<feed title="Mark 8">\n  <item sku="MK8-001" price="1299.00">Mark 8 Pro</item>\n  <item sku="MK8-002" price="999.00">Mark 8</item>\n</feed>\n',
    ),
    15,
  );
  b.file(
    notes,
    "landing-page.html",
    Buffer.from(
      '<!doctype html><html><head><title>Mark 8</title><style>h1{color:#0b5394}</style><script>track("view")</script></head>' +
        "<body><h1>Meet Mark 8</h1><p>The lightest laptop we have ever made.</p><ul><li>14-hour battery</li><li>Pen support</li></ul>" +
        '<p><a href="https://contoso.example/mark8">Pre-order today</a> &amp; save 10%.</p></body></html>\n',
    ),
    6,
  );
  b.file(
    notes,
    "export-contacts.py",
    Buffer.from(
      'import csv\n\n\ndef export(contacts, path):\n    """Writes contacts to a CSV file."""\n    with open(path, "w", newline="") as out:\n        writer = csv.writer(out)\n        for contact in contacts:\n            writer.writerow([contact.name, contact.email])\n',
    ),
    25,
  );
  b.file(
    notes,
    "Café menu – Berlin.txt",
    Buffer.from("Frühstück: Müsli, Brötchen und Café au lait (4,50 €)\n", "utf8"),
    50,
  );
  b.file(notes, "Customer advisory board transcript.txt", Buffer.from(advisoryTranscript(new SeededRandom(42))), 4);

  const proposals = b.folder(documents, "Proposals", 500);
  b.file(
    proposals,
    "Contoso proposal 2019.doc",
    Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), filler(`${user.id}:doc`, 48_000)]),
    700,
  );
  b.pdf(proposals, "Fabrikam contract.pdf", "Fabrikam master services agreement", 38_000, 60);

  const invoices = b.folder(documents, "Invoices", 365);
  for (let n = 1; n <= 65; n++) {
    const number = `INV-2026-${String(n).padStart(4, "0")}`;
    b.pdf(invoices, `Invoice ${number}.pdf`, `Invoice ${number}`, b.int(1_000, 4_000), 365 - n * 5);
  }

  const pictures = b.folder(root, "Pictures", 600);
  b.png(pictures, "Team offsite.png", 140_000, 90);
  b.png(
    pictures,
    "Mark 8 hero.png",
    60_000,
    10,
    colleagues.find((person) => person.id === ALEX.id),
  );

  const videos = b.folder(root, "Videos", 300);
  b.file(
    videos,
    "Mark 8 product demo.mp4",
    Buffer.concat([
      Buffer.from([0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d]),
      filler(`${user.id}:video`, 4_500_000),
    ]),
    14,
  );

  // What gathers at the top of a OneDrive over the years: app folders and loose files.
  for (const [name, daysAgo] of [
    ["Desktop", 700],
    ["Attachments", 650],
    ["Microsoft Teams Chat Files", 500],
    ["Recordings", 320],
    ["Notebooks", 800],
    ["Apps", 850],
  ] as const) {
    b.folder(root, name, daysAgo);
  }
  b.word(
    root,
    "Weekly status.docx",
    [
      { heading: 1, text: "Weekly status" },
      { text: "Landing page copy is final; the hero image is due on Thursday." },
      { text: "Blocked: legal review of the partner event contract." },
    ],
    2,
  );
  b.word(
    root,
    "Offsite agenda.docx",
    [
      { heading: 1, text: "Team offsite agenda" },
      { text: "Day one: strategy and the FY27 plan. Day two: workshops and the team dinner." },
    ],
    45,
  );
  b.workbook(
    root,
    "Expense report October.xlsx",
    [
      {
        name: "Expenses",
        rows: [
          ["Date", "Item", "Amount (USD)"],
          ["2026-10-03", "Flight to Berlin", 812.4],
          ["2026-10-04", "Hotel, three nights", 540],
          ["2026-10-06", "Team dinner", 236.75],
        ],
      },
    ],
    35,
  );
  b.workbook(
    root,
    "Project timeline.xlsx",
    [
      {
        name: "Timeline",
        rows: [
          ["Milestone", "Owner", "Due"],
          ["Creative brief", "Megan Bowen", "Week 1"],
          ["Hero image", "Alex Wilber", "Week 3"],
          ["Launch", user.displayName, "Week 8"],
        ],
      },
    ],
    18,
  );
  b.pdf(root, "Travel itinerary.pdf", "Travel itinerary: Seattle to Berlin", 24_000, 38);
  b.pdf(root, "Welcome to OneDrive.pdf", "Welcome to OneDrive", 52_000, 900);
  b.file(
    root,
    "Packing list.txt",
    Buffer.from("Packing list\n\n- Laptop and charger\n- Badge\n- Adapter for EU sockets\n"),
    39,
  );
  b.file(
    root,
    "Brainstorm.md",
    Buffer.from("# Brainstorm\n\n- Customer stories\n- Short videos\n- A podcast with partners\n"),
    11,
  );
  b.file(
    root,
    "Reading list.md",
    Buffer.from("# Reading list\n\n1. Crossing the Chasm\n2. Made to Stick\n3. Obviously Awesome\n"),
    120,
  );
  b.file(
    root,
    "Vendor list.csv",
    Buffer.from(
      "vendor,service,contact\nLitware Events,webinars,events@litware.example\nFabrikam,print,print@fabrikam.example\n",
    ),
    70,
  );
  b.file(
    root,
    "Customer list.csv",
    Buffer.from(
      "customer,segment,owner\nNorthwind Traders,enterprise,Megan Bowen\nAdatum,mid-size,Adele Vance\nTailspin Toys,mid-size,Alex Wilber\n",
    ),
    27,
  );
  b.png(root, "Headshot.png", 48_000, 400);

  const team = b.folder(root, "Shared with team", 80);
  const budget = b.workbook(
    team,
    "Budget FY27.xlsx",
    [
      {
        name: "Budget",
        rows: [
          ["Line", "Amount (USD)"],
          ["Events", 120000],
          ["Digital", 90000],
          ["Content", 40000],
        ],
      },
    ],
    9,
  );
  b.share(team, "users", "edit", colleagues);
  b.share(budget, "organization", "view");
  const review = [...drive.items.values()].find((item) => item.name === "Quarterly business review.docx")!;
  b.share(review, "organization", "view");
  return drive;
}

/** The tenant's SharePoint sites, each with its document libraries. */
export function seedSites(dayStart: number): StoredSite[] {
  const adele = identityOf(ADELE);
  const megan = identityOf(MEGAN);
  const alex = identityOf(ALEX);
  const site = (name: string, displayName: string, description: string, daysAgo: number): StoredSite => {
    const created = isoSeconds(dayStart - daysAgo * DAY);
    return {
      id: `${SHAREPOINT_HOST},${stableGuid("site", name)},${stableGuid("web", name)}`,
      name,
      displayName,
      description,
      webUrl: `https://${SHAREPOINT_HOST}/sites/${name}`,
      createdDateTime: created,
      lastModifiedDateTime: isoSeconds(dayStart - 2 * HOUR),
      drives: [],
    };
  };
  const library = (owner: StoredSite, name: string, urlName: string, description: string): DriveBuilder => {
    const drive = newDrive({
      id: driveId("library", owner.name, name),
      driveType: "documentLibrary",
      name,
      description,
      webUrl: `${owner.webUrl}/${urlName}`,
      createdDateTime: owner.createdDateTime,
      owner: { id: stableGuid("group", owner.name), displayName: `${owner.displayName} Owners` },
      siteId: owner.id,
      // The tenant's policy: no "anyone" links in team sites.
      allowAnonymousLinks: false,
      quotaTotal: 25 * 1024 ** 4,
    });
    owner.drives.push(drive);
    const builder = new DriveBuilder(drive, dayStart, [adele, megan, alex], name.length * 104729 + owner.name.length);
    builder.addRoot(owner.createdDateTime);
    return builder;
  };

  const marketing = site(
    "Marketing",
    "Marketing",
    `Campaigns, brand assets and plans of the ${TENANT_DOMAIN} marketing team`,
    800,
  );
  const documents = library(marketing, "Documents", "Shared%20Documents", "");
  const campaigns = documents.folder(documents.root, "Campaigns", 500, megan);
  const mark8 = documents.folder(campaigns, "Mark 8", 100, megan);
  documents.word(
    mark8,
    "Campaign brief.docx",
    [
      { heading: 1, text: "Mark 8 campaign brief" },
      { text: "Goal: 40,000 qualified leads in the first quarter after launch." },
      { text: "Key message: the lightest laptop we have ever made, built for people on the move." },
    ],
    30,
    megan,
  );
  documents.workbook(
    mark8,
    "Budget tracker.xlsx",
    [
      {
        name: "Tracker",
        rows: [
          ["Channel", "Planned", "Spent"],
          ["Search", 80000, 42000],
          ["Social", 60000, 51000],
          ["Events", 110000, 20000],
        ],
      },
    ],
    5,
    adele,
  );
  documents.pdf(mark8, "Brand guidelines.pdf", "Contoso brand guidelines", 120_000, 200, alex);
  documents.png(mark8, "Logo.png", 20_000, 200, alex);
  const templates = documents.folder(documents.root, "Templates", 600, adele);
  documents.word(
    templates,
    "Press release template.docx",
    [
      { heading: 1, text: "Press release template" },
      { text: "FOR IMMEDIATE RELEASE. City, date: Contoso announces ..." },
    ],
    400,
    adele,
  );
  const assets = library(marketing, "Brand Assets", "Brand%20Assets", "Approved logos and images");
  assets.png(assets.root, "Contoso logo dark.png", 30_000, 300, alex);
  assets.png(assets.root, "Contoso logo light.png", 30_000, 300, alex);

  const sales = site("Sales", "Sales", "Sales playbooks, pricing and customer proposals", 900);
  const salesDocs = library(sales, "Documents", "Shared%20Documents", "");
  const playbooks = salesDocs.folder(salesDocs.root, "Playbooks", 300, megan);
  salesDocs.word(
    playbooks,
    "Enterprise sales playbook.docx",
    [
      { heading: 1, text: "Enterprise sales playbook" },
      { text: "Qualify every opportunity with budget, authority, need and timing." },
      { text: "Discounts above 15 percent need approval from the regional director." },
    ],
    60,
    megan,
  );
  salesDocs.file(
    playbooks,
    "Price list.csv",
    Buffer.from("product,list_price_usd\nMark 8,999\nMark 8 Pro,1299\nDocking station,249\n"),
    20,
    { by: megan },
  );
  return [marketing, sales];
}

/** A drive whose items can change without touching `drive`; file contents are shared. */
export function copyDrive(drive: StoredDrive): StoredDrive {
  return {
    ...drive,
    owner: { ...drive.owner },
    items: new Map(
      [...drive.items].map(([id, item]) => [id, { ...item, permissions: structuredClone(item.permissions) }]),
    ),
    recycleBin: drive.recycleBin.map((item) => ({ ...item, permissions: structuredClone(item.permissions) })),
    uploads: new Map(),
  };
}

let cachedSites: { dayStart: number; sites: StoredSite[] } | undefined;

/** A fresh copy of the tenant's SharePoint sites for the day of `dayStart`. */
export function seedSharePoint(dayStart: number): StoredSite[] {
  if (cachedSites?.dayStart !== dayStart) cachedSites = { dayStart, sites: seedSites(dayStart) };
  return cachedSites.sites.map((site) => ({ ...site, drives: site.drives.map(copyDrive) }));
}
