import { Logger } from '@nestjs/common';

/** Logs each kind of message at most once per interval, with a count of what was suppressed. */
export class RateLimitedLogger {
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  warn(kind: string, message: string): void {
    this.#emit(kind, message, (text) => this.logger.warn(text));
  }

  /** Logs at info level, every time (rare events only). */
  info(message: string): void {
    this.logger.log(message);
  }

  /** Logs a warning the first time this kind is seen, never again. */
  once(kind: string, message: string): void {
    if (this.#last.has(kind)) return;
    this.#last.set(kind, { at: Infinity, suppressed: 0 });
    this.logger.warn(message);
  }

  error(kind: string, message: string): void {
    this.#emit(kind, message, (text) => this.logger.error(text));
  }

  #emit(kind: string, message: string, write: (text: string) => void): void {
    const now = Date.now();
    const last = this.#last.get(kind);
    if (last && now - last.at < this.intervalMs) {
      last.suppressed++;
      return;
    }
    const suffix = last?.suppressed ? ` (${last.suppressed} similar messages suppressed)` : '';
    this.#last.set(kind, { at: now, suppressed: 0 });
    write(message + suffix);
  }
}
