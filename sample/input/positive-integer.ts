import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt } from 'class-validator';
import { notAPositiveInteger } from '../sample.messages.js';

/**
 * The largest id: the id columns are `integer`, 32 bits on PostgreSQL, so no row has a larger one
 * (and PostgreSQL refuses to compare the column with one).
 */
export const MAX_ID = 2_147_483_647;

/**
 * The integer a URL value spells, or undefined: plain decimal digits only, from 1 to `max`. No
 * sign, leading zero, exponent, hex, fraction or spaces, which `Number()` would all accept (and
 * past 2^53 it would round to another number).
 * @example positiveInteger('12', MAX_ID) // 12; positiveInteger('0x10', MAX_ID) // undefined
 */
export function positiveInteger(value: unknown, max: number): number | undefined {
  if (typeof value !== 'string' || !/^[1-9][0-9]*$/.test(value)) return undefined;
  const parsed = Number(value);
  return parsed <= max ? parsed : undefined;
}

/**
 * A query-string field holding a positive integer up to `max`, as `positiveInteger` reads it; any
 * other value stays as sent and fails validation with a message naming the field.
 * @example class Query { @IsOptional() @PositiveIntegerParam(10_000) page = 1; }
 */
export function PositiveIntegerParam(max: number): PropertyDecorator {
  // Converted before it is validated (ValidationPipe runs class-transformer first), so the check
  // only has to tell a number from a value left as sent.
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => positiveInteger(value, max) ?? value),
    IsInt({ message: ({ property, value }) => notAPositiveInteger(property, max, value) }),
  );
}
