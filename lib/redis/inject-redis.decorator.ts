import { Inject } from '@nestjs/common';
import { CACHEKIT_REDIS } from './redis.constants.js';

/**
 * Injects the module's ioredis client (a Redis or Cluster; null when no `redis` option is set).
 * @example constructor(@InjectRedis() private readonly redis: Redis) {}
 */
export const InjectRedis = (): ParameterDecorator & PropertyDecorator => Inject(CACHEKIT_REDIS);
