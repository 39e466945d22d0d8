import type { CircuitState } from "../../graph/token-source.ts";

/** Consecutive upstream failures that open the breaker... */
export const BREAKER_FAILURES = 5;
/** ...when they fall within this window, */
const BREAKER_WINDOW_MS = 60_000;
/** and how long it then stays open before one probe may pass (CIRCUIT_OPEN_SECONDS overrides). */
const BREAKER_OPEN_MS = 30_000;

/**
 * A per-user circuit breaker over Graph outages, kept in memory: it protects
 * Graph and the user's quota while an outage lasts, and forgetting it on an
 * eviction only costs one more probe.
 */
export class CircuitBreaker {
  /** Times of the current run of upstream failures. */
  private failures: number[] = [];
  private openUntil = 0;
  private probing = false;
  private readonly openMs: number;

  constructor(openSeconds: string | undefined) {
    const seconds = Number(openSeconds);
    this.openMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : BREAKER_OPEN_MS;
  }

  /** The verdict for one call: a state, or the seconds the breaker stays open. */
  admit(now = Date.now()): CircuitState | number {
    if (this.openUntil > now) return Math.ceil((this.openUntil - now) / 1000);
    if (this.openUntil > 0) {
      // Half-open: one call probes Graph; the others wait for its outcome.
      if (this.probing) return Math.max(1, Math.ceil(this.openMs / 1000 / 6));
      this.probing = true;
      return "probe";
    }
    return this.failures.length > 0 ? "degraded" : "closed";
  }

  /**
   * How a call that reached Graph went: `false` when Graph was unavailable
   * (5xx, timeout, unreachable) after retries. Opens after BREAKER_FAILURES
   * failures within BREAKER_WINDOW_MS, or a failed probe; a success closes it.
   */
  record(ok: boolean, now = Date.now()): void {
    if (ok) {
      this.reset();
      return;
    }
    this.failures = [...this.failures.filter((at) => now - at < BREAKER_WINDOW_MS), now];
    if (this.probing || this.failures.length >= BREAKER_FAILURES) {
      this.openUntil = now + this.openMs;
      this.probing = false;
      console.log(
        JSON.stringify({ event: "circuit_open", failures: this.failures.length, seconds: this.openMs / 1000 }),
      );
    }
  }

  reset(): void {
    this.failures = [];
    this.openUntil = 0;
    this.probing = false;
  }
}
