/** The executor service: its decider from libs/domain on JetStream, /health and /metrics (see README "Services"). */
import { runServiceMain } from '@tradeloop/nest-service';

runServiceMain({ name: 'executor' });
