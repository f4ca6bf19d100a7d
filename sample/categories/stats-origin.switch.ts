import { Injectable, ServiceUnavailableException } from '@nestjs/common';

/**
 * Makes the statistics aggregate fail on purpose, to watch fail-safe answer with the last good
 * statistics: on from the start with `FAIL_ORIGIN=1`, or switched at run time with
 * `POST /categories/stats/origin/fail` and `POST /categories/stats/origin/recover`.
 */
@Injectable()
export class StatsOriginSwitch {
  #failing = process.env.FAIL_ORIGIN === '1';

  /** True while the aggregate fails. */
  get failing(): boolean {
    return this.#failing;
  }

  /** Switches the failure on or off. */
  set(failing: boolean): void {
    this.#failing = failing;
  }

  /** Throws what a database that is down would, while the switch is on. */
  check(): void {
    if (this.#failing) {
      throw new ServiceUnavailableException('The statistics aggregate failed (FAIL_ORIGIN is on).');
    }
  }
}
