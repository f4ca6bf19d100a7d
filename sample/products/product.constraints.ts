import { BadRequestException, ConflictException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Category } from '../categories/category.entity.js';
import { Product } from './product.entity.js';

/** Refuses a category id that does not exist (400), before anything is written. */
export async function requireCategory(manager: EntityManager, categoryId: number): Promise<void> {
  if (!(await manager.existsBy(Category, { id: categoryId }))) {
    throw new BadRequestException(`categoryId ${categoryId} does not exist`);
  }
}

/**
 * Product names are unique, ignoring case. Checked after the write, inside its transaction, so it
 * sees the catalogue as the write leaves it; a violation throws (409), the transaction rolls back
 * and the post-commit bridge evicts nothing. Two concurrent transactions giving two products one
 * name can both pass under READ COMMITTED: a production schema would back this with a unique
 * index on lower(name).
 */
export async function requireUniqueName(manager: EntityManager, name: string): Promise<void> {
  const holders = await manager
    .createQueryBuilder(Product, 'product')
    .where('LOWER(product.name) = LOWER(:name)', { name })
    .getCount();
  if (holders > 1) throw new ConflictException(`A product named '${name}' already exists`);
}
