import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Logger } from '@nestjs/common';
import type { MarketDataMessage } from '@tradeloop/contracts';
import { dec } from '@tradeloop/kernel';
import { decodeBatch, marketDataSubject, type Topology } from '@tradeloop/transport-nats';

/** A market's last price and the event time it was seen at. */
export interface MarketPrice {
  /** Exact decimal string. */
  readonly price: string;
  readonly ts: number;
}

/**
 * The last price of a market (venue, symbol), or null when none is known. Used to show a person
 * deciding an approval how far the market has moved from the price risk approved it at.
 */
export type MarketPrices = (venue: string, symbol: string) => Promise<MarketPrice | null>;

/**
 * The last price in a batch as risk and the executor mark a market: the last bar's mid
 * ((bid close + ask close) / 2; the close of trade bars), a quote's mid, a trade's price.
 */
export function lastPriceOf(messages: readonly MarketDataMessage[]): MarketPrice | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    switch (m.type) {
      case 'BarClosed':
        return { price: m.data.askClose === undefined ? dec(m.data.close).toString() : dec(m.data.close).plus(m.data.askClose).div(2).toString(), ts: m.ts };
      case 'QuoteTick':
        return { price: dec(m.data.bid).plus(m.data.ask).div(2).toString(), ts: m.ts };
      case 'TradeTick':
        return { price: dec(m.data.price).toString(), ts: m.ts };
      default:
        break;
    }
  }
  return null;
}

/**
 * Market prices from the MD stream: the last batch stored on the market's subject
 * (`md.batch.<venue>.<symbol>`), one direct lookup per market asked about — as the event clock
 * reads the stream's last message rather than following the heaviest traffic there is. A market
 * with no data, or a lookup that fails, has no price: the approval is still listed, without it.
 */
export function marketDataPrices(nc: NatsConnection, topo: Topology): MarketPrices {
  let jsm: Promise<JetStreamManager> | undefined;
  const logger = new Logger('Gateway');
  return async (venue, symbol) => {
    try {
      const m = await (jsm ??= jetstreamManager(nc));
      const stored = await m.streams.getMessage(topo.streams.MD.name, { last_by_subj: marketDataSubject(topo, venue, symbol) });
      if (stored === null) return null;
      const batch = decodeBatch(stored.data);
      return batch.ok ? lastPriceOf(batch.value.messages) : null;
    } catch (err) {
      logger.warn(`no market price for ${symbol}@${venue}: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  };
}
