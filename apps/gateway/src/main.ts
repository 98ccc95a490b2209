/**
 * The gateway: REST API with OpenAPI at /docs (see apps/gateway/README.md), API keys with
 * scopes, commands published to the CMD stream, queries on the PostgreSQL read models;
 * /health and /metrics like every service.
 */
import { jetstream } from '@nats-io/jetstream';
import { JetStreamPublisher } from '@tradeloop/transport-nats';
import { runServiceMain } from '@tradeloop/nest-service';
import { GatewayModule, configureGateway, setupOpenApi, type CommandSink } from './index';
import { marketDataClock } from './event-clock';
import { marketDataPrices } from './market-prices';

runServiceMain({
  name: 'gateway',
  imports: (infra) => {
    const publisher = new JetStreamPublisher(jetstream(infra.nc), infra.topo);
    const sink: CommandSink = {
      async send(command) {
        await publisher.publish(command);
        infra.metrics.observeOutput(command);
      },
    };
    // Replayed data (TIMER_CLOCK=event): commands carry the replay's time, as the services' clocks
    // do (event-clock.ts); live feeds (wall): the wall clock, which is then the event time.
    const clock = infra.env.TIMER_CLOCK === 'event' ? marketDataClock(infra.nc, infra.topo) : undefined;
    return [
      GatewayModule.forRoot({
        dataSource: infra.ds!,
        sink,
        account: infra.env.ACCOUNT,
        idempotencyKeyTtlMs: infra.env.IDEMPOTENCY_KEY_TTL_MS,
        marketPrices: marketDataPrices(infra.nc, infra.topo),
        ...(clock && { clock }),
      }),
    ];
  },
  configure: (app) => {
    configureGateway(app);
    setupOpenApi(app);
  },
});
