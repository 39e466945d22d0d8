const PREFIX = "session:";

interface Entry {
  grantId: string;
  at: number;
}

/** What the account asks of a session object; no import of it, so the layers stay one-way. */
interface RegisteredSession {
  end(reason: string): Promise<void>;
  cacheBumped(generations: Record<string, string>): Promise<void>;
  grantChanged(elicitationId?: string): Promise<void>;
}

function sessionStub(env: Env, name: string): RegisteredSession {
  const namespace = env.MCP_OBJECT as unknown as DurableObjectNamespace;
  return namespace.get(namespace.idFromName(name)) as unknown as RegisteredSession;
}

/**
 * The MCP sessions one user has open (their Durable Object names), so that
 * signing out or a dead sign-in can end every live connection at once.
 */
export class SessionRegistry {
  private readonly storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
  }

  /** A session opened under `grantId`: revoking that grant alone ends it too. */
  async add(name: string, grantId: string): Promise<void> {
    await this.storage.put(`${PREFIX}${name}`, { grantId, at: Date.now() } satisfies Entry);
  }

  async remove(name: string): Promise<void> {
    await this.storage.delete(`${PREFIX}${name}`);
  }

  /** The open sessions' names: all of them, or those of one grant. */
  async names(grantId?: string): Promise<string[]> {
    const entries = await this.storage.list<Entry>({ prefix: PREFIX });
    return [...entries]
      .filter(([, entry]) => grantId === undefined || entry.grantId === grantId)
      .map(([key]) => key.slice(PREFIX.length));
  }
}

/** Ends the named session objects (closing their connections and deleting their storage). */
export async function endSessions(env: Env, names: readonly string[], reason: string): Promise<number> {
  const results = await Promise.allSettled(names.map((name) => sessionStub(env, name).end(reason)));
  return results.filter((result) => result.status === "fulfilled").length;
}

/** Tells the named sessions the new cache generations, so their memory of them stays true. */
export async function pushGenerations(
  env: Env,
  names: readonly string[],
  generations: Record<string, string>,
): Promise<void> {
  await Promise.allSettled(names.map((name) => sessionStub(env, name).cacheBumped(generations)));
}

/**
 * The user's grant changed (a consent link added permissions): every named
 * session forgets its remembered token; `asker` also hears that its URL
 * elicitation `elicitationId` completed.
 */
export async function grantChanged(
  env: Env,
  names: readonly string[],
  asker: string | undefined,
  elicitationId: string,
): Promise<void> {
  await Promise.allSettled(
    names.map((name) => sessionStub(env, name).grantChanged(name === asker ? elicitationId : undefined)),
  );
}
