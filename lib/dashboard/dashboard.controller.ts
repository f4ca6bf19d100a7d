import {
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  Header,
  MessageEvent,
  Sse,
  Type,
  UseGuards,
} from '@nestjs/common';
import { Observable, map } from 'rxjs';
import { DashboardSampler } from './dashboard-sampler.js';
import type { ResolvedDashboardOptions } from './dashboard.options.js';
import { PAGE_CSS } from './page/page.css.js';
import { pageHtml } from './page/page.html.js';
import { PAGE_SCRIPT } from './page/page.script.js';
import { uplotAssets } from './uplot-assets.js';

/** A guard from a predicate on the request. */
class PredicateGuard implements CanActivate {
  constructor(private readonly allow: (request: unknown) => boolean | Promise<boolean>) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    return this.allow(context.switchToHttp().getRequest());
  }
}

function guardOf(guard: ResolvedDashboardOptions['guard']): Type<CanActivate> | CanActivate | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'object') return guard;
  // A class has a prototype with canActivate; a plain predicate does not.
  if ((guard as Type<CanActivate>).prototype?.canActivate) return guard as Type<CanActivate>;
  return new PredicateGuard(guard as (request: unknown) => boolean);
}

/**
 * The page's controller, made for one mount path and guard (decorators need both at class
 * definition): the page, its script and styles, uPlot, a snapshot and the server-sent events.
 */
export function createDashboardController(options: ResolvedDashboardOptions): Type<unknown> {
  const guard = guardOf(options.guard);
  const guards = guard ? [guard] : [];
  const base = options.path;

  @Controller(base)
  @UseGuards(...guards)
  class CacheKitDashboardController {
    constructor(private readonly sampler: DashboardSampler) {}

    @Get()
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Cache-Control', 'no-store')
    page(): string {
      return pageHtml(base === '/' ? '' : base);
    }

    @Get('page.js')
    @Header('Content-Type', 'text/javascript; charset=utf-8')
    script(): string {
      return PAGE_SCRIPT;
    }

    @Get('page.css')
    @Header('Content-Type', 'text/css; charset=utf-8')
    css(): string {
      return PAGE_CSS;
    }

    @Get('uplot.js')
    @Header('Content-Type', 'text/javascript; charset=utf-8')
    @Header('Cache-Control', 'max-age=3600')
    uplot(): string {
      return uplotAssets().script;
    }

    @Get('uplot.css')
    @Header('Content-Type', 'text/css; charset=utf-8')
    @Header('Cache-Control', 'max-age=3600')
    uplotCss(): string {
      return uplotAssets().css;
    }

    @Get('snapshot')
    @Header('Cache-Control', 'no-store')
    snapshot() {
      return this.sampler.snapshot();
    }

    @Sse('events')
    events(): Observable<MessageEvent> {
      return this.sampler.messages$.pipe(map((message) => ({ type: message.type, data: message.data })));
    }
  }
  return CacheKitDashboardController;
}
