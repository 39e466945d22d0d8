/**
 * Getting bytes into OneDrive and SharePoint: one PUT for small files, and
 * for large ones an upload session fed in fragments that are multiples of
 * 320 KiB, streamed from the source so the Worker holds one fragment at a
 * time; a failed fragment is resumed where the session says, a session given
 * up on is cancelled, and progress is reported after every fragment.
 */
import type { DriveItem, UploadSession } from "@microsoft/microsoft-graph-types";
import type { GraphClient } from "../../graph/client.ts";
import { GraphError, ToolError } from "../../graph/errors.ts";
import { checkSourceUrl } from "./source-url.ts";

/** Graph takes files up to 4 MB in one PUT .../content; larger ones need an upload session. */
export const SIMPLE_UPLOAD_MAX_BYTES = 4 * 1024 * 1024;
/**
 * Content passed inline (text or base64) travels inside one MCP request, which
 * the server takes up to 4 MiB: 3 MB of bytes is 4 MB of base64.
 */
export const INLINE_MAX_BYTES = 3_000_000;
/** Files fetched from `sourceUrl` and streamed to OneDrive: 250 MB at most. */
export const SOURCE_MAX_BYTES = 250 * 1024 * 1024;
/** Graph wants fragments in multiples of 320 KiB; ten of them keep the Worker's memory small. */
export const FRAGMENT_UNIT = 320 * 1024;
export const FRAGMENT_BYTES = 10 * FRAGMENT_UNIT;
/** Attempts per fragment (the first and three retries), and retries per upload. */
const FRAGMENT_ATTEMPTS = 4;
const UPLOAD_RETRIES = 8;
const MAX_RETRY_WAIT_SECONDS = 8;
const SOURCE_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_SOURCE_REDIRECTS = 3;

export type ConflictBehavior = "rename" | "replace" | "fail";
export type Progress = (sent: number, total: number, message: string) => Promise<void>;

/** "1.2 MB", "340 KB", "12 bytes". */
export function humanSize(bytes: number | null | undefined): string {
  const size = bytes ?? 0;
  if (size < 1024) return `${size} byte${size === 1 ? "" : "s"}`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** One PUT of the whole file to `address` (an item address such as "/me/drive/root:/a/b.txt:"). */
export async function uploadSmall(
  graph: GraphClient,
  address: string,
  bytes: Uint8Array,
  conflict: ConflictBehavior,
  contentType: string,
): Promise<DriveItem> {
  return graph.put<DriveItem>(`${address}/content`, bytes, {
    query: { "@microsoft.graph.conflictBehavior": conflict },
    rawContentType: contentType,
  });
}

/** A source the server downloads: its declared size and its body as a stream. */
export interface Source {
  size: number | undefined;
  body: ReadableStream<Uint8Array>;
}

/** Opens `sourceUrl` for reading, following up to three redirects that pass the same checks. */
export async function openSource(sourceUrl: string, devPrefix?: string): Promise<Source> {
  let url = checkSourceUrl(sourceUrl, devPrefix);
  const signal = AbortSignal.timeout(SOURCE_TIMEOUT_MS);
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await fetch(url, { method: "GET", redirect: "manual", signal });
    } catch {
      throw new ToolError("upstream_unavailable", "sourceUrl: the file could not be downloaded (no answer).");
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get("Location");
      if (!location || hop >= MAX_SOURCE_REDIRECTS) {
        throw new ToolError("invalid_input", "sourceUrl: the URL redirects too often or to nowhere.");
      }
      url = checkSourceUrl(new URL(location, url).href, devPrefix);
      continue;
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new ToolError("invalid_input", `sourceUrl: the download answered HTTP ${response.status}.`);
    }
    const declared = response.headers.get("Content-Length");
    const size = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
    return { size, body: response.body };
  }
}

/** Reads a byte stream into caller-provided buffers, so only one fragment is held at a time. */
export class StreamFiller {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private leftover: Uint8Array | undefined;
  private done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader();
  }

  /** Fills `target` from the stream; returns how many bytes it filled (less only at the end). */
  async fill(target: Uint8Array): Promise<number> {
    let filled = 0;
    while (filled < target.length) {
      let piece = this.leftover;
      this.leftover = undefined;
      if (!piece) {
        if (this.done) break;
        const { done, value } = await this.reader.read();
        if (done) {
          this.done = true;
          break;
        }
        piece = value;
      }
      const take = Math.min(piece.length, target.length - filled);
      target.set(piece.subarray(0, take), filled);
      filled += take;
      if (take < piece.length) this.leftover = piece.subarray(take);
    }
    return filled;
  }

  async cancel(): Promise<void> {
    try {
      await this.reader.cancel();
    } catch {
      // Already closed or failed: nothing to release.
    }
  }
}

/** Reads at most `limit` bytes; undefined when the stream holds more. */
export async function readAtMost(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array | undefined> {
  const filler = new StreamFiller(stream);
  const buffer = new Uint8Array(limit + 1);
  const length = await filler.fill(buffer);
  await filler.cancel();
  return length > limit ? undefined : buffer.subarray(0, length);
}

async function graphErrorOf(response: Response): Promise<GraphError> {
  let code = `HTTP${response.status}`;
  let message = `HTTP ${response.status}`;
  try {
    const payload = (await response.json()) as { error?: { code?: string; message?: string } };
    if (payload.error?.code) code = payload.error.code;
    if (payload.error?.message) message = payload.error.message;
  } catch {
    // Not a Graph error body.
  }
  const retryAfter = Number(response.headers.get("Retry-After") ?? NaN);
  return new GraphError(
    response.status,
    code,
    message,
    response.headers.get("request-id") ?? undefined,
    Number.isFinite(retryAfter) ? retryAfter : undefined,
  );
}

function firstExpected(ranges: readonly string[] | null | undefined): number | undefined {
  const first = ranges?.[0];
  const match = first ? /^(\d+)-/.exec(first) : null;
  return match ? Number(match[1]) : undefined;
}

function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

/** What the session says after a fragment: more wanted (from `next`), done (the item), or gone. */
type FragmentOutcome = { kind: "more"; next: number } | { kind: "done"; item: DriveItem } | { kind: "gone" };

class SessionUpload {
  private readonly graph: GraphClient;
  private readonly url: URL;
  private readonly total: number;
  retriesLeft = UPLOAD_RETRIES;

  constructor(graph: GraphClient, url: URL, total: number) {
    this.graph = graph;
    this.url = url;
    this.total = total;
  }

  /** Where the session wants the next byte from; "gone" when it no longer exists (committed or expired). */
  private async query(): Promise<number | "gone"> {
    const response = await this.graph.fetchUnauthenticated(this.url, { method: "GET" });
    if (response.status === 404) {
      await response.body?.cancel();
      return "gone";
    }
    if (!response.ok) throw await graphErrorOf(response);
    const status = (await response.json()) as UploadSession;
    return firstExpected(status.nextExpectedRanges) ?? this.total;
  }

  /**
   * Sends the fragment `bytes`, which starts at byte `start` of the file,
   * resuming from wherever the session says after a failure.
   */
  async send(bytes: Uint8Array, start: number): Promise<FragmentOutcome> {
    const end = start + bytes.length;
    let from = start;
    for (let attempt = 1; ; attempt++) {
      let failure: GraphError | ToolError;
      try {
        const response = await this.graph.fetchUnauthenticated(this.url, {
          method: "PUT",
          headers: {
            "Content-Length": String(end - from),
            "Content-Range": `bytes ${from}-${end - 1}/${this.total}`,
          },
          body: bytes.subarray(from - start),
        });
        if (response.status === 200 || response.status === 201) {
          return { kind: "done", item: (await response.json()) as DriveItem };
        }
        if (response.status === 202) {
          const status = (await response.json()) as UploadSession;
          return { kind: "more", next: firstExpected(status.nextExpectedRanges) ?? end };
        }
        failure = await graphErrorOf(response);
        const retryable = response.status >= 500 || response.status === 429 || response.status === 416;
        if (!retryable) throw failure;
      } catch (error) {
        if (!(error instanceof ToolError && error.code === "upstream_unavailable")) throw error;
        failure = error;
      }
      if (attempt >= FRAGMENT_ATTEMPTS || this.retriesLeft <= 0) {
        throw new ToolError(
          "upstream_unavailable",
          `The upload failed at byte ${from} of ${this.total} after ${attempt} attempts (${failure.message}); nothing was saved. Try again later.`,
        );
      }
      this.retriesLeft--;
      const retryAfter = failure instanceof GraphError ? failure.retryAfterSeconds : undefined;
      await sleep(Math.min(MAX_RETRY_WAIT_SECONDS, retryAfter ?? 0.25 * 2 ** attempt));
      const next = await this.query();
      if (next === "gone") return { kind: "gone" };
      if (next >= end) return { kind: "more", next };
      if (next < start) {
        throw new ToolError(
          "upstream_unavailable",
          `The upload session lost bytes already sent (it wants byte ${next} again); nothing was saved. Try again.`,
        );
      }
      from = next;
    }
  }

  async cancel(): Promise<void> {
    try {
      const response = await this.graph.fetchUnauthenticated(this.url, { method: "DELETE" });
      await response.body?.cancel();
    } catch {
      // The session expires on its own.
    }
  }
}

/**
 * Uploads `total` bytes from `source` to `address` through an upload session,
 * one fragment at a time. Returns the new or replaced driveItem.
 */
export async function uploadWithSession(
  graph: GraphClient,
  address: string,
  source: StreamFiller,
  total: number,
  conflict: ConflictBehavior,
  progress: Progress,
): Promise<{ item: DriveItem; fragments: number }> {
  const created = await graph.post<UploadSession>(`${address}/createUploadSession`, {
    item: { "@microsoft.graph.conflictBehavior": conflict },
  });
  if (!created.uploadUrl)
    throw new ToolError("upstream_unavailable", "Microsoft Graph created an upload session without an upload URL.");
  const session = new SessionUpload(graph, new URL(created.uploadUrl), total);
  const buffer = new Uint8Array(Math.min(FRAGMENT_BYTES, total));
  let offset = 0;
  let fragments = 0;
  try {
    while (offset < total) {
      const length = Math.min(FRAGMENT_BYTES, total - offset);
      const filled = await source.fill(buffer.subarray(0, length));
      if (filled < length) {
        throw new ToolError(
          "invalid_input",
          `sourceUrl: the download ended after ${offset + filled} of the ${total} bytes it announced.`,
        );
      }
      if (offset + length === total && (await source.fill(new Uint8Array(1))) > 0) {
        throw new ToolError("invalid_input", `sourceUrl: the download is longer than the ${total} bytes it announced.`);
      }
      const outcome = await session.send(buffer.subarray(0, length), offset);
      fragments++;
      offset += length;
      await progress(offset, total, `Uploaded ${humanSize(offset)} of ${humanSize(total)}`);
      if (outcome.kind === "done") return { item: outcome.item, fragments };
      if (outcome.kind === "gone") {
        // The last fragment's answer was lost after the file was committed: look the file up.
        if (offset < total)
          throw new ToolError(
            "upstream_unavailable",
            "The upload session expired before the file was complete; nothing was saved.",
          );
        const item = await graph.get<DriveItem>(address, { query: { $select: "id,name,size,parentReference,webUrl" } });
        if (item.size !== total)
          throw new ToolError(
            "upstream_unavailable",
            "The upload's last part was lost; the file was not saved completely. Try again.",
          );
        return { item, fragments };
      }
      if (outcome.next !== offset) {
        throw new ToolError(
          "upstream_unavailable",
          `The upload session expects byte ${outcome.next} next, not ${offset}; nothing was saved.`,
        );
      }
    }
    throw new ToolError("upstream_unavailable", "The upload session did not confirm the file after its last byte.");
  } catch (error) {
    await session.cancel();
    await source.cancel();
    throw error;
  }
}
