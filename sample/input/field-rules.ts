import { applyDecorators } from '@nestjs/common';
import { IsDefined, ValidateBy, ValidateIf } from 'class-validator';
import { notPrintable, nullField, tooManyDecimals } from '../sample.messages.js';

/**
 * A body field that may be left out but not sent as null. `@IsOptional()` lets null through too,
 * and a null then reaches a NOT NULL column (a 500 from the database instead of a 400).
 * @example class Patch { @OptionalNotNull() @IsString() name?: string; }
 */
export function OptionalNotNull(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((_object, value) => value !== undefined),
    // IsDefined runs before the field's other rules, so a null is reported as such.
    IsDefined({ message: ({ property }) => nullField(property) }),
  );
}

/**
 * A number with at most `places` decimals. IsNumber's own `maxDecimalPlaces` throws (a 500) on a
 * number whose string form has an exponent, such as 1e-7.
 * @example @MaxDecimalPlaces(2) price!: number;
 */
export function MaxDecimalPlaces(places: number): PropertyDecorator {
  return ValidateBy({
    name: 'maxDecimalPlaces',
    validator: {
      validate: (value) => typeof value === 'number' && Number(value.toFixed(places)) === value,
      defaultMessage: (args) => tooManyDecimals(args?.property ?? 'value', places),
    },
  });
}

/**
 * One line of text: no control characters (PostgreSQL refuses NUL in text) and no lone UTF-16
 * surrogates (UTF-8 cannot hold them, so PostgreSQL would store U+FFFD instead).
 * @example @PrintableLine() name!: string;
 */
export function PrintableLine(): PropertyDecorator {
  return ValidateBy({
    name: 'printableLine',
    validator: {
      validate: (value) => typeof value === 'string' && !/[\p{Cc}\p{Cs}]/u.test(value),
      defaultMessage: (args) => notPrintable(args?.property ?? 'value'),
    },
  });
}
