/** Everything the emulator remembers between requests; `reset()` returns it to the seed. */
import { appendFileSync } from "node:fs";
import { DEMO_CONSENT_POLICY, type ConsentPolicy } from "./entra/consent.ts";
import type { Fault } from "./faults.ts";
import type { UserData } from "./model.ts";
import { seedDayStart, seedTenant } from "./seed.ts";
import { seedTeams, type TeamsData } from "./data/teams.ts";
import { seedSharePoint, type StoredSite } from "./data/drive.ts";
import { seedGroups, type StoredGroup } from "./data/groups.ts";

export interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  /** Granted scopes, short form ("Mail.Read", "openid"). */
  scopes: string[];
  userId: string;
  nonce?: string;
  /** Epoch ms. */
  expiresAt: number;
  redeemed: boolean;
}

export interface AccessTokenGrant {
  userId: string;
  clientId: string;
  /** Graph permissions only ("Mail.Read"). */
  scopes: string[];
  /** Epoch ms. */
  expiresAt: number;
}

export interface RefreshTokenGrant {
  userId: string;
  clientId: string;
  /**
   * The scopes of the code it came from and of the refreshes before it (identity scopes included): what a
   * refresh without `scope` gets. No limit: a refresh may ask for any scope the user holds consent for then.
   */
  scopes: string[];
  /** Set by the control API: the AADSTS code the next redemption fails with. */
  invalidatedWith?: "revoked" | "expired";
}

export interface LoggedRequest {
  method: string;
  /** Without the query string. */
  path: string;
  /** The query string without "?", or "". */
  query: string;
  status: number;
  /** The signed-in user the request acted for, when known. */
  userId?: string;
  /** The injected fault that answered or delayed it. */
  faultId?: string;
  /** Headers that change what Graph answers (prefer, consistencylevel), when sent. */
  headers?: Record<string, string>;
  /** For POST /v1.0/$batch: the requests inside, as sent (url relative to /v1.0). */
  batch?: { method: string; url: string }[];
  /** ISO timestamp of arrival. */
  at: string;
}

const MAX_LOGGED_REQUESTS = 5000;

export class EmulatorState {
  readonly accessTokenLifetimeSeconds: number;
  users: Map<string, UserData> = seedTenant();
  /** Microsoft Teams: teams, channels, chats and online meetings, shared by the tenant's users. */
  teams: TeamsData = seedTeams(seedDayStart(Date.now()));
  /** SharePoint sites and their document libraries, shared by the tenant's users. */
  sites: StoredSite[] = seedSharePoint(seedDayStart(Date.now()));
  /** Microsoft 365 groups: members and conversations (their mailboxes and calendars are in `users`). */
  groups: StoredGroup[] = seedGroups(seedDayStart(Date.now()));
  readonly codes = new Map<string, AuthorizationCode>();
  readonly accessTokens = new Map<string, AccessTokenGrant>();
  readonly refreshTokens = new Map<string, RefreshTokenGrant>();
  faults: Fault[] = [];
  log: LoggedRequest[] = [];
  /** The tenant's consent settings (control API `consent`). */
  consent: ConsentPolicy = { ...DEMO_CONSENT_POLICY };
  /** Permissions each user granted the demo app themselves, by user id. */
  readonly userGrants = new Map<string, Set<string>>();

  constructor(accessTokenLifetimeSeconds: number) {
    this.accessTokenLifetimeSeconds = accessTokenLifetimeSeconds;
  }

  /** Back to the seed: mail, tokens, faults, consent settings and the request log. */
  reset(): void {
    this.users = seedTenant();
    this.teams = seedTeams(seedDayStart(Date.now()));
    this.sites = seedSharePoint(seedDayStart(Date.now()));
    this.groups = seedGroups(seedDayStart(Date.now()));
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.faults = [];
    this.log = [];
    this.consent = { ...DEMO_CONSENT_POLICY };
    this.userGrants.clear();
  }

  /** Where every logged request is also appended as a JSON line (never cleared by reset), if anywhere. */
  requestLogFile?: string;

  record(entry: LoggedRequest): void {
    if (this.requestLogFile) appendFileSync(this.requestLogFile, `${JSON.stringify(entry)}\n`);
    this.log.push(entry);
    if (this.log.length > MAX_LOGGED_REQUESTS) this.log.splice(0, this.log.length - MAX_LOGGED_REQUESTS);
  }

  dataOf(userId: string): UserData {
    const data = this.users.get(userId);
    if (!data) throw new Error(`no data for user ${userId}`);
    return data;
  }
}
