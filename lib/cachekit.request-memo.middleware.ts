import { Injectable, NestMiddleware } from '@nestjs/common';
import { CacheKit } from './cachekit.service.js';

/**
 * Starts a per-request memo for each HTTP request (with the module option `requestMemo: true`).
 * @example configure(consumer: MiddlewareConsumer) { consumer.apply(CacheKitRequestMemo).forRoutes('*'); }
 */
@Injectable()
export class CacheKitRequestMemo implements NestMiddleware {
  constructor(private readonly cacheKit: CacheKit) {}

  use(_request: unknown, _response: unknown, next: (error?: unknown) => void): void {
    this.cacheKit.runWithRequestMemo(() => next());
  }
}
