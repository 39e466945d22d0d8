import type { Drive, DriveItem, Permission, Site } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { quickXorHash } from "../../emulator/graph/drive-store.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { control, graph, graphJson, postJson, signIn, type GraphErrorBody } from "./helpers.ts";

interface Page<T> {
  "@odata.context": string;
  "@odata.nextLink"?: string;
  value: T[];
}

const FILES_SCOPE = "openid profile offline_access User.Read Files.ReadWrite Files.ReadWrite.All Sites.Read.All";

let emulator: RunningEmulator;
let token: string;

const get = <T>(path: string) => graphJson<T>(emulator.url, token, path);

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const { error } = (await response.json()) as GraphErrorBody;
  return { status: response.status, code: error.code, message: error.message };
}

function send(path: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return graph(emulator.url, token, path, {
    method,
    headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function putText(path: string, text: string): Promise<Response> {
  return graph(emulator.url, token, path, { method: "PUT", headers: { "Content-Type": "text/plain" }, body: text });
}

async function allPages<T>(path: string): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let next: string | undefined = path;
  while (next) {
    const page: Page<T> = await get<Page<T>>(next);
    pages.push(page);
    next = page["@odata.nextLink"];
    if (pages.length > 20) throw new Error("paging does not end");
  }
  return pages;
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  await control(emulator.url, "reset", {});
  token = (await signIn(emulator.url, "adele@contoso.example", FILES_SCOPE)).access_token;
});

describe("drives", () => {
  it("serves the user's OneDrive as a business drive owned by them", async () => {
    const drive = await get<Drive>("/me/drive");
    expect(drive).toMatchObject({
      driveType: "business",
      name: "OneDrive",
      owner: { user: { displayName: "Adele Vance" } },
    });
    expect(drive.id).toMatch(/^b![\w-]{64}$/);
    expect(drive.quota?.used).toBeGreaterThan(4_500_000);
    const byId = await get<Drive>(`/drives/${drive.id}`);
    expect(byId.id).toBe(drive.id);
    expect((await get<Page<Drive>>("/me/drives")).value.map((d) => d.id)).toEqual([drive.id]);
  });

  it("keeps other users' OneDrives out of reach", async () => {
    const megan = (await signIn(emulator.url, "megan@contoso.example", FILES_SCOPE)).access_token;
    const hers = await graphJson<Drive>(emulator.url, megan, "/me/drive");
    const response = await graph(emulator.url, token, `/drives/${hers.id}/root/children`);
    expect(await errorOf(response)).toMatchObject({ status: 404, code: "itemNotFound" });
  });

  it("refuses tokens without a Files permission", async () => {
    const mailOnly = (await signIn(emulator.url, "adele@contoso.example", "openid User.Read Mail.Read")).access_token;
    const response = await graph(emulator.url, mailOnly, "/me/drive/root/children");
    expect(await errorOf(response)).toMatchObject({ status: 403, code: "ErrorAccessDenied" });
  });
});

describe("items and children", () => {
  it("lists the root with Graph's driveItem shape", async () => {
    const page = await get<Page<DriveItem>>("/me/drive/root/children");
    const names = page.value.map((item) => item.name);
    expect(names).toEqual([...names].sort((a, b) => a!.toLowerCase().localeCompare(b!.toLowerCase())));
    expect(page.value.length).toBeGreaterThanOrEqual(20);
    const documents = page.value.find((item) => item.name === "Documents")!;
    expect(documents.folder?.childCount).toBeGreaterThan(3);
    expect(documents.parentReference).toMatchObject({ driveType: "business", path: expect.stringMatching(/\/root:$/) });
    const file = page.value.find((item) => item.name === "Weekly status.docx") as DriveItem & Record<string, unknown>;
    expect(file.file?.mimeType).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    expect(file["@microsoft.graph.downloadUrl"]).toMatch(/\/_download\//);
    expect(file.file?.hashes?.quickXorHash).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    expect(file).toHaveProperty("eTag");
    expect(file.createdBy?.user?.displayName).toBe("Adele Vance");
  });

  it("pages a folder of 65 invoices with $top and an opaque $skiptoken", async () => {
    const pages = await allPages<DriveItem>("/me/drive/root:/Documents/Invoices:/children?$top=50&$select=id,name");
    expect(pages.map((page) => page.value.length)).toEqual([50, 15]);
    expect(pages[0]!["@odata.nextLink"]).toMatch(/\$skiptoken=/);
    expect(pages[0]!["@odata.nextLink"]).toMatch(/\$select=id%2Cname/);
    const ids = pages.flatMap((page) => page.value.map((item) => item.id));
    expect(new Set(ids).size).toBe(65);
    expect(Object.keys(pages[1]!.value[0]!).sort()).toEqual(["id", "name"]);
    const backwards = await get<Page<DriveItem>>(
      "/me/drive/root:/Documents/Invoices:/children?$top=3&$orderby=name desc",
    );
    const names = backwards.value.map((item) => item.name!);
    expect(names).toEqual([...names].sort().reverse());
  });

  it("sorts children by name or url only, as OneDrive for Business and SharePoint do", async () => {
    for (const key of ["lastModifiedDateTime desc", "createdDateTime", "size desc"]) {
      const refused = await errorOf(
        await graph(emulator.url, token, `/me/drive/root/children?$orderby=${encodeURIComponent(key)}`),
      );
      expect(refused, key).toMatchObject({ status: 400, code: "invalidRequest" });
      expect(refused.message).toContain("name or url");
    }
    const byUrl = await get<Page<DriveItem>>("/me/drive/root:/Documents:/children?$orderby=url&$select=name,webUrl");
    const urls = byUrl.value.map((item) => item.webUrl!);
    expect(urls).toEqual([...urls].sort());
  });

  it("answers the retired recent and sharedWithMe listings with no data", async () => {
    for (const path of ["/me/drive/recent", "/me/drive/sharedWithMe"]) {
      const listing = await get<Page<DriveItem>>(path);
      expect(listing.value, path).toEqual([]);
    }
  });

  it("addresses items by path (with or without the closing colon) and by id with a relative path", async () => {
    const reports = await get<DriveItem>("/me/drive/root:/Documents/Reports:");
    expect(reports.folder).toBeDefined();
    const file = await get<DriveItem>("/me/drive/root:/documents/reports/Regional%20targets.csv");
    expect(file.name).toBe("Regional targets.csv");
    expect(file.parentReference?.id).toBe(reports.id);
    const relative = await get<DriveItem>(`/me/drive/items/${reports.id}:/2025/Q4:`);
    expect(relative.name).toBe("Q4");
    const children = await get<Page<DriveItem>>(`/me/drive/items/${relative.id}/children`);
    expect(children.value.map((item) => item.name)).toEqual(["Archive", "Q4 2025 summary.docx"]);
    const deep = await get<DriveItem>(`/me/drive/root:/Documents/Reports/2025/Q4/Archive/Draft%20outline.txt:`);
    expect(deep.parentReference?.path).toMatch(/root:\/Documents\/Reports\/2025\/Q4\/Archive$/);
    const utf8 = await get<DriveItem>(
      `/me/drive/root:/Documents/Notes/${encodeURIComponent("Café menu – Berlin.txt")}:`,
    );
    expect(utf8.size).toBeGreaterThan(40);
  });

  it("answers unknown items and bad options as Graph does", async () => {
    expect(await errorOf(await graph(emulator.url, token, "/me/drive/items/01NOPE"))).toMatchObject({
      status: 404,
      code: "itemNotFound",
    });
    expect(await errorOf(await graph(emulator.url, token, "/me/drive/root:/Documents/Nope.txt:"))).toMatchObject({
      status: 404,
    });
    expect(await errorOf(await graph(emulator.url, token, "/me/drive/root/children?$orderby=colour"))).toMatchObject({
      status: 400,
      code: "invalidRequest",
    });
    expect(await errorOf(await graph(emulator.url, token, "/me/drive/root/children?$top=5000"))).toMatchObject({
      status: 400,
    });
  });

  it("redirects content to a token-free download URL and serves the bytes there", async () => {
    const response = await graph(emulator.url, token, "/me/drive/root:/Documents/Notes/Meeting%20notes.md:/content", {
      redirect: "manual",
    });
    expect(response.status).toBe(302);
    const location = response.headers.get("Location")!;
    expect(location.startsWith(`${emulator.url}/_download/`)).toBe(true);
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get("Content-Type")).toBe("text/markdown");
    const text = await download.text();
    expect(text).toContain("# Marketing sync");
    expect(Number(download.headers.get("Content-Length"))).toBe(Buffer.byteLength(text));
    const docx = await fetch(
      (
        await graph(
          emulator.url,
          token,
          "/me/drive/root:/Documents/Reports/Quarterly%20business%20review.docx:/content",
          {
            redirect: "manual",
          },
        )
      ).headers.get("Location")!,
    );
    const bytes = Buffer.from(await docx.arrayBuffer());
    expect(bytes.subarray(0, 4).toString("latin1")).toBe("PK\u0003\u0004");
    expect(bytes.includes(Buffer.from("word/document.xml"))).toBe(true);
    const forged = await fetch(location.replace(/.$/, (last) => (last === "A" ? "B" : "A")));
    expect(forged.status).toBe(404);
  });

  it("computes OneDrive's QuickXorHash", () => {
    expect(quickXorHash(Buffer.alloc(0))).toBe("AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    expect([...Buffer.from(quickXorHash(Buffer.from("hello world")), "base64")]).toEqual([
      104, 40, 3, 27, 216, 240, 6, 16, 220, 225, 13, 114, 107, 3, 25, 0, 0, 0, 0, 0,
    ]);
  });
});

describe("writes", () => {
  it("PUT content creates a file (and missing folders), replaces it, or fails or renames on a conflict", async () => {
    const created = await putText("/me/drive/root:/Projects/2027/plan.md:/content", "# Plan\n");
    expect(created.status).toBe(201);
    const item = (await created.json()) as DriveItem;
    expect(item).toMatchObject({ name: "plan.md", size: 7, file: { mimeType: "text/markdown" } });
    expect((await get<DriveItem>("/me/drive/root:/Projects/2027:")).folder?.childCount).toBe(1);
    const replaced = await putText(`/me/drive/items/${item.parentReference!.id}:/plan.md:/content`, "# Plan v2\n");
    expect(replaced.status).toBe(200);
    expect(((await replaced.json()) as DriveItem).id).toBe(item.id);
    const failed = await putText(
      "/me/drive/root:/Projects/2027/plan.md:/content?@microsoft.graph.conflictBehavior=fail",
      "x",
    );
    expect(await errorOf(failed)).toMatchObject({ status: 409, code: "nameAlreadyExists" });
    const renamed = await putText(
      "/me/drive/root:/Projects/2027/plan.md:/content?@microsoft.graph.conflictBehavior=rename",
      "x",
    );
    expect(((await renamed.json()) as DriveItem).name).toBe("plan 1.md");
    const byId = await putText(`/me/drive/items/${item.id}/content`, "# Plan v3\n");
    expect(byId.status).toBe(200);
    const listing = await get<Page<DriveItem>>("/me/drive/root:/Projects/2027:/children");
    expect(listing.value.map((child) => [child.name, child.size])).toEqual([
      ["plan 1.md", 1],
      ["plan.md", 10],
    ]);
  });

  it("refuses PUT bodies over 4 MB and invalid names", async () => {
    const big = await graph(emulator.url, token, "/me/drive/root:/big.bin:/content", {
      method: "PUT",
      headers: { "Content-Type": "application/octet-stream" },
      body: new Uint8Array(4 * 1024 * 1024 + 1),
    });
    expect(big.status).toBe(413);
    const bad = await putText("/me/drive/root:/Documents/a%3Cb.txt:/content", "x");
    expect(await errorOf(bad)).toMatchObject({ status: 400, code: "invalidRequest" });
  });

  it("creates folders with conflict behaviours", async () => {
    const created = await send("/me/drive/root:/Documents:/children", "POST", { name: "Budgets", folder: {} });
    expect(created.status).toBe(201);
    expect((await created.json()) as DriveItem).toMatchObject({ name: "Budgets", folder: { childCount: 0 } });
    const again = await send("/me/drive/root:/Documents:/children", "POST", { name: "budgets", folder: {} });
    expect(await errorOf(again)).toMatchObject({ status: 409, code: "nameAlreadyExists" });
    const renamed = await send("/me/drive/root:/Documents:/children", "POST", {
      name: "Budgets",
      folder: {},
      "@microsoft.graph.conflictBehavior": "rename",
    });
    expect(((await renamed.json()) as DriveItem).name).toBe("Budgets 1");
    const notAFolder = await send("/me/drive/root/children", "POST", { name: "x.txt", file: {} });
    expect(notAFolder.status).toBe(400);
  });

  it("renames and moves with PATCH, refusing clashes, cycles and other drives", async () => {
    const file = await get<DriveItem>("/me/drive/root:/Documents/Notes/Ideas.txt:");
    const archive = await get<DriveItem>("/me/drive/root:/Documents/Reports/2025/Q4/Archive:");
    const moved = await send(`/me/drive/items/${file.id}`, "PATCH", {
      name: "Ideas 2026.txt",
      parentReference: { id: archive.id },
    });
    expect(moved.status).toBe(200);
    expect((await moved.json()) as DriveItem).toMatchObject({ id: file.id, name: "Ideas 2026.txt" });
    expect((await get<DriveItem>("/me/drive/root:/Documents/Reports/2025/Q4/Archive/Ideas%202026.txt:")).id).toBe(
      file.id,
    );
    expect((await graph(emulator.url, token, "/me/drive/root:/Documents/Notes/Ideas.txt:")).status).toBe(404);

    const clash = await send(`/me/drive/items/${file.id}`, "PATCH", { name: "Draft outline.txt" });
    expect(await errorOf(clash)).toMatchObject({ status: 409, code: "nameAlreadyExists" });
    const reports = await get<DriveItem>("/me/drive/root:/Documents/Reports:");
    const cycle = await send(`/me/drive/items/${reports.id}`, "PATCH", { parentReference: { id: archive.id } });
    expect(cycle.status).toBe(400);
    const otherDrive = await send(`/me/drive/items/${file.id}`, "PATCH", {
      parentReference: { driveId: "b!other", id: archive.id },
    });
    expect(otherDrive.status).toBe(400);
    const byPath = await send(`/me/drive/items/${file.id}`, "PATCH", {
      parentReference: { path: "/drive/root:/Documents" },
    });
    expect(((await byPath.json()) as DriveItem).parentReference?.path).toMatch(/root:\/Documents$/);
  });

  it("deletes to the recycle bin: 204, then 404; the root cannot go", async () => {
    const folder = await get<DriveItem>("/me/drive/root:/Documents/Notes:");
    const deleted = await send(`/me/drive/items/${folder.id}`, "DELETE");
    expect(deleted.status).toBe(204);
    expect((await graph(emulator.url, token, `/me/drive/items/${folder.id}`)).status).toBe(404);
    expect((await graph(emulator.url, token, "/me/drive/root:/Documents/Notes/Ideas.txt:")).status).toBe(404);
    expect((await send(`/me/drive/items/${folder.id}`, "DELETE")).status).toBe(404);
    const root = await get<DriveItem>("/me/drive/root");
    expect((await send(`/me/drive/items/${root.id}`, "DELETE")).status).toBe(403);
    expect((await get<Drive>("/me/drive")).quota?.deleted).toBeGreaterThan(0);
    await control(emulator.url, "reset", {});
    token = (await signIn(emulator.url, "adele@contoso.example", FILES_SCOPE)).access_token;
    expect((await get<DriveItem>("/me/drive/root:/Documents/Notes:")).id).toBe(folder.id);
  });
});

describe("search", () => {
  it("finds items by name and by the text of their content, quotes escaped OData style", async () => {
    const byContent = await get<Page<DriveItem>>("/me/drive/root/search(q='display panels')");
    expect(byContent.value.map((item) => item.name)).toEqual(["Quarterly business review.docx"]);
    const byName = await get<Page<DriveItem>>("/me/drive/root/search(q='invoice')?$top=10&$select=id,name");
    expect(byName.value).toHaveLength(10);
    expect(byName["@odata.nextLink"]).toMatch(/\$skiptoken=/);
    expect((await putText("/me/drive/root:/O'Brien notes.txt:/content", "Notes for the O'Brien account")).status).toBe(
      201,
    );
    const quoted = await get<Page<DriveItem>>(`/me/drive/root/search(q='${encodeURIComponent("o''brien notes")}')`);
    expect(quoted.value.map((item) => item.name)).toEqual(["O'Brien notes.txt"]);
    const accent = await get<Page<DriveItem>>(`/me/drive/root/search(q='${encodeURIComponent("café")}')`);
    expect(accent.value.map((item) => item.name)).toContain("Café menu – Berlin.txt");
    const withinFolder = await get<Page<DriveItem>>(
      `/me/drive/items/${(await get<DriveItem>("/me/drive/root:/Pictures:")).id}/search(q='mark')`,
    );
    expect(withinFolder.value.map((item) => item.name)).toEqual(["Mark 8 hero.png"]);
    const unquoted = await graph(emulator.url, token, "/me/drive/root/search(q=budget)");
    expect(unquoted.status).toBe(400);
  });

  it("answers Microsoft Search for driveItem and site across OneDrive and team sites", async () => {
    const response = await postJson(emulator.url, token, "/search/query", {
      requests: [{ entityTypes: ["driveItem"], query: { queryString: "campaign" } }],
    });
    const body = (await response.json()) as {
      value: { hitsContainers: { hits: { summary: string; resource: DriveItem & { "@odata.type": string } }[] }[] }[];
    };
    const hits = body.value[0]!.hitsContainers[0]!.hits;
    const names = hits.map((hit) => hit.resource.name);
    expect(names).toContain("Campaign brief.docx");
    expect(names).toContain("campaign-settings.json");
    expect(hits[0]!.resource["@odata.type"]).toBe("#microsoft.graph.driveItem");
    const brief = hits.find((hit) => hit.resource.name === "Campaign brief.docx")!;
    expect(brief.resource.parentReference?.siteId).toMatch(/^contoso\.sharepoint\.com,/);
    expect(brief.summary).toContain("<c0>");
    const sites = await postJson(emulator.url, token, "/search/query", {
      requests: [{ entityTypes: ["site"], query: { queryString: "sales" } }],
    });
    const siteHits = ((await sites.json()) as typeof body).value[0]!.hitsContainers[0]!.hits;
    expect(siteHits.map((hit) => (hit.resource as Site).displayName)).toEqual(["Sales"]);
  });
});

describe("sharing", () => {
  it("creates links, returns an existing equal link, and marks the item shared", async () => {
    const file = await get<DriveItem>("/me/drive/root:/Documents/Notes/Meeting%20notes.md:");
    expect(file.shared).toBeUndefined();
    const created = await send(`/me/drive/items/${file.id}/createLink`, "POST", {
      type: "view",
      scope: "organization",
    });
    expect(created.status).toBe(201);
    const link = (await created.json()) as Permission;
    expect(link).toMatchObject({ roles: ["read"], link: { type: "view", scope: "organization" } });
    expect(link.link?.webUrl).toMatch(
      /^https:\/\/contoso-my\.sharepoint\.com\/:u:\/g\/personal\/adele_contoso_example\//,
    );
    const again = await send(`/me/drive/items/${file.id}/createLink`, "POST", { type: "view", scope: "organization" });
    expect(again.status).toBe(200);
    expect(((await again.json()) as Permission).id).toBe(link.id);
    const anyone = await send(`/me/drive/items/${file.id}/createLink`, "POST", { type: "edit", scope: "anonymous" });
    expect(anyone.status).toBe(201);
    expect((await get<DriveItem>(`/me/drive/items/${file.id}`)).shared?.scope).toBe("anonymous");
    const people = await send(`/me/drive/items/${file.id}/createLink`, "POST", {
      type: "view",
      scope: "users",
      recipients: [{ email: "megan@contoso.example" }],
    });
    expect(((await people.json()) as Permission).grantedToIdentitiesV2?.[0]?.user?.displayName).toBe("Megan Bowen");
    const permissions = await get<Page<Permission>>(`/me/drive/items/${file.id}/permissions`);
    expect(permissions.value.map((permission) => permission.roles?.[0])).toEqual(["owner", "read", "write", "read"]);
    const bad = await send(`/me/drive/items/${file.id}/createLink`, "POST", { type: "print" });
    expect(bad.status).toBe(400);
  });

  it("seeds shared items", async () => {
    const shared = await get<DriveItem>("/me/drive/root:/Shared%20with%20team:");
    expect(shared.shared).toMatchObject({ scope: "users", owner: { user: { displayName: "Adele Vance" } } });
    expect(
      (await get<DriveItem>("/me/drive/root:/Documents/Reports/Quarterly%20business%20review.docx:")).shared?.scope,
    ).toBe("organization");
  });
});

describe("SharePoint sites and libraries", () => {
  it("finds sites, their libraries and files, and applies the library's sharing policy", async () => {
    const sites = await get<Page<Site>>("/sites?search=marketing");
    expect(sites.value.map((site) => site.displayName)).toEqual(["Marketing"]);
    const site = sites.value[0]!;
    expect(site.id).toMatch(/^contoso\.sharepoint\.com,[0-9a-f-]{36},[0-9a-f-]{36}$/);
    expect((await get<Site>(`/sites/${site.id}`)).webUrl).toBe("https://contoso.sharepoint.com/sites/Marketing");
    const drives = await get<Page<Drive>>(`/sites/${site.id}/drives`);
    expect(drives.value.map((drive) => [drive.name, drive.driveType])).toEqual([
      ["Documents", "documentLibrary"],
      ["Brand Assets", "documentLibrary"],
    ]);
    const library = await get<Drive>(`/sites/${site.id}/drive`);
    expect(library.id).toBe(drives.value[0]!.id);
    const brief = await get<DriveItem>(`/drives/${library.id}/root:/Campaigns/Mark%208/Campaign%20brief.docx:`);
    expect(brief.parentReference).toMatchObject({ driveType: "documentLibrary", siteId: site.id });
    expect(brief.createdBy?.user?.displayName).toBe("Megan Bowen");
    const anonymous = await send(`/drives/${library.id}/items/${brief.id}/createLink`, "POST", {
      type: "view",
      scope: "anonymous",
    });
    expect(await errorOf(anonymous)).toMatchObject({ status: 403, code: "accessDenied" });
    const upload = await putText(`/sites/${site.id}/drive/root:/Campaigns/notes.txt:/content`, "hello");
    expect(upload.status).toBe(201);
    expect(
      (await get<Page<DriveItem>>(`/drives/${library.id}/root:/Campaigns:/children`)).value.map((i) => i.name),
    ).toContain("notes.txt");
    expect((await graph(emulator.url, token, "/sites/contoso.sharepoint.com,nope,nope")).status).toBe(404);
  });

  it("needs an .All permission for libraries while Files.Read reaches the user's own OneDrive", async () => {
    const own = (await signIn(emulator.url, "adele@contoso.example", "openid User.Read Files.Read")).access_token;
    const site = (await get<Page<Site>>("/sites?search=sales")).value[0]!;
    const library = await get<Drive>(`/sites/${site.id}/drive`);
    expect((await graph(emulator.url, own, "/me/drive/root/children")).status).toBe(200);
    expect(await errorOf(await graph(emulator.url, own, `/drives/${library.id}/root/children`))).toMatchObject({
      status: 403,
      code: "accessDenied",
    });
    const readOnly = (await signIn(emulator.url, "adele@contoso.example", "openid User.Read Files.Read Sites.Read.All"))
      .access_token;
    expect((await graph(emulator.url, readOnly, `/drives/${library.id}/root/children`)).status).toBe(200);
    const write = await graph(emulator.url, readOnly, `/drives/${library.id}/root:/x.txt:/content`, {
      method: "PUT",
      headers: { "Content-Type": "text/plain" },
      body: "x",
    });
    expect(write.status).toBe(403);
  });
});
