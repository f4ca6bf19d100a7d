import { ValidationPipe } from '@nestjs/common';

/**
 * The app's ValidationPipe: DTOs are transformed and validated as usual, but a single route or
 * query value (`@Param('id') id: number`) is handed on as the string the client sent. With
 * `transform: true` the stock pipe converts such a value with `+value` first, so the parameter's
 * own pipe would see 16 for '0x10', 1000 for '1e3' and 0 for '', and could no longer refuse them.
 * @example { provide: APP_PIPE, useValue: new CatalogueValidationPipe({ transform: true }) }
 */
export class CatalogueValidationPipe extends ValidationPipe {
  // The stock pipe converts nothing but such single values here.
  protected override transformPrimitive(value: unknown): unknown {
    return value;
  }
}
