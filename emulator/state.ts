/** Everything the emulator remembers between requests; `reset()` returns it to the seed. */
import { randomBytes } from "node:crypto";
import { seedMailboxes, type Mailbox } from "./seed.ts";

export interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  userId: string;
  nonce?: string;
  expiresAt: number;
  used: boolean;
}

export interface IssuedAccessToken {
  userId: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

export interface IssuedRefreshToken {
  userId: string;
  clientId: string;
  scopes: string[];
  revoked: boolean;
}

export interface Fault {
  id: string;
  match: string;
  pattern: RegExp;
  status?: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
  remaining: number;
  body?: unknown;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
  userId?: string;
  at: string;
}

const MAX_LOG = 5000;

export class EmulatorState {
  mailboxes: Map<string, Mailbox> = seedMailboxes();
  codes = new Map<string, AuthorizationCode>();
  accessTokens = new Map<string, IssuedAccessToken>();
  refreshTokens = new Map<string, IssuedRefreshToken>();
  faults: Fault[] = [];
  log: LoggedRequest[] = [];
  accessTokenLifetimeSeconds: number;

  constructor(accessTokenLifetimeSeconds: number) {
    this.accessTokenLifetimeSeconds = accessTokenLifetimeSeconds;
  }

  reset(): void {
    this.mailboxes = seedMailboxes();
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.faults = [];
    this.log = [];
  }

  record(entry: LoggedRequest): void {
    this.log.push(entry);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
  }

  /** An opaque token: random, and shaped so nobody mistakes it for a real Microsoft token. */
  static token(prefix: string): string {
    return `${prefix}.${randomBytes(32).toString("base64url")}`;
  }
}
