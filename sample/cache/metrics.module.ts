import { Controller, Get, Header, Module } from '@nestjs/common';
import { Registry } from 'prom-client';

/**
 * `GET /metrics`: CacheKit's metrics in the Prometheus text format, from a registry of this app's
 * own (so two apps in one process, as in the tests, never share one).
 */
@Controller()
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The app's prom-client registry, injected by type, and the endpoint that exposes it. */
@Module({
  providers: [{ provide: Registry, useFactory: () => new Registry() }],
  controllers: [MetricsController],
  exports: [Registry],
})
export class MetricsModule {}
