import { Injectable, Module } from '@nestjs/common';
import { Type } from 'class-transformer';
import { Cacheable, defineCache } from '../../lib/index.js';

/** A nested value class: class-transformer's @Type makes it an instance too. */
export class Price {
  amount = 0;
  currency = 'EUR';

  get label(): string {
    return `${this.amount.toFixed(2)} ${this.currency}`;
  }
}

/** A DTO with a getter and a method, which a plain object lacks. */
export class ProductDto {
  id = 0;
  name = '';
  updatedAt = new Date(0);
  @Type(() => Price)
  price = new Price();

  get title(): string {
    return `#${this.id} ${this.name}`;
  }

  isNewerThan(date: Date): boolean {
    return this.updatedAt.getTime() > date.getTime();
  }
}

/** A class without any class-transformer metadata. */
export class Money {
  constructor(
    readonly cents: number,
    readonly currency: string,
  ) {}

  format(): string {
    return `${(this.cents / 100).toFixed(2)} ${this.currency}`;
  }
}

export const productDtoById = defineCache({ name: 'revive.product', key: (id: number) => id, type: ProductDto });

function dto(id: number, name: string): ProductDto {
  const product = new ProductDto();
  product.id = id;
  product.name = name;
  product.updatedAt = new Date('2026-06-01T00:00:00Z');
  product.price = Object.assign(new Price(), { amount: id * 10 });
  return product;
}

/** Methods whose results are class instances; loads are counted, with an adjustable delay. */
@Injectable()
export class CatalogueService {
  loads = 0;
  delayMs = 0;

  @Cacheable(productDtoById)
  async findOne(id: number): Promise<ProductDto | null> {
    this.loads++;
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return id > 100 ? null : dto(id, `Product ${id}`);
  }

  /** Returns plain objects: `type` turns them into instances for the loading caller too. */
  @Cacheable({ name: 'revive.plain', key: (id: number) => id, type: ProductDto })
  async findPlain(id: number): Promise<ProductDto> {
    this.loads++;
    return { id, name: 'plain', updatedAt: new Date(0), price: { amount: 1, currency: 'EUR' } } as ProductDto;
  }

  @Cacheable({ name: 'revive.list', key: (category: string) => category, type: ProductDto })
  async list(category: string): Promise<ProductDto[]> {
    this.loads++;
    return [dto(1, `${category} 1`), dto(2, `${category} 2`)];
  }

  @Cacheable({
    name: 'revive.money',
    key: (id: number) => id,
    revive: (value) => (value instanceof Money ? value : new Money((value as Money).cents, (value as Money).currency)),
  })
  async balance(id: number): Promise<Money> {
    this.loads++;
    return new Money(id * 150, 'EUR');
  }
}

@Module({ providers: [CatalogueService], exports: [CatalogueService] })
export class CatalogueModule {}
