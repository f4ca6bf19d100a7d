import { IsInt, IsNotEmpty, IsNumber, IsString, MaxLength, Min } from 'class-validator';

// Decorators apply bottom-up: the type check sits next to the property so it runs first, and with
// `stopAtFirstError` a missing or mistyped field is reported as such ("price must be a number").

/** Body of `POST /products`: every field required, unknown fields rejected by the global pipe. */
export class CreateProductDto {
  @MaxLength(100)
  @IsNotEmpty()
  @IsString()
  name!: string;

  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  price!: number;

  @Min(1)
  @IsInt()
  categoryId!: number;
}
