import 'reflect-metadata';
import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKitModule, Cacheable } from '../../lib/index.js';
import { DigestJob, DigestModule } from '../fixtures/cron-job.fixture.js';
import { OrderEventsModule, OrderListener } from '../fixtures/event-listener.fixture.js';
import { CatalogueController, CatalogueHttpModule } from '../fixtures/http-controller.fixture.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

let app: INestApplicationContext | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('@Cacheable with other method decorators, in both orders', () => {
  it('@Get: a real HTTP route runs its handler once for two requests', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheKitModule.forRoot({ redis: inject('redisUrl'), namespace: uniqueNamespace() }),
        CatalogueHttpModule,
      ],
    }).compile();
    const http: INestApplication = moduleRef.createNestApplication({ logger: false });
    app = http;
    await http.listen(0, '127.0.0.1');
    for (const route of ['above', 'below'] as const) {
      const first = await request(http.getHttpServer()).get(`/catalogue/${route}/7`).expect(200);
      const second = await request(http.getHttpServer()).get(`/catalogue/${route}/7`).expect(200);
      // ParseIntPipe ran before the cache saw the argument: the key is the number 7.
      expect(first.body).toEqual({ id: 7, handled: 1 });
      expect(second.body).toEqual(first.body);
    }
    expect(http.get(CatalogueController).handled).toEqual({ above: 1, below: 1 });
  });

  it('@OnEvent: the listener is subscribed, runs, and is cached', async () => {
    app = await bootApp(
      { namespace: uniqueNamespace() },
      { imports: [EventEmitterModule.forRoot(), OrderEventsModule] },
    );
    const events = app.get(EventEmitter2);
    for (const route of ['above', 'below'] as const) {
      expect(await events.emitAsync(`order.placed.${route}`, { orderId: 5 })).toEqual(['summary of 5']);
      expect(await events.emitAsync(`order.placed.${route}`, { orderId: 5 })).toEqual(['summary of 5']);
    }
    expect(app.get(OrderListener).handled).toEqual({ above: 1, below: 1 });
  });

  it('@Cron: the job is registered, and its ticks go through the cache', async () => {
    app = await bootApp({ namespace: uniqueNamespace() }, { imports: [ScheduleModule.forRoot(), DigestModule] });
    const registry = app.get(SchedulerRegistry);
    expect([...registry.getCronJobs().keys()].sort()).toEqual(['digest-above', 'digest-below']);
    for (const name of ['digest-above', 'digest-below']) {
      await registry.getCronJob(name).fireOnTick();
      await registry.getCronJob(name).fireOnTick();
    }
    expect(app.get(DigestJob).ran).toEqual({ above: 1, below: 1 });
  });
});

describe('the trampoline', () => {
  it('keeps the method name', () => {
    expect(CatalogueController.prototype.above.name).toBe('above');
    expect(CatalogueController.prototype.below.name).toBe('below');
    expect(OrderListener.prototype.onPlacedAbove.name).toBe('onPlacedAbove');
  });

  it('carries every metadata key the original had when it was wrapped, with its value', () => {
    const seen: { original?: Function } = {};
    // Records metadata on the function it is given, and remembers that function.
    const Tagged =
      (value: string): MethodDecorator =>
      (_target, _key, descriptor) => {
        seen.original ??= descriptor.value as Function;
        Reflect.defineMetadata('test:tag', value, descriptor.value as object);
        Reflect.defineMetadata(Symbol.for('test:symbol-key'), [value], descriptor.value as object);
      };

    class Report {
      @Cacheable({ name: 'report.tagged' })
      @Tagged('first')
      async build(): Promise<number> {
        return 1;
      }
    }

    const original = seen.original!;
    const trampoline = Report.prototype.build;
    expect(trampoline).not.toBe(original);
    const keys = Reflect.getMetadataKeys(original);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) expect(Reflect.getMetadata(key, trampoline)).toEqual(Reflect.getMetadata(key, original));
    expect(Reflect.getMetadataKeys(trampoline)).toEqual(expect.arrayContaining(keys));
  });
});
