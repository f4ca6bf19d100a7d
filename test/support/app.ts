import { INestApplicationContext, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CacheKitModule, CacheKitModuleOptions } from '../../lib/index.js';

/** Boots a Nest app context with CacheKitModule and the given modules; call close() when done. */
export async function bootApp(
  options: CacheKitModuleOptions,
  metadata: ModuleMetadata = {},
): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    ...metadata,
    imports: [CacheKitModule.forRoot(options), ...(metadata.imports ?? [])],
  }).compile();
  return moduleRef.init();
}

/** A namespace of its own for each test, so tests sharing one Redis never see each other's keys. */
export function uniqueNamespace(): string {
  return `t${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}
