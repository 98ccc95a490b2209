import { DeciderHost, Envelope } from '@tradeloop/kernel';
import { CATALOG } from '@tradeloop/contracts';

export type Observer = (m: Envelope) => void;

interface TimerSlot {
  readonly host: DeciderHost<unknown>;
  at: number;
}

/** A consumer of one message type; `timed` caches whether its decider has wakeAt. */
interface Route {
  readonly host: DeciderHost<unknown>;
  readonly timed: boolean;
}

const NO_ROUTES: readonly Route[] = [];

/**
 * The in-process transport: delivers every message FIFO, one at a time, to the hosts that
 * consume its type, and queues their outputs behind whatever is already waiting. Ordering is
 * a pure function of the input order, so a run is reproducible byte for byte.
 *
 * Time is event time: the bus's clock is the ts of the newest message it has seen. Deciders
 * with `wakeAt` get a TimerFired (ts = the wake time) before the first message whose ts has
 * passed it — the simulated clock of a backtest or replay.
 */
export class InProcessBus {
  private readonly routes = new Map<string, Route[]>();
  /** The routes of the last type delivered: runs of one type (bars) skip the map. */
  private lastType = '';
  private lastRoutes: readonly Route[] = NO_ROUTES;
  private readonly observers: Observer[] = [];
  private readonly timers: TimerSlot[] = [];
  private nextWake = Number.POSITIVE_INFINITY;
  private readonly queue: Envelope[] = [];
  private head = 0;
  private draining = false;
  private clock = Number.NEGATIVE_INFINITY;

  constructor(private readonly account: string) {}

  /** Event time of the newest message seen. */
  get now(): number {
    return this.clock;
  }

  register(host: DeciderHost<any, any, any>): this {
    for (const type of host.decider.consumes) {
      if (!(type in CATALOG)) throw new Error(`${host.decider.name} consumes unknown message type ${type}`);
      let list = this.routes.get(type);
      if (!list) this.routes.set(type, (list = []));
      list.push({ host, timed: Boolean(host.decider.wakeAt) });
    }
    this.lastType = '';
    this.lastRoutes = NO_ROUTES;
    if (host.decider.wakeAt) this.timers.push({ host, at: Number.POSITIVE_INFINITY });
    return this;
  }

  /** Observers see every message (inputs and outputs) in delivery order. */
  observe(observer: Observer): this {
    this.observers.push(observer);
    return this;
  }

  /** Publishes and delivers everything that follows from `m` before returning. */
  publish(m: Envelope): void {
    if (this.draining) {
      this.queue.push(m);
      return;
    }
    this.draining = true;
    try {
      // The common case — a bar nobody reacts to — never touches the queue.
      if (m.ts >= this.nextWake) this.fireTimers(m.ts);
      this.deliver(m);
      const q = this.queue;
      while (this.head < q.length) {
        const next = q[this.head++];
        if (next.ts >= this.nextWake) this.fireTimers(next.ts);
        this.deliver(next);
      }
    } finally {
      if (this.queue.length !== 0) this.queue.length = 0;
      this.head = 0;
      this.draining = false;
    }
  }

  private deliver(m: Envelope): void {
    if (m.ts > this.clock) this.clock = m.ts;
    const obs = this.observers;
    for (let i = 0; i < obs.length; i++) obs[i](m);
    const type = m.type;
    let routes = this.lastRoutes;
    if (type !== this.lastType) {
      routes = this.routes.get(type) ?? NO_ROUTES;
      this.lastType = type;
      this.lastRoutes = routes;
    }
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i];
      const outs = r.host.handle(m);
      for (let j = 0; j < outs.length; j++) this.queue.push(outs[j]);
      if (r.timed) this.rearm(r.host);
    }
  }

  private rearm(host: DeciderHost<unknown>): void {
    let min = Number.POSITIVE_INFINITY;
    for (const t of this.timers) {
      if (t.host === host) t.at = host.wakeAt() ?? Number.POSITIVE_INFINITY;
      if (t.at < min) min = t.at;
    }
    this.nextWake = min;
  }

  /** Delivers TimerFired to every host whose wake time has passed, earliest first. */
  private fireTimers(now: number): void {
    for (;;) {
      let due: TimerSlot | undefined;
      for (const t of this.timers) if (t.at <= now && (due === undefined || t.at < due.at)) due = t;
      if (!due) return;
      const at = due.at;
      const name = due.host.decider.name;
      const timer: Envelope = {
        id: `timer:${name}:${at}`,
        type: 'TimerFired',
        version: CATALOG.TimerFired.version,
        ts: at,
        correlationId: `timer:${name}:${at}`,
        causationId: `timer:${name}:${at}`,
        account: this.account,
        source: 'clock',
        data: { at },
      };
      if (at > this.clock) this.clock = at;
      const obs = this.observers;
      for (let i = 0; i < obs.length; i++) obs[i](timer);
      const outs = due.host.handle(timer);
      due.at = Number.POSITIVE_INFINITY;
      this.rearm(due.host);
      // A wake time that does not move would loop forever: a decider bug, not a reason to hang.
      if (due.at <= at) due.at = Number.POSITIVE_INFINITY;
      for (let j = 0; j < outs.length; j++) this.queue.push(outs[j]);
      this.nextWake = Math.min(...this.timers.map((t) => t.at));
    }
  }
}
