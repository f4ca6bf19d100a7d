import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { MAX_ID, positiveInteger } from '../input/positive-integer.js';

/** How many ids one `GET /products/by-ids` may ask for. */
export const MAX_IDS = 100;

/**
 * Reads `?ids=1,2,3` strictly: 1 to 100 comma-separated ids, each as `ParseIdPipe` reads one;
 * anything else is a 400 saying which part is wrong.
 * @example findByIds(@Query('ids', ParseIdListPipe) ids: number[])
 */
@Injectable()
export class ParseIdListPipe implements PipeTransform<unknown, number[]> {
  transform(value: unknown): number[] {
    if (typeof value !== 'string' || value === '') {
      throw new BadRequestException(`ids must be 1 to ${MAX_IDS} comma-separated ids, such as ids=1,2,3`);
    }
    const parts = value.split(',');
    if (parts.length > MAX_IDS) throw new BadRequestException(`ids takes at most ${MAX_IDS} ids; got ${parts.length}`);
    return parts.map((part, index) => {
      const id = positiveInteger(part, MAX_ID);
      if (id === undefined) {
        throw new BadRequestException(`ids[${index}] must be an integer from 1 to ${MAX_ID}; got '${part}'`);
      }
      return id;
    });
  }
}
