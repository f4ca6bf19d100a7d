/**
 * Skips the store after `threshold` consecutive failures, for `cooldownMs`; then lets one probe
 * through and closes again when it succeeds.
 */
export class CircuitBreaker {
  #failures = 0;
  #openUntil = 0;
  #probing = false;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when a call may go to the store now. */
  allow(): boolean {
    if (this.#failures < this.threshold) return true;
    if (this.now() < this.#openUntil || this.#probing) return false;
    this.#probing = true;
    return true;
  }

  get isOpen(): boolean {
    return this.#failures >= this.threshold;
  }

  /** Ends the cooldown now: the next call is the probe (the store just told us it is back). */
  probeSoon(): void {
    this.#openUntil = 0;
  }

  /** Returns true when this success closed an open breaker. */
  success(): boolean {
    if (this.#failures === 0) return false;
    const wasOpen = this.isOpen;
    this.#failures = 0;
    this.#probing = false;
    return wasOpen;
  }

  /** Returns true when this failure opened the breaker. */
  failure(): boolean {
    const wasOpen = this.isOpen;
    this.#failures++;
    this.#probing = false;
    if (this.isOpen) this.#openUntil = this.now() + this.cooldownMs;
    return !wasOpen && this.isOpen;
  }
}
