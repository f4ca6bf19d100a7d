// One rule and one message for a namespace, whether the module or the Keyv store checks it.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { CacheKitOptionsError } from '../../lib/index.js';
import { CacheKitKeyvStore } from '../../lib/keyv/index.js';
import { resolveOptions } from '../../lib/options/cachekit-options.validator.js';

const client = new Redis({ lazyConnect: true });
afterAll(() => client.disconnect());

const viaModule = (namespace: unknown) => () => resolveOptions({ namespace: namespace as string });
const viaKeyv = (namespace: unknown) => () => new CacheKitKeyvStore(client, { cacheNamespace: namespace as string });

describe('namespace rule', () => {
  it.each(['a', 'shop', 'tenant_1.eu-west', 'x'.repeat(32)])('accepts %j in both places', (namespace) => {
    expect(resolveOptions({ namespace }).namespace).toBe(namespace);
    expect(viaKeyv(namespace)().opts.cacheNamespace).toBe(namespace);
  });

  it.each(['', 'x'.repeat(33), 'a:b', '{shop}', 'a b', 'caf\u00e9', 'a*', 42, null])(
    'rejects %j in both places with the same message',
    (namespace) => {
      const rule = /must be 1 to 32 letters, digits, '_', '-' or '\.'.*; got /;
      expect(viaModule(namespace)).toThrow(CacheKitOptionsError);
      expect(viaKeyv(namespace)).toThrow(CacheKitOptionsError);
      expect(viaModule(namespace)).toThrow(new RegExp(`^Option 'namespace' ${rule.source}`));
      expect(viaKeyv(namespace)).toThrow(new RegExp(`^CacheKitKeyvStore option 'cacheNamespace' .*${rule.source}`));
    },
  );
});
