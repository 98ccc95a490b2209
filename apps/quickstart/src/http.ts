import { Controller, Get, Header, Inject, Module, Res, type DynamicModule } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { ServiceMetrics } from '@tradeloop/service';

export const QUICKSTART_HTTP = Symbol('QUICKSTART_HTTP');

/** What /health and /metrics of the quickstart report on. */
export interface QuickstartHttpContext {
  readonly metrics: ServiceMetrics;
  /** 200 when `healthy`, 503 otherwise; the rest is the body. */
  health(): Promise<{ healthy: boolean } & Record<string, unknown>>;
}

/** The part of Express's response these controllers use. */
interface Response {
  status(code: number): { json(body: unknown): void };
  setHeader(name: string, value: string): void;
  send(body: string): void;
}

@ApiExcludeController()
@Controller()
export class QuickstartHealthController {
  constructor(@Inject(QUICKSTART_HTTP) private readonly ctx: QuickstartHttpContext) {}

  /** 200 when the bus, the store and every stage are up; 503 otherwise, with what is wrong. */
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const { healthy, ...body } = await this.ctx.health();
    res.status(healthy ? 200 : 503).json({ service: 'quickstart', status: healthy ? 'ok' : 'error', ...body });
  }
}

@ApiExcludeController()
@Controller()
export class QuickstartMetricsController {
  constructor(@Inject(QUICKSTART_HTTP) private readonly ctx: QuickstartHttpContext) {}

  /** Every service's series in one registry, told apart by the `service` label. */
  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: Response): Promise<void> {
    const registry = this.ctx.metrics.registry;
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  }
}

/** /health and /metrics beside the gateway's /v1 API in the quickstart's one HTTP app. */
@Module({})
export class QuickstartHttpModule {
  static forContext(ctx: QuickstartHttpContext, imports: DynamicModule[]): DynamicModule {
    return {
      module: QuickstartHttpModule,
      imports,
      controllers: [QuickstartHealthController, QuickstartMetricsController],
      providers: [{ provide: QUICKSTART_HTTP, useValue: ctx }],
    };
  }
}

