import { env } from "cloudflare:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { beforeEach, describe, expect, it } from "vitest";
import { signIn as signInToEmulator } from "../emulator/helpers.ts";
import { callTool, clearLog, connectClient, emulator, emulatorUrl, requestLog, resultText, signIn } from "./helpers.ts";

interface Item {
  id: string;
  name: string;
  folder: boolean;
  size: string;
  modified: string;
  modifiedBy: string;
  path?: string;
}

interface Listing {
  driveId: string;
  items: Item[];
  nextCursor?: string;
}

const MiB = 1024 * 1024;

const call = callTool;

const text = resultText;

async function connect(user = "adele@contoso.example"): Promise<Client> {
  return connectClient((await signIn(user)).access_token);
}

async function listing(client: Client, args: Record<string, unknown>): Promise<Listing> {
  const result = await call(client, "listFiles", args);
  if (result.isError) throw new Error(text(result));
  return result.structuredContent as unknown as Listing;
}

/** A Graph token straight from the emulator, for checking what the tools did. */
async function graphToken(scope = "openid User.Read Files.ReadWrite.All Sites.Read.All"): Promise<string> {
  return (await signInToEmulator(emulatorUrl(env), "adele@contoso.example", scope)).access_token;
}

async function graphGet<T>(token: string, path: string): Promise<T> {
  const response = await fetch(`${emulatorUrl(env)}/v1.0${path}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function sha256(bytes: ArrayBuffer): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** The bytes of a file, downloaded the way Graph hands them out (302 to a token-free URL). */
async function downloadHash(token: string, itemId: string): Promise<string> {
  const redirect = await fetch(`${emulatorUrl(env)}/v1.0/me/drive/items/${itemId}/content`, {
    headers: { Authorization: `Bearer ${token}` },
    redirect: "manual",
  });
  expect(redirect.status).toBe(302);
  const download = await fetch(redirect.headers.get("Location")!);
  return sha256(await download.arrayBuffer());
}

function blobUrl(size: number, seed: string): string {
  return `${emulatorUrl(env)}/_emulator/blob?size=${size}&seed=${seed}`;
}

function idOf(result: CallToolResult): string {
  const match = / · id (\w+)$/.exec(text(result));
  if (!match?.[1]) throw new Error(`no id in: ${text(result)}`);
  return match[1];
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("listFiles", () => {
  it("lists the top of the OneDrive compactly, with ids and a cursor to the next page", async () => {
    const client = await connect();
    const result = await call(client, "listFiles", { path: "/", count: 20 });
    expect(result.isError).toBeFalsy();
    const page = result.structuredContent as unknown as Listing;
    expect(page.items).toHaveLength(20);
    expect(page.driveId).toMatch(/^b!/);
    expect(page.nextCursor).toMatch(/^[\w-]{12}$/);
    const documents = page.items.find((item) => item.name === "Documents")!;
    expect(documents).toMatchObject({ folder: true, modifiedBy: "Adele Vance" });
    const rendered = text(result);
    expect(rendered).toMatch(/^\/ in your OneDrive: 20 items\./);
    expect(rendered).toContain("Documents/ · folder, 5 items");
    expect(rendered).toContain("Shared with team/ · folder, 1 item ·");
    expect(rendered).toContain(`id ${documents.id}`);
    expect(rendered).toMatch(
      /Expense report October\.xlsx · \d+(\.\d)? KB · \d{4}-\d\d-\d\dT\d\d:\d\dZ by Adele Vance/,
    );
    expect(rendered).not.toContain("@odata");
    expect(rendered).toContain(`More: call again with cursor "${page.nextCursor}"`);

    const next = await listing(client, { cursor: page.nextCursor });
    expect(next.items.length).toBeGreaterThan(0);
    expect(next.items.map((item) => item.id)).not.toContain(page.items[0]!.id);
    expect(next.nextCursor).toBeUndefined();
  });

  it("pages a folder of 65 invoices by path, and lists a folder by id", async () => {
    const client = await connect();
    const first = await listing(client, { path: "/Documents/Invoices", count: 50 });
    expect(first.items).toHaveLength(50);
    const second = await listing(client, { cursor: first.nextCursor });
    expect(second.items).toHaveLength(15);
    expect(new Set([...first.items, ...second.items].map((item) => item.id)).size).toBe(65);
    expect(first.items[0]).toMatchObject({ name: "Invoice INV-2026-0001.pdf", folder: false });

    const newest = await listing(client, { path: "/Documents/Invoices", count: 10, orderBy: "newest" });
    const times = newest.items.map((item) => item.modified);
    expect(times).toEqual([...times].sort().reverse());
    expect(
      times[0]! >=
        [...first.items, ...second.items]
          .map((item) => item.modified)
          .sort()
          .at(-1)!,
    ).toBe(true);

    // OneDrive for Business sorts by name only: newest first is sorted by the tool, and pages with its own cursor.
    await clearLog();
    const rest = await listing(client, { cursor: newest.nextCursor });
    const more = await listing(client, { cursor: rest.nextCursor });
    expect([rest.items.length, more.items.length]).toEqual([10, 10]);
    const sequence = [...newest.items, ...rest.items, ...more.items].map((item) => item.modified);
    expect(sequence).toEqual([...sequence].sort().reverse());
    expect(new Set([...newest.items, ...rest.items, ...more.items].map((item) => item.id)).size).toBe(30);
    const orders = (await requestLog()).map((entry) => new URLSearchParams(entry.query).get("$orderby"));
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.every((order) => order === null || order === "name")).toBe(true);

    const documents = await listing(client, { path: "/Documents" });
    const reports = documents.items.find((item) => item.name === "Reports")!;
    const byId = await call(client, "listFiles", { folderId: reports.id });
    expect(text(byId)).toMatch(/^\/Documents\/Reports in your OneDrive/);
    expect((byId.structuredContent as unknown as Listing).items.map((item) => item.name)).toContain(
      "Sales by region.xlsx",
    );
  });

  it("lists a SharePoint site's main library by site id, and a library by drive id", async () => {
    const client = await connect();
    const token = await graphToken();
    const site = (await graphGet<{ value: { id: string }[] }>(token, "/sites?search=marketing")).value[0]!;
    const bySite = await call(client, "listFiles", { driveId: site.id, path: "/Campaigns/Mark 8" });
    expect(bySite.isError).toBeFalsy();
    const library = bySite.structuredContent as unknown as Listing;
    expect(library.items.map((item) => item.name)).toEqual([
      "Brand guidelines.pdf",
      "Budget tracker.xlsx",
      "Campaign brief.docx",
      "Logo.png",
    ]);
    expect(text(bySite)).toContain(`in site ${site.id}`);
    const byDrive = await listing(client, { driveId: library.driveId, path: "/Campaigns" });
    expect(byDrive.items.map((item) => item.name)).toEqual(["Mark 8"]);
  });

  it("refuses bad arguments naming the field, and reports unknown folders as not_found", async () => {
    const client = await connect();
    const tooMany = await call(client, "listFiles", { count: 500 });
    expect(tooMany.isError).toBe(true);
    expect(text(tooMany)).toMatch(/count/);
    const climbing = await call(client, "listFiles", { path: "/Documents/../../etc" });
    expect(text(climbing)).toMatch(/invalid_input.*path/);
    const badId = await call(client, "listFiles", { folderId: "../me/messages" });
    expect(badId.isError).toBe(true);
    expect(text(badId)).toMatch(/folderId/);
    const badDrive = await call(client, "listFiles", { driveId: "b!abc/../../me" });
    expect(badDrive.isError).toBe(true);
    expect(text(badDrive)).toMatch(/driveId/);
    const missing = await call(client, "listFiles", { path: "/No such folder" });
    expect(text(missing)).toContain("not_found");
    const cursor = await call(client, "listFiles", { cursor: "https://attacker.example/v1.0/me/drive/root/children" });
    expect(text(cursor)).toContain("invalid_input");
  });
});

describe("searchFiles", () => {
  it("finds files by their content and by name, with the folder each is in", async () => {
    const client = await connect();
    const result = await call(client, "searchFiles", { query: "display panels" });
    const found = result.structuredContent as unknown as Listing;
    expect(found.items).toHaveLength(1);
    expect(found.items[0]).toMatchObject({ name: "Quarterly business review.docx", path: "/Documents/Reports" });
    expect(text(result)).toContain("· in /Documents/Reports ·");
    const invoices = await call(client, "searchFiles", { query: "invoice", count: 5 });
    const page = invoices.structuredContent as unknown as Listing;
    expect(page.items).toHaveLength(5);
    const next = (await call(client, "searchFiles", { query: "invoice", count: 5, cursor: page.nextCursor }))
      .structuredContent as unknown as Listing;
    expect(next.items).toHaveLength(5);
    // A cursor serves the listing that issued it only.
    const elsewhere = await call(client, "listFiles", { cursor: page.nextCursor });
    expect(text(elsewhere)).toMatch(/^Error \[invalid_input\]: cursor: not a listFiles cursor/);
  });

  it("escapes quotes in the query", async () => {
    const client = await connect();
    const uploaded = await call(client, "uploadFile", { path: "/O'Brien account.txt", text: "Renewal notes" });
    expect(uploaded.isError).toBeFalsy();
    const result = await call(client, "searchFiles", { query: "o'brien" });
    expect((result.structuredContent as unknown as Listing).items.map((item) => item.name)).toEqual([
      "O'Brien account.txt",
    ]);
    const none = await call(client, "searchFiles", { query: "nothing matches this" });
    expect(text(none)).toMatch(/nothing\.$/);
  });
});

describe("getFileMetadata", () => {
  it("describes a file by path and a folder by id", async () => {
    const client = await connect();
    const file = await call(client, "getFileMetadata", { path: "/Documents/Reports/Quarterly business review.docx" });
    expect(file.isError).toBeFalsy();
    expect(file.structuredContent).toMatchObject({
      name: "Quarterly business review.docx",
      path: "/Documents/Reports/Quarterly business review.docx",
      type: "Word document",
      createdBy: "Adele Vance",
      shared: "shared: people in your organization",
      webUrl: expect.stringMatching(
        /^https:\/\/contoso-my\.sharepoint\.com\/personal\/adele_contoso_example\/Documents\/Documents\/Reports\//,
      ),
    });
    expect(text(file)).not.toMatch(/quickXorHash|hashes|@microsoft/);
    const folder = await call(client, "getFileMetadata", { path: "/Shared with team" });
    const id = (folder.structuredContent as { id: string }).id;
    const byId = await call(client, "getFileMetadata", { itemId: id });
    expect(byId.structuredContent).toMatchObject({
      type: "folder",
      shared: "shared: specific people",
      path: "/Shared with team",
    });
    expect(text(byId)).toMatch(/^Shared with team \(folder, 1 item, [\d.]+ KB\)\nPath: \/Shared with team\n/);
  });

  it("answers not_found for an unknown id and invalid_input without an item", async () => {
    const client = await connect();
    expect(text(await call(client, "getFileMetadata", { itemId: "01DOESNOTEXIST" }))).toContain("not_found");
    expect(text(await call(client, "getFileMetadata", {}))).toMatch(/invalid_input.*itemId, path/);
  });
});

describe("readFile", () => {
  it("extracts the text of Word, Excel and PowerPoint files", async () => {
    const client = await connect();
    const word = text(await call(client, "readFile", { path: "/Documents/Reports/Quarterly business review.docx" }));
    expect(word).toMatch(/^Quarterly business review\.docx \(Word document, [\d.]+ KB, modified /);
    expect(word).toContain("Quarterly business review: Q3 FY26");
    expect(word).toContain("Revenue grew 18 percent year over year, led by the Mark 8 launch in EMEA.");
    expect(word).toContain("North America | 4,200,000 | 12%");

    const excel = text(await call(client, "readFile", { path: "/Documents/Reports/Sales by region.xlsx" }));
    expect(excel).toContain("## Sheet: Summary\nRegion | Q1 | Q2 | Q3\nNorth America | 1200000 | 1350000 | 1420000");
    expect(excel).toContain("## Sheet: Notes");
    expect(excel).toContain("Prepared by | Adele Vance");
    expect(excel).toContain("Audited | TRUE");

    const slides = text(await call(client, "readFile", { path: "/Documents/Presentations/Mark 8 launch plan.pptx" }));
    expect(slides).toContain("## Slide 1\nMark 8 launch plan\nLaunch date: the second week of March");
    expect(slides).toContain("## Slide 3\nChannels\nSearch and social campaigns\nPartner events in EMEA and APAC");
    expect(slides).toContain("## Slide 4");
  });

  it("reads text, HTML, code and UTF-8 files", async () => {
    const client = await connect();
    const notes = text(await call(client, "readFile", { path: "/Documents/Notes/Meeting notes.md" }));
    expect(notes).toContain("# Marketing sync\n\nAttendees: Adele Vance, Megan Bowen, Alex Wilber");
    const html = text(await call(client, "readFile", { path: "/Documents/Notes/landing-page.html" }));
    expect(html).toContain("Meet Mark 8");
    expect(html).toContain("- 14-hour battery");
    expect(html).toContain("Pre-order today (https://contoso.example/mark8) & save 10%.");
    expect(html).not.toMatch(/track\(|color:|<p>/);
    const code = text(await call(client, "readFile", { path: "/Documents/Notes/export-contacts.py" }));
    expect(code).toContain('def export(contacts, path):\n    """Writes contacts to a CSV file."""');
    const utf8 = text(await call(client, "readFile", { path: "/Documents/Notes/Café menu – Berlin.txt" }));
    expect(utf8).toContain("Frühstück: Müsli, Brötchen und Café au lait (4,50 €)");
  });

  it("cuts long text with a clear note, and continues from an offset", async () => {
    const client = await connect();
    const path = "/Documents/Notes/Customer advisory board transcript.txt";
    const first = text(await call(client, "readFile", { path }));
    const note = /\[Cut: characters 0-20000 of (\d+)\. Call again with offset 20000 for more\.\]$/.exec(first);
    expect(note).not.toBeNull();
    const total = Number(note![1]);
    expect(total).toBeGreaterThan(60_000);
    const last = text(await call(client, "readFile", { path, offset: total - 1000, maxChars: 5000 }));
    expect(last).toContain("END OF TRANSCRIPT");
    expect(last).toContain(`[Characters ${total - 1000}-${total} of ${total}: the end.]`);
    const beyond = await call(client, "readFile", { path, offset: total + 10 });
    expect(text(beyond)).toMatch(/invalid_input.*offset/);
  });

  it("describes binaries (PDF, image, legacy .doc, video) without downloading them", async () => {
    const client = await connect();
    await clearLog();
    const pdf = text(await call(client, "readFile", { path: "/Documents/Proposals/Fabrikam contract.pdf" }));
    expect(pdf).toMatch(
      /"Fabrikam contract\.pdf" is a PDF \(\d+ KB\), which this tool cannot read as text\. Open it on the web: https:\/\/contoso-my\.sharepoint\.com\//,
    );
    const doc = text(await call(client, "readFile", { path: "/Documents/Proposals/Contoso proposal 2019.doc" }));
    expect(doc).toContain("Word 97-2003 document");
    const video = text(await call(client, "readFile", { path: "/Videos/Mark 8 product demo.mp4" }));
    expect(video).toContain("video/mp4 (4.3 MB)");
    expect(
      (await requestLog()).filter((entry) => entry.path.endsWith("/content") || entry.path.startsWith("/_download")),
    ).toEqual([]);
    const folder = await call(client, "readFile", { path: "/Documents" });
    expect(text(folder)).toMatch(/invalid_input.*folder; use listFiles/);
  });

  it("serves microsoft://files/{id} as the file's text", async () => {
    const client = await connect();
    const templates = await client.listResourceTemplates();
    expect(templates.resourceTemplates.map((template) => template.uriTemplate)).toContain("microsoft://files/{id}");
    const meta = await call(client, "getFileMetadata", { path: "/Documents/Reports/Quarterly business review.docx" });
    const id = (meta.structuredContent as { id: string }).id;
    const resource = await client.readResource({ uri: `microsoft://files/${id}` });
    expect((resource.contents[0] as { text: string }).text).toContain("Customer satisfaction reached 4.6 out of 5");
    await expect(client.readResource({ uri: "microsoft://files/01DOESNOTEXIST" })).rejects.toThrow(/Not found/);
  });
});

describe("uploadFile", () => {
  it("writes text to a path, then fails, renames or replaces on a second upload as asked", async () => {
    const client = await connect();
    const first = await call(client, "uploadFile", { path: "/Documents/Notes/todo.md", text: "- ship it\n" });
    expect(text(first)).toMatch(/^Uploaded todo\.md \(10 bytes\) to \/Documents\/Notes\/todo\.md · id \w+$/);
    const read = text(await call(client, "readFile", { itemId: idOf(first) }));
    expect(read).toContain("- ship it");

    const again = await call(client, "uploadFile", { path: "/Documents/Notes/todo.md", text: "other" });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/conflict.*"todo\.md" already exists there; pass conflict "replace"/);
    const renamed = await call(client, "uploadFile", {
      path: "/Documents/Notes/todo.md",
      text: "other",
      conflict: "rename",
    });
    expect(text(renamed)).toMatch(/^Uploaded todo 1\.md .*\(renamed: "todo\.md" existed\)/);
    const replaced = await call(client, "uploadFile", {
      path: "/Documents/Notes/todo.md",
      text: "- shipped\n",
      conflict: "replace",
    });
    expect(idOf(replaced)).toBe(idOf(first));
    expect(text(await call(client, "readFile", { itemId: idOf(first), fresh: true }))).toContain("- shipped");
  });

  it("writes base64 content into a folder given by id", async () => {
    const client = await connect();
    const folder = (await call(client, "getFileMetadata", { path: "/Pictures" })).structuredContent as { id: string };
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);
    const result = await call(client, "uploadFile", {
      parentId: folder.id,
      name: "tiny.png",
      contentBase64: btoa(String.fromCharCode(...bytes)),
    });
    expect(text(result)).toMatch(/^Uploaded tiny\.png \(8 bytes\) to \/Pictures\/tiny\.png/);
    const pictures = await listing(client, { path: "/Pictures", fresh: true });
    expect(pictures.items.map((item) => item.name)).toContain("tiny.png");
  });

  it("refuses inline content over 3 MB with payload_too_large, before calling Graph", async () => {
    const client = await connect();
    await clearLog();
    const big = btoa("a".repeat(3_050_000));
    const result = await call(client, "uploadFile", { path: "/big.bin", contentBase64: big });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain("payload_too_large");
    expect(text(result)).toContain("sourceUrl");
    expect((await requestLog()).filter((entry) => entry.path.startsWith("/v1.0/me/drive"))).toEqual([]);
  });

  it("fetches sourceUrl only from public https: never private, loopback or link-local, nor by a redirect", async () => {
    const client = await connect();
    await clearLog();
    const emulatorLog = `${emulatorUrl(env)}/_emulator/requests`;
    const refused: [string, RegExp][] = [
      // The emulator's own log (other users' requests) over http on loopback: the attack of issue 8.
      [emulatorLog, /sourceUrl: only https/],
      ["https://127.0.0.1/file.bin", /127\.0\.0\.1 is a private, loopback or link-local address/],
      ["https://169.254.169.254/latest/meta-data/", /169\.254\.169\.254 is a private/],
      ["https://10.1.2.3/a", /10\.1\.2\.3 is a private/],
      ["https://192.168.0.10/a", /is a private/],
      ["https://100.64.1.1/a", /is a private/],
      ["https://0x7f000001/a", /127\.0\.0\.1 is a private/],
      ["https://[::1]/a", /\[::1\] is a private/],
      ["https://[::ffff:10.0.0.1]/a", /is a private/],
      ["https://[fe80::1]/a", /is a private/],
      ["https://[fd00::5]/a", /is a private/],
      ["https://localhost/a", /localhost is a local name/],
      ["https://files.localhost/a", /local name/],
      ["https://nas.local/a", /local name/],
      ["https://intranet/a", /intranet is a local name/],
      ["https://user:pw@files.example/a", /user name or password/],
      // Redirects are checked at every hop.
      [`${emulatorUrl(env)}/_emulator/blob?redirect=${encodeURIComponent(emulatorLog)}`, /sourceUrl: only https/],
      [`${emulatorUrl(env)}/_emulator/blob?redirect=${encodeURIComponent("https://169.254.169.254/")}`, /is a private/],
    ];
    for (const [sourceUrl, expected] of refused) {
      const result = await call(client, "uploadFile", { path: "/stolen.txt", sourceUrl });
      expect(result.isError, sourceUrl).toBe(true);
      expect(text(result), sourceUrl).toMatch(/^Error \[invalid_input\]: /);
      expect(text(result), sourceUrl).toMatch(expected);
    }
    expect((await requestLog()).filter((entry) => entry.path.startsWith("/v1.0/me/drive"))).toEqual([]);
  });

  it("refuses bad sources and destinations naming the field", async () => {
    const client = await connect();
    expect(text(await call(client, "uploadFile", { path: "/a.txt" }))).toMatch(
      /invalid_input.*text, contentBase64, sourceUrl/,
    );
    expect(
      text(await call(client, "uploadFile", { path: "/a.txt", text: "x", sourceUrl: "https://x.example/a" })),
    ).toMatch(/exactly one/);
    expect(text(await call(client, "uploadFile", { path: "/a.txt", sourceUrl: "http://files.example/a.txt" }))).toMatch(
      /invalid_input.*sourceUrl: only https/,
    );
    expect(text(await call(client, "uploadFile", { path: "/a.txt", sourceUrl: "ftp://files.example/a.txt" }))).toMatch(
      /sourceUrl/,
    );
    expect(text(await call(client, "uploadFile", { path: "/Documents/", text: "x" }))).toMatch(/invalid_input.*path/);
    expect(text(await call(client, "uploadFile", { name: "a.txt", text: "x" }))).toMatch(/invalid_input.*parentId/);
    expect(text(await call(client, "uploadFile", { path: "/a<b>.txt", text: "x" }))).toMatch(/invalid_input.*path/);
  });

  it("streams a 12 MB sourceUrl through an upload session in 320 KiB-multiple parts, reporting progress", async () => {
    const client = await connect();
    const size = 12 * MiB;
    const url = blobUrl(size, "twelve");
    const expected = await sha256(await (await fetch(url)).arrayBuffer());
    await clearLog();
    const progress: Progress[] = [];
    const result = (await client.callTool(
      { name: "uploadFile", arguments: { path: "/Videos/launch.mp4", sourceUrl: url } },
      undefined,
      {
        onprogress: (update) => progress.push(update),
      },
    )) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(text(result)).toMatch(/^Uploaded launch\.mp4 \(12 MB\) to \/Videos\/launch\.mp4 in 4 parts · id \w+$/);
    expect(progress.map((update) => update.progress)).toEqual([3_276_800, 6_553_600, 9_830_400, size]);
    expect(progress.every((update) => update.total === size)).toBe(true);
    expect(progress.at(-1)!.message).toBe("Uploaded 12 MB of 12 MB");

    const log = await requestLog();
    expect(log.filter((entry) => entry.path.endsWith("/createUploadSession")).map((entry) => entry.status)).toEqual([
      200,
    ]);
    // The emulator refuses parts that are not multiples of 320 KiB (except the last) with 400.
    expect(
      log.filter((entry) => entry.path.startsWith("/_upload/")).map((entry) => `${entry.method} ${entry.status}`),
    ).toEqual(["PUT 202", "PUT 202", "PUT 202", "PUT 201"]);
    expect(await downloadHash(await graphToken(), idOf(result))).toBe(expected);
  }, 60_000);

  it("resumes after a failed part and stores the file byte for byte", async () => {
    const client = await connect();
    const size = 7 * MiB + 12345;
    const url = blobUrl(size, "resume");
    const expected = await sha256(await (await fetch(url)).arrayBuffer());
    await clearLog();
    const { id: faultId } = (await emulator(env, "faults", { match: "PUT /_upload", status: 503, count: 1 })) as {
      id: string;
    };
    const result = await call(client, "uploadFile", { path: "/Videos/resumed.bin", sourceUrl: url });
    expect(result.isError).toBeFalsy();
    const transfers = (await requestLog()).filter((entry) => entry.path.startsWith("/_upload/"));
    expect(transfers.map((entry) => `${entry.method} ${entry.status}`)).toEqual([
      "PUT 503",
      "GET 200",
      "PUT 202",
      "PUT 202",
      "PUT 201",
    ]);
    expect(transfers[0]!.faultId).toBe(faultId);
    expect(await downloadHash(await graphToken(), idOf(result))).toBe(expected);
  }, 60_000);

  it("gives up after bounded retries, cancels the session and saves nothing", async () => {
    const client = await connect();
    await emulator(env, "faults", { match: "PUT /_upload", status: 500, count: 100 });
    await clearLog();
    const result = await call(client, "uploadFile", {
      path: "/Videos/doomed.bin",
      sourceUrl: blobUrl(5 * MiB, "doomed"),
    });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/upstream_unavailable.*The upload failed at byte 0 .* after 4 attempts/);
    const transfers = (await requestLog()).filter((entry) => entry.path.startsWith("/_upload/"));
    expect(transfers.filter((entry) => entry.method === "PUT")).toHaveLength(4);
    expect(transfers.at(-1)).toMatchObject({ method: "DELETE", status: 204 });
    expect(text(await call(client, "getFileMetadata", { path: "/Videos/doomed.bin" }))).toContain("not_found");
  }, 60_000);

  it("uploads a small sourceUrl file in one PUT, and readFile refuses files over 10 MB", async () => {
    const client = await connect();
    await clearLog();
    const small = await call(client, "uploadFile", { path: "/from-url.bin", sourceUrl: blobUrl(1000, "small") });
    expect(text(small)).toMatch(/^Uploaded from-url\.bin \(1000 bytes\)/);
    expect((await requestLog()).filter((entry) => entry.method === "PUT").map((entry) => entry.path)).toEqual([
      "/v1.0/me/drive/root:/from-url.bin:/content",
    ]);
    const big = await call(client, "uploadFile", { path: "/Documents/huge.txt", sourceUrl: blobUrl(11 * MiB, "huge") });
    expect(big.isError).toBeFalsy();
    await clearLog();
    const read = await call(client, "readFile", { path: "/Documents/huge.txt" });
    expect(text(read)).toMatch(/payload_too_large.*"huge\.txt" is 11 MB; this tool reads files up to 10 MB/);
    expect((await requestLog()).some((entry) => entry.path.startsWith("/_download"))).toBe(false);
  }, 60_000);
});

describe("createFolder, moveItem, deleteItem", () => {
  it("creates a folder by path (parents too), refusing or renaming a duplicate", async () => {
    const client = await connect();
    const created = await call(client, "createFolder", { path: "/Documents/Budgets" });
    expect(text(created)).toMatch(/^Created folder \/Documents\/Budgets · id \w+$/);
    const nested = await call(client, "createFolder", { path: "/Documents/Budgets/2027/Q1/Drafts" });
    expect(text(nested)).toMatch(/^Created folder \/Documents\/Budgets\/2027\/Q1\/Drafts · id \w+$/);
    const q1 = await listing(client, { path: "/Documents/Budgets/2027/Q1" });
    expect(q1.items.map((item) => item.name)).toEqual(["Drafts"]);
    const duplicate = await call(client, "createFolder", { path: "/Documents/Budgets" });
    expect(text(duplicate)).toMatch(/conflict.*"Budgets" already exists/);
    const renamed = await call(client, "createFolder", { path: "/Documents/Budgets", conflict: "rename" });
    expect(text(renamed)).toContain("/Documents/Budgets 1");
    const documents = await listing(client, { path: "/Documents", fresh: true });
    expect(documents.items.map((item) => item.name)).toEqual(expect.arrayContaining(["Budgets", "Budgets 1"]));
  });

  it("moves and renames, seen by a later read; refuses clashes and missing arguments", async () => {
    const client = await connect();
    const ideas = (await call(client, "getFileMetadata", { path: "/Documents/Notes/Ideas.txt" })).structuredContent as {
      id: string;
    };
    const moved = await call(client, "moveItem", {
      itemId: ideas.id,
      destination: "/Documents/Reports",
      newName: "Ideas for Q1.txt",
    });
    expect(text(moved)).toBe(`Moved to /Documents/Reports/Ideas for Q1.txt · id ${ideas.id}`);
    const after = await call(client, "getFileMetadata", { itemId: ideas.id, fresh: true });
    expect(after.structuredContent).toMatchObject({ path: "/Documents/Reports/Ideas for Q1.txt" });
    const renamedOnly = await call(client, "moveItem", { itemId: ideas.id, newName: "Ideas.txt" });
    expect(text(renamedOnly)).toContain("/Documents/Reports/Ideas.txt");
    const clash = await call(client, "moveItem", { itemId: ideas.id, newName: "Sales by region.xlsx" });
    expect(text(clash)).toContain("conflict");
    expect(text(await call(client, "moveItem", { itemId: ideas.id }))).toMatch(/invalid_input.*destination, newName/);
    const archive = (await call(client, "getFileMetadata", { path: "/Documents/Reports/2025/Q4/Archive" }))
      .structuredContent as { id: string };
    const byId = await call(client, "moveItem", { itemId: ideas.id, destination: archive.id });
    expect(text(byId)).toBe(`Moved to /Documents/Reports/2025/Q4/Archive/Ideas.txt · id ${ideas.id}`);
    const climbing = await call(client, "moveItem", { itemId: ideas.id, destination: "../x" });
    expect(text(climbing)).toMatch(/invalid_input.*destination/);
    expect(text(await call(client, "moveItem", { itemId: "01DOESNOTEXIST", newName: "x.txt" }))).toContain("not_found");
    const toFile = await call(client, "moveItem", {
      itemId: ideas.id,
      destination: "/Documents/Reports/Sales by region.xlsx",
    });
    expect(text(toFile)).toMatch(/invalid_input.*is a file/);
  });

  it("deletes to the recycle bin; a second delete is not_found", async () => {
    const client = await connect();
    const notes = (await call(client, "getFileMetadata", { path: "/Documents/Notes" })).structuredContent as {
      id: string;
    };
    const deleted = await call(client, "deleteItem", { itemId: notes.id });
    expect(text(deleted)).toMatch(/^Deleted folder Notes and its \d+ items \(in the recycle bin/);
    const documents = await listing(client, { path: "/Documents", fresh: true });
    expect(documents.items.map((item) => item.name)).not.toContain("Notes");
    expect(text(await call(client, "deleteItem", { itemId: notes.id }))).toContain("not_found");
    expect(
      (await requestLog()).filter(
        (entry) => entry.method === "DELETE" && entry.path === `/v1.0/me/drive/items/${notes.id}`,
      ),
    ).toHaveLength(1);
  });
});

describe("shareFile", () => {
  it("creates organization and people links, and is refused anonymous links where policy forbids them", async () => {
    const client = await connect();
    const org = await call(client, "shareFile", { path: "/Documents/Notes/Meeting notes.md" });
    expect(text(org)).toMatch(
      /^View link for people in your organization: https:\/\/contoso-my\.sharepoint\.com\/:u:\/g\/personal\/adele_contoso_example\/\S+ · permission id [\w-]+$/,
    );
    const meta = await call(client, "getFileMetadata", { path: "/Documents/Notes/Meeting notes.md", fresh: true });
    expect(meta.structuredContent).toMatchObject({ shared: "shared: people in your organization" });
    const people = await call(client, "shareFile", {
      path: "/Documents/Notes/Meeting notes.md",
      type: "edit",
      scope: "users",
      recipients: ["megan@contoso.example"],
    });
    expect(text(people)).toMatch(/^Edit link for megan@contoso\.example: https:/);
    expect(
      text(await call(client, "shareFile", { path: "/Documents/Notes/Meeting notes.md", scope: "users" })),
    ).toMatch(/invalid_input.*recipients/);
    const anyone = await call(client, "shareFile", { path: "/Documents/Notes/Meeting notes.md", scope: "anonymous" });
    expect(text(anyone)).toMatch(/^View link for anyone with the link: https:/);

    const sales = (await graphGet<{ value: { id: string }[] }>(await graphToken(), "/sites?search=sales")).value[0]!;
    const library = await listing(client, { driveId: sales.id });
    const playbooks = library.items.find((item) => item.name === "Playbooks")!;
    const refused = await call(client, "shareFile", {
      itemId: playbooks.id,
      driveId: library.driveId,
      scope: "anonymous",
    });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/forbidden.*anonymous.*sharing policy/);
    const allowed = await call(client, "shareFile", { itemId: playbooks.id, driveId: library.driveId });
    expect(text(allowed)).toMatch(
      /^View link for people in your organization: https:\/\/contoso\.sharepoint\.com\/:f:\/s\/Sales\//,
    );
  });
});
