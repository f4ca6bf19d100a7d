import { Logger } from '@nestjs/common';
import { vi } from 'vitest';
import { EntryCodec } from '../../lib/engine/entry/entry-codec.js';
import { RateLimitedLogger } from '../../lib/observability/rate-limited-logger.js';
import { Compression } from '../../lib/serialization/compression.js';
import { CacheSerializer } from '../../lib/serialization/serializer.interface.js';

/** An EntryCodec over `serializer` with a 1 MiB value limit, no compression and its warnings silenced. */
export function quietCodec(serializer: CacheSerializer, loggerName: string): EntryCodec {
  const logger = new Logger(loggerName);
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  return new EntryCodec(
    serializer,
    1 << 20,
    new RateLimitedLogger(logger, 0),
    () => undefined,
    new Compression(Infinity, 1 << 26),
  );
}
