import { Logger } from '@nestjs/common';
import type { EntityMetadata } from 'typeorm';
import { Duration, parseDuration } from '../definitions/duration.js';
import { RateLimitedLogger } from '../observability/rate-limited-logger.js';
import type { BulkChange, EntityChange, EvictionEntry } from './entity-change.interface.js';
import { EvictionTargets } from './eviction-targets.js';
import { PendingEvictions } from './pending-evictions.js';
import { InvalidationRuleError } from './typeorm.errors.js';
import { typeormMessages } from './typeorm.messages.js';

/** An entity class (abstract classes and parents of inherited entities included). @example invalidate(Product, ...) */
export type EntityClass<E> = abstract new (...args: any[]) => E;

/** Options of one invalidation rule. @example invalidate(Product, rule, { bulk: () => ['products:all'], again: '2s' }) */
export interface InvalidationRuleOptions {
  /**
   * What a change of unknown rows invalidates (QueryBuilder, repository.update()/delete()). Default: none,
   * and such a change logs a warning naming the entity.
   */
  bulk?: (change: BulkChange) => Iterable<EvictionEntry>;
  /** Evict the same entries a second time this long after the first (readers on lagging replicas). Default: once. */
  again?: Duration;
}

/** What `invalidate(...)` returns. @example CacheKitTypeOrmModule.forRoot({ rules: [invalidate(Product, ({ row }) => [`product:${row.id}`])] }) */
export interface InvalidationRule<E = any> {
  readonly entity: EntityClass<E> | string;
  readonly entries: (change: EntityChange<E>) => Iterable<EvictionEntry>;
  readonly bulk?: (change: BulkChange) => Iterable<EvictionEntry>;
  readonly againMs?: number;
}

/**
 * Declares, once, what a committed change of an entity invalidates: tags and `defineCache` entries,
 * from the row before and after (so a product moving category evicts both categories' lists).
 * @example invalidate(Product, ({ row, before, after }) => [cacheEntry(productById, row.id), `category:${before?.categoryId}`, `category:${after?.categoryId}`])
 */
export function invalidate<E>(
  entity: EntityClass<E> | string,
  entries: (change: EntityChange<E>) => Iterable<EvictionEntry>,
  options: InvalidationRuleOptions = {},
): InvalidationRule<E> {
  if (typeof entity !== 'function' && (typeof entity !== 'string' || entity === '')) {
    throw new InvalidationRuleError(typeormMessages.invalidEntity(entity));
  }
  const name = typeof entity === 'string' ? entity : entity.name;
  if (typeof entries !== 'function') {
    throw new InvalidationRuleError(typeormMessages.invalidRuleFunction(name, 'the rule', entries));
  }
  if (options.bulk !== undefined && typeof options.bulk !== 'function') {
    throw new InvalidationRuleError(typeormMessages.invalidRuleFunction(name, "option 'bulk'", options.bulk));
  }
  const againMs =
    options.again === undefined ? undefined : parseDuration(options.again, `invalidate(${name}): option 'again'`);
  return Object.freeze({ entity, entries, bulk: options.bulk, againMs });
}

/**
 * The rules in force for this app: `forRoot({ rules })`, every `forFeature(rules)`, and what is added
 * at runtime.
 * @example moduleRef.get(InvalidationRegistry).add([invalidate(Tag, ({ row }) => [`tag:${row.id}`])])
 */
export class InvalidationRegistry {
  readonly #rules = new Set<InvalidationRule>();
  #byMetadata = new WeakMap<EntityMetadata, InvalidationRule[]>();
  readonly #log = new RateLimitedLogger(new Logger('CacheKitTypeOrm'));

  /** Adds rules; the returned function removes them again. */
  add(rules: readonly InvalidationRule[]): () => void {
    for (const rule of rules) this.#rules.add(rule);
    this.#byMetadata = new WeakMap();
    return () => {
      for (const rule of rules) this.#rules.delete(rule);
      this.#byMetadata = new WeakMap();
    };
  }

  /** Adds what `change` invalidates to `into`; a rule that throws is logged, never thrown (the write goes on). */
  collect(metadata: EntityMetadata, change: EntityChange | BulkChange, into: PendingEvictions): void {
    const bulk = !('row' in change);
    for (const rule of this.#rulesFor(metadata)) {
      const where = `invalidate(${change.entityName}${bulk ? ', { bulk }' : ''}) on ${change.kind}`;
      const produce = bulk ? rule.bulk : rule.entries;
      if (!produce) {
        this.#log.warn(`bulk:${change.entityName}`, typeormMessages.bulkWithoutHandler(change.entityName, change.kind));
        continue;
      }
      let targets: EvictionTargets;
      try {
        targets = new EvictionTargets().addEntries(produce(change as EntityChange & BulkChange), where);
      } catch (error) {
        this.#log.error(`rule:${change.entityName}`, typeormMessages.ruleThrew(where, error));
        continue;
      }
      into.record({ entity: change.entityName, kind: change.kind, bulk }, targets, rule.againMs);
    }
  }

  #rulesFor(metadata: EntityMetadata): InvalidationRule[] {
    let rules = this.#byMetadata.get(metadata);
    if (!rules) {
      rules = [...this.#rules].filter((rule) =>
        typeof rule.entity === 'string'
          ? rule.entity === metadata.name || rule.entity === metadata.targetName
          : metadata.inheritanceTree.includes(rule.entity),
      );
      this.#byMetadata.set(metadata, rules);
    }
    return rules;
  }
}
