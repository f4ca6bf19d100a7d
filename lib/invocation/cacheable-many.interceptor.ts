import type { CacheableManyOperation } from '../definitions/cache-operation.interface.js';
import { CacheDefinitionError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { IdBatches } from '../engine/batch/id-batch.js';
import { callOriginal } from './call-original.js';
import { Invocation, OperationInterceptor } from './invocation.interface.js';

/**
 * @CacheableMany: serve each id of the first argument from its single-id entry, and call the
 * method once with the missing ids. A Map comes back as a Map; with `idOf`, an array comes back
 * as an array in the order of the ids asked for.
 */
export class CacheableManyInterceptor implements OperationInterceptor<CacheableManyOperation> {
  constructor(private readonly batches: IdBatches) {}

  async intercept({ definition, idOf }: CacheableManyOperation, call: Invocation): Promise<unknown> {
    const [ids, ...rest] = call.args;
    const where = call.method.where;
    const found = await this.batches.getMany(definition, ids as unknown[], where, async (missing) => {
      const loaded = await callOriginal(call.method, call.instance, [missing, ...rest]);
      if (!Array.isArray(loaded)) return loaded as Map<unknown, unknown>;
      if (!idOf) throw new CacheDefinitionError(messages.batchArrayNeedsIdOf(where));
      return loaded.filter((value) => value !== null && value !== undefined).map((value) => [idOf(value), value]);
    });
    return idOf ? [...found.values()] : found;
  }
}
