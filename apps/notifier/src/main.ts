/** The notifier: logs what a person should hear about and POSTs it to NOTIFIER_WEBHOOK_URL if set. */
import { ServiceRunner } from '@tradeloop/service';
import { notifierDecider, notifierEffects, runServiceMain, runnerWorker } from '@tradeloop/nest-service';

runServiceMain({
  name: 'notifier',
  worker: (infra) => {
    const runner = new ServiceRunner({
      service: 'notifier',
      decider: notifierDecider,
      nc: infra.nc,
      topo: infra.topo,
      metrics: infra.metrics,
      log: infra.log,
      effects: notifierEffects({ log: infra.log, webhookUrl: infra.env.NOTIFIER_WEBHOOK_URL }),
    });
    return runnerWorker(runner);
  },
});
