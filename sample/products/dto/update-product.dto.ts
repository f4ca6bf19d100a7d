import { IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, MaxLength, Min } from 'class-validator';

// Decorators apply bottom-up: the type check sits next to the property so it runs first, and with
// `stopAtFirstError` a wrong type is reported as such ("price must be a number"), not as a range error.

/** Body of `PATCH /products/:id`: every field optional, unknown fields rejected by the global pipe. */
export class UpdateProductDto {
  @IsOptional()
  @MaxLength(100)
  @IsNotEmpty()
  @IsString()
  name?: string;

  @IsOptional()
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  price?: number;

  @IsOptional()
  @Min(1)
  @IsInt()
  categoryId?: number;
}
