import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { Category } from '../categories/category.entity.js';

// PostgreSQL returns NUMERIC columns as strings (to keep precision); prices fit a double.
const numericAsNumber = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** A product of the catalogue. */
@Entity({ name: 'products' })
export class Product {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'numeric', precision: 10, scale: 2, transformer: numericAsNumber })
  price!: number;

  @Index()
  @Column({ type: 'integer' })
  categoryId!: number;

  // Declared for the foreign key only; never loaded, so cached products stay flat rows.
  @ManyToOne(() => Category, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'categoryId' })
  category?: Relation<Category>;

  @UpdateDateColumn()
  updatedAt!: Date;
}
