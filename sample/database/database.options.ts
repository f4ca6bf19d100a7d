import { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DatabaseOptions } from '../app.options.js';
import { Category } from '../categories/category.entity.js';
import { Product } from '../products/product.entity.js';

/** TypeORM settings for the chosen database. */
export function typeOrmOptions(database: DatabaseOptions, logSql = false): TypeOrmModuleOptions {
  const common = {
    entities: [Category, Product],
    // The sample creates its tables itself; a real service would run migrations instead.
    synchronize: true,
    logging: logSql,
    // Fail the boot quickly with the driver's error instead of retrying for half a minute.
    retryAttempts: 2,
    retryDelay: 1_000,
  };
  if (database.type === 'postgres') return { ...common, type: 'postgres', url: database.url };
  return { ...common, type: 'better-sqlite3', database: database.path };
}
