import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { notAPositiveInteger } from '../sample.messages.js';
import { MAX_ID, positiveInteger } from './positive-integer.js';

/**
 * Reads a route id strictly (see `positiveInteger`): anything else is a 400 naming the parameter,
 * so `/products/0x10` is not product 16 and `/products/0` never reaches the cache as a 404.
 * @example findOne(@Param('id', ParseIdPipe) id: number)
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, metadata: ArgumentMetadata): number {
    const id = positiveInteger(value, MAX_ID);
    if (id === undefined) throw new BadRequestException(notAPositiveInteger(metadata.data ?? 'id', MAX_ID, value));
    return id;
  }
}
