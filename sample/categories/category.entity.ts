import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A product category (e.g. "Lighting"). */
@Entity({ name: 'categories' })
export class Category {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 100, unique: true })
  name!: string;
}
