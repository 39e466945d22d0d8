import { base64Url, createPkcePair } from "../../shared/crypto.ts";
import { sha256Hex } from "../../shared/text.ts";

/** Where a consent link points (GET shows what is added, POST goes on to Microsoft). */
export const CONSENT_PATH = "/consent/more";
/** Prefix of the `state` a step-up sends to Microsoft, so /callback tells it from a sign-in. */
export const STEP_UP_STATE_PREFIX = "more.";
/** How long a consent link works. */
export const STEP_UP_TTL_MS = 15 * 60 * 1000;
/** Open links one user may hold at once; the oldest goes first. */
const MAX_OPEN = 20;
const PREFIX = "stepup:";

/** One consent link, as the account keeps it: only the hash of its ticket is stored. */
export interface StepUp {
  /** Permissions the call lacked when the link was made. */
  scopes: string[];
  requestedBy: string;
  /** The session that asked, told when the consent lands. */
  sessionName?: string;
  elicitationId: string;
  createdAt: number;
  expiresAt: number;
  /** PKCE verifier of the Microsoft authorization the link started, once started. */
  verifier?: string;
}

/** The KV key under which a ticket names its user (the only thing outside the account object). */
export async function ticketIndexKey(ticket: string): Promise<string> {
  return `stepup:${await sha256Hex(ticket)}`;
}

/**
 * One user's consent links, in the account object's storage: single-use and
 * expiring. The object is single-threaded, so a ticket is claimed once however
 * many browsers present it at the same moment.
 */
export class StepUps {
  private readonly storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
  }

  /** A new link's ticket (a secret only its URL carries) for `scopes`. */
  async open(request: Pick<StepUp, "scopes" | "requestedBy" | "sessionName">): Promise<{
    ticket: string;
    step: StepUp;
  }> {
    await this.prune();
    const ticket = base64Url(crypto.getRandomValues(new Uint8Array(32)));
    const now = Date.now();
    const step: StepUp = {
      ...request,
      elicitationId: crypto.randomUUID(),
      createdAt: now,
      expiresAt: now + STEP_UP_TTL_MS,
    };
    await this.storage.put(PREFIX + (await sha256Hex(ticket)), step);
    return { ticket, step };
  }

  /** The link's record while it is open and unexpired. */
  async peek(ticket: string): Promise<StepUp | undefined> {
    const step = await this.storage.get<StepUp>(PREFIX + (await sha256Hex(ticket)));
    return step && step.expiresAt > Date.now() ? step : undefined;
  }

  /** Starts (or restarts) the Microsoft authorization of an open link: its PKCE challenge. */
  async start(ticket: string): Promise<{ step: StepUp; challenge: string } | undefined> {
    const step = await this.peek(ticket);
    if (!step) return undefined;
    const { verifier, challenge } = await createPkcePair();
    await this.storage.put(PREFIX + (await sha256Hex(ticket)), { ...step, verifier });
    return { step: { ...step, verifier }, challenge };
  }

  /** Uses the link up: its record (with the verifier) the first time, undefined ever after. */
  async claim(ticket: string): Promise<StepUp | undefined> {
    const key = PREFIX + (await sha256Hex(ticket));
    const step = await this.storage.get<StepUp>(key);
    if (!step) return undefined;
    await this.storage.delete(key);
    return step.expiresAt > Date.now() && step.verifier ? step : undefined;
  }

  /** Drops expired links and, past MAX_OPEN, the oldest. */
  private async prune(): Promise<void> {
    const all = [...(await this.storage.list<StepUp>({ prefix: PREFIX })).entries()];
    const now = Date.now();
    const expired = all.filter(([, step]) => step.expiresAt <= now).map(([key]) => key);
    const open = all.filter(([, step]) => step.expiresAt > now).sort(([, a], [, b]) => a.createdAt - b.createdAt);
    const excess = open.slice(0, Math.max(0, open.length - MAX_OPEN + 1)).map(([key]) => key);
    if (expired.length + excess.length > 0) await this.storage.delete([...expired, ...excess]);
  }
}
