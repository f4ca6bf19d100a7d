import { applyDecorators } from '@nestjs/common';
import { IsInt, IsNotEmpty, IsNumber, IsString, Max, MaxLength, Min } from 'class-validator';
import { MaxDecimalPlaces, PrintableLine } from '../../input/field-rules.js';
import { MAX_ID } from '../../input/positive-integer.js';
import { notANumber } from '../../sample.messages.js';

// The rules of each product field, shared by POST and PATCH. Each list starts with the type check
// and rules run in that order, so with `stopAtFirstError` a missing or mistyped field is reported
// as such ("price must be a number"), not as a range error. The bounds are the columns': past
// them SQLite stores the value anyway and PostgreSQL refuses it (a 500).

/** The largest price numeric(10,2) holds. */
export const MAX_PRICE = 99_999_999.99;

/** `name`: one line of text, 1 to 100 characters (varchar(100)). */
export const ProductName = (): PropertyDecorator =>
  applyDecorators(IsString(), IsNotEmpty(), MaxLength(100), PrintableLine());

/** `price`: 0 to 99,999,999.99, in cents at most. */
export const ProductPrice = (): PropertyDecorator =>
  applyDecorators(
    IsNumber({ allowNaN: false, allowInfinity: false }, { message: ({ property }) => notANumber(property) }),
    MaxDecimalPlaces(2),
    Min(0),
    Max(MAX_PRICE),
  );

/** `categoryId`: an id (existence is checked by the service, inside the write's transaction). */
export const ProductCategoryId = (): PropertyDecorator => applyDecorators(IsInt(), Min(1), Max(MAX_ID));
