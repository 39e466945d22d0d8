/**
 * Large files, as OneDrive takes and gives them: createUploadSession hands
 * out an upload URL outside /v1.0 that needs no token (`/_upload/{session}`),
 * which takes the file in ordered fragments (Content-Range, multiples of
 * 320 KiB but the last, 60 MiB at most), reports nextExpectedRanges, can be
 * queried (GET) and cancelled (DELETE), and commits the file after the last
 * byte. Downloads go through `/_download/{token}`, the token-free URL that
 * GET .../content redirects to. `/_emulator/blob` streams deterministic bytes
 * for tests to upload from.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { identityOf, type StoredDrive, type UploadSession } from "../data/drive.ts";
import { isoSeconds } from "../data/time.ts";
import { jsonBody, type EmulatorRequest, type EmulatorResponse } from "../http.ts";
import type { EmulatorState } from "../state.ts";
import { findUser } from "../tenant.ts";
import {
  addressOf,
  allDrives,
  childNamed,
  conflict,
  conflictBehavior,
  driveOf,
  ensureFolders,
  findItem,
  pathSegments,
  presentItem,
  readDownloadToken,
  replaceContent,
  writeFile,
  checkName,
} from "./drive-store.ts";
import { graphEmpty, graphError, graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext } from "./router.ts";

/** Fragments must be multiples of 320 KiB, except the last one. */
export const FRAGMENT_UNIT = 320 * 1024;
/** Graph takes at most 60 MiB in one fragment request. */
export const MAX_FRAGMENT_BYTES = 60 * 1024 * 1024;
/** Sessions expire after an hour without a fragment. */
const SESSION_IDLE_MS = 60 * 60 * 1000;

/** POST .../createUploadSession: a session for a new file (parent and name, or path) or for an existing file. */
export function createUploadSession(context: GraphContext): EmulatorResponse {
  const drive = driveOf(context, "write");
  const address = addressOf(context, drive);
  const parsed = jsonBody(context.request);
  if (!parsed.ok) throw new GraphFailure(400, "invalidRequest", `Unable to read JSON request payload: ${parsed.error}`);
  const request = (parsed.value ?? {}) as { item?: Record<string, unknown>; deferCommit?: unknown };
  const item = request.item ?? {};
  if (typeof item !== "object" || item === null)
    throw new GraphFailure(400, "invalidRequest", "item must be an object.");
  const behavior = conflictBehavior(item["@microsoft.graph.conflictBehavior"], "replace");
  const fileSize = item.fileSize;
  if (fileSize !== undefined && (typeof fileSize !== "number" || !Number.isInteger(fileSize) || fileSize < 0)) {
    throw new GraphFailure(400, "invalidRequest", "item.fileSize must be a whole number of bytes.");
  }
  if (request.deferCommit === true) {
    throw new GraphFailure(400, "invalidRequest", "deferCommit is not supported by the emulator.");
  }
  const by = identityOf(context.user);
  let session: Omit<UploadSession, "token" | "fragments" | "received" | "expiresAt" | "userId">;
  if (address.path === undefined) {
    if (address.base.kind !== "file") {
      throw new GraphFailure(
        400,
        "invalidRequest",
        "To upload a new file, address it as items/{parent-id}:/{file-name}: or root:/{path}:.",
      );
    }
    session = {
      driveId: drive.id,
      parentId: address.base.parentId!,
      name: address.base.name,
      conflictBehavior: "replace",
      replaceItemId: address.base.id,
    };
  } else {
    const segments = pathSegments(address.path);
    const name = segments.pop();
    if (name === undefined) throw new GraphFailure(400, "invalidRequest", "The path must name a file.");
    checkName(name);
    const parent = ensureFolders(drive, address.base, segments, by);
    const existing = childNamed(drive, parent, name);
    if (existing && (behavior === "fail" || existing.kind === "folder")) throw conflict(name);
    session = { driveId: drive.id, parentId: parent.id, name, conflictBehavior: behavior };
  }
  const token = randomBytes(24).toString("base64url");
  const stored: UploadSession = {
    ...session,
    token,
    ...(typeof fileSize === "number" ? { total: fileSize } : {}),
    fragments: [],
    received: 0,
    expiresAt: Date.now() + SESSION_IDLE_MS,
    userId: context.user.id,
  };
  drive.uploads.set(token, stored);
  return graphJson(context.request, 200, {
    "@odata.context": `${context.origin}/v1.0/$metadata#microsoft.graph.uploadSession`,
    uploadUrl: `${context.origin}/_upload/${token}`,
    expirationDateTime: isoSeconds(stored.expiresAt),
    nextExpectedRanges: ["0-"],
  });
}

function findSession(state: EmulatorState, token: string): { drive: StoredDrive; session: UploadSession } | undefined {
  for (const drive of allDrives(state)) {
    const session = drive.uploads.get(token);
    if (!session) continue;
    if (session.expiresAt < Date.now()) {
      drive.uploads.delete(token);
      return undefined;
    }
    return { drive, session };
  }
  return undefined;
}

function nextExpectedRanges(session: UploadSession): string[] {
  return [session.total === undefined ? `${session.received}-` : `${session.received}-${session.total - 1}`];
}

function status(request: EmulatorRequest, code: number, session: UploadSession): EmulatorResponse {
  return graphJson(request, code, {
    expirationDateTime: isoSeconds(session.expiresAt),
    nextExpectedRanges: nextExpectedRanges(session),
  });
}

/** Commits the received bytes as the file: 201 for a new file, 200 for a replaced one. */
function commit(
  request: EmulatorRequest,
  origin: string,
  drive: StoredDrive,
  session: UploadSession,
): EmulatorResponse {
  drive.uploads.delete(session.token);
  const user = findUser(session.userId);
  if (!user) throw new Error(`upload session of unknown user ${session.userId}`);
  const by = identityOf(user);
  const content = Buffer.concat(session.fragments);
  let result: { item: ReturnType<typeof findItem>; created: boolean };
  if (session.replaceItemId) {
    const item = findItem(drive, session.replaceItemId);
    replaceContent(drive, item, content, by);
    result = { item, created: false };
  } else {
    result = writeFile(drive, findItem(drive, session.parentId), session.name, content, session.conflictBehavior, by);
  }
  return graphJson(request, result.created ? 201 : 200, {
    "@odata.context": `${origin}/v1.0/$metadata#drives('${drive.id}')/items/$entity`,
    ...presentItem({ origin }, drive, result.item),
  });
}

function putFragment(
  request: EmulatorRequest,
  origin: string,
  drive: StoredDrive,
  session: UploadSession,
): EmulatorResponse {
  const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(request.headers["content-range"] ?? "");
  if (!range) {
    throw new GraphFailure(
      400,
      "invalidRequest",
      "The Content-Range header is required, as 'bytes {first}-{last}/{total}'.",
    );
  }
  const first = Number(range[1]);
  const last = Number(range[2]);
  if (range[3] === "*")
    throw new GraphFailure(400, "invalidRequest", "The Content-Range header must give the total file size.");
  const total = Number(range[3]);
  const length = last - first + 1;
  if (last < first || last >= total) {
    throw new GraphFailure(
      400,
      "invalidRequest",
      `The Content-Range 'bytes ${first}-${last}/${total}' is not a valid range of the file.`,
    );
  }
  const declared = request.headers["content-length"];
  if ((declared !== undefined && Number(declared) !== length) || request.body.length !== length) {
    throw new GraphFailure(
      400,
      "invalidRequest",
      `The request body has ${request.body.length} bytes; the Content-Range says ${length}.`,
    );
  }
  if (length > MAX_FRAGMENT_BYTES) {
    throw new GraphFailure(413, "requestTooLarge", "A fragment can be at most 60 MiB.");
  }
  if (session.total !== undefined && session.total !== total) {
    throw new GraphFailure(
      400,
      "invalidRequest",
      `The file size ${total} differs from the session's ${session.total}.`,
    );
  }
  if (first !== session.received) {
    return graphJson(request, 416, {
      error: {
        code: "invalidRange",
        message: `The fragment starts at byte ${first}; the session expects byte ${session.received} next.`,
        innerError: { date: isoSeconds(Date.now()), "request-id": request.requestId },
      },
      nextExpectedRanges: nextExpectedRanges({ ...session, total }),
    });
  }
  const isLast = last + 1 === total;
  if (!isLast && length % FRAGMENT_UNIT !== 0) {
    throw new GraphFailure(
      400,
      "invalidRequest",
      `Fragments must be a multiple of 320 KiB (${FRAGMENT_UNIT} bytes) except the last; this one has ${length} bytes.`,
    );
  }
  session.total = total;
  session.fragments.push(Buffer.from(request.body));
  session.received = last + 1;
  session.expiresAt = Date.now() + SESSION_IDLE_MS;
  return isLast ? commit(request, origin, drive, session) : status(request, 202, session);
}

function download(request: EmulatorRequest, state: EmulatorState, token: string): EmulatorResponse {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return graphError(request, 405, "invalidRequest", "Downloads are GET requests.");
  }
  const found = readDownloadToken(state, token);
  if (found === "expired")
    return graphError(request, 401, "unauthenticated", "The download URL has expired; request the content again.");
  if (!found)
    return graphError(request, 404, "itemNotFound", "The file does not exist or the download URL is not valid.");
  const content = found.item.content ?? Buffer.alloc(0);
  return {
    status: 200,
    headers: {
      "Content-Type": found.item.mimeType ?? "application/octet-stream",
      "Content-Length": String(content.length),
      "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(found.item.name)}`,
      "Cache-Control": "no-store",
    },
    body: request.method === "HEAD" ? "" : content,
  };
}

/** `/_upload/{session}` and `/_download/{token}`: pre-authenticated URLs, answered without a bearer token. */
export function routeTransfer(
  request: EmulatorRequest,
  state: EmulatorState,
  origin: string,
): EmulatorResponse | undefined {
  const upload = /^\/_upload\/([\w-]+)$/.exec(request.url.pathname);
  const downloadToken = /^\/_download\/([\w.-]+)$/.exec(request.url.pathname);
  if (downloadToken?.[1]) return download(request, state, downloadToken[1]);
  if (!upload?.[1]) return undefined;
  try {
    if (request.headers.authorization) {
      throw new GraphFailure(
        401,
        "unauthenticated",
        "Upload URLs are pre-authenticated: send no Authorization header.",
      );
    }
    const found = findSession(state, upload[1]);
    if (!found) throw new GraphFailure(404, "itemNotFound", "The upload session was not found or has expired.");
    switch (request.method) {
      case "GET":
        return status(request, 200, found.session);
      case "DELETE":
        found.drive.uploads.delete(found.session.token);
        return graphEmpty(request, 204);
      case "PUT":
        return putFragment(request, origin, found.drive, found.session);
      default:
        throw new GraphFailure(
          405,
          "invalidRequest",
          `The HTTP method '${request.method}' is not allowed on an upload URL.`,
        );
    }
  } catch (error) {
    if (error instanceof GraphFailure) return graphError(request, error.status, error.code, error.message);
    throw error;
  }
}

const MAX_BLOB_BYTES = 300 * 1024 * 1024;
const BLOB_CHUNK = 64 * 1024;

/** A 32-bit seed from a string (FNV-1a). */
function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * GET /_emulator/blob?size=N&seed=S: N deterministic, incompressible bytes
 * (the same for the same size and seed), streamed with a Content-Length;
 * `?redirect=URL` answers 302 to URL instead.
 */
export async function serveBlob(url: URL, res: ServerResponse): Promise<void> {
  // ?redirect=URL: a file host that moved the file (a 302), as CDNs and share links do.
  const redirect = url.searchParams.get("redirect");
  if (redirect) {
    res.writeHead(302, { Location: redirect, "Cache-Control": "no-store" });
    res.end();
    return;
  }
  const sizeText = url.searchParams.get("size") ?? "";
  const size = Number(sizeText);
  if (!/^\d+$/.test(sizeText) || size > MAX_BLOB_BYTES) {
    res.writeHead(400, { "Content-Type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ error: `size must be a whole number of bytes up to ${MAX_BLOB_BYTES}` }));
    return;
  }
  let state = seedOf(url.searchParams.get("seed") ?? "blob");
  res.writeHead(200, {
    "Content-Type": "application/octet-stream",
    "Content-Length": String(size),
    "Cache-Control": "no-store",
  });
  let closed = false;
  res.on("close", () => {
    closed = true;
  });
  for (let offset = 0; offset < size && !closed; offset += BLOB_CHUNK) {
    const chunk = Buffer.alloc(Math.min(BLOB_CHUNK, size - offset));
    for (let i = 0; i < chunk.length; i += 4) {
      // mulberry32
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const value = (t ^ (t >>> 14)) >>> 0;
      for (let b = 0; b < 4 && i + b < chunk.length; b++) chunk[i + b] = (value >>> (8 * b)) & 0xff;
    }
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        res.once("drain", resolve);
        res.once("close", resolve);
      });
    }
  }
  res.end();
}
