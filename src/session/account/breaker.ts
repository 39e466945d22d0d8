import type { CircuitState } from "../../graph/token-source.ts";

/** Consecutive upstream failures that open a circuit... */
export const BREAKER_FAILURES = 5;
/** ...when they fall within this window, */
const BREAKER_WINDOW_MS = 60_000;
/** and how long it then stays open before one probe may pass (CIRCUIT_OPEN_SECONDS overrides). */
const BREAKER_OPEN_MS = 30_000;

/**
 * One circuit: the Graph requests of one user to one workload, reads or
 * writes ("mail:write"). Kept in memory: it protects Graph and the user's
 * quota while an outage lasts, and forgetting it on an eviction only costs
 * one more probe.
 */
class Circuit {
  /** Times of the current run of upstream failures. */
  failures: number[] = [];
  openUntil = 0;
  probing = false;

  get quiet(): boolean {
    return this.failures.length === 0 && this.openUntil === 0;
  }
}

/**
 * A user's circuit breakers over Graph outages, one per workload and
 * direction (`mail:read`, `mail:write`, `files:read`, ...). Only outages
 * count: timeouts, connection failures and 5xx answers after retries; a 4xx
 * is Graph answering. The grain is the workload because Microsoft 365 fails
 * by service (Exchange, SharePoint, Teams), and the direction because a
 * failing write endpoint (say, sendMail) must not stop the user reading mail.
 */
export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();
  private readonly openMs: number;

  constructor(openSeconds: string | undefined) {
    const seconds = Number(openSeconds);
    this.openMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : BREAKER_OPEN_MS;
  }

  /** "closed" when every circuit is quiet (calls need not ask again), else "degraded". */
  summary(): CircuitState {
    for (const circuit of this.circuits.values()) if (!circuit.quiet) return "degraded";
    return "closed";
  }

  /** The verdict for one request on `name`: a state, or the seconds the circuit stays open. */
  admit(name: string, now = Date.now()): CircuitState | number {
    const circuit = this.circuits.get(name);
    if (!circuit) return "closed";
    if (circuit.openUntil > now) return Math.ceil((circuit.openUntil - now) / 1000);
    if (circuit.openUntil > 0) {
      // Half-open: one request probes Graph; the others wait for its outcome.
      if (circuit.probing) return Math.max(1, Math.ceil(this.openMs / 1000 / 6));
      circuit.probing = true;
      return "probe";
    }
    return circuit.failures.length > 0 ? "degraded" : "closed";
  }

  /**
   * How a request on `name` that reached Graph went: `false` when Graph was
   * unavailable (5xx, timeout, unreachable) after retries. Opens after
   * BREAKER_FAILURES failures within BREAKER_WINDOW_MS, or a failed probe; a
   * success closes it.
   */
  record(name: string, ok: boolean, now = Date.now()): void {
    if (ok) {
      this.circuits.delete(name);
      return;
    }
    const circuit = this.circuits.get(name) ?? new Circuit();
    this.circuits.set(name, circuit);
    circuit.failures = [...circuit.failures.filter((at) => now - at < BREAKER_WINDOW_MS), now];
    if (circuit.probing || circuit.failures.length >= BREAKER_FAILURES) {
      circuit.openUntil = now + this.openMs;
      circuit.probing = false;
      console.log(
        JSON.stringify({
          event: "circuit_open",
          circuit: name,
          failures: circuit.failures.length,
          seconds: this.openMs / 1000,
        }),
      );
    }
  }

  reset(): void {
    this.circuits.clear();
  }
}
