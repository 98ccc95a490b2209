import { clientOrderIdFor, Decider, deriveId, NO_OUTPUTS } from '@tradeloop/kernel';
import { draft, Message, OrderSubmittedData } from '@tradeloop/contracts';
import { ExecutorConfig, resolveExecutorConfig, ResolvedExecutorConfig } from './executor.config';
import { Handoff } from './executor.handoff';
import { onBar } from './executor.matching';
import {
  brokerOrderIdFor,
  Building,
  CANCEL_REASONS,
  cancelDraft,
  EXECUTOR_NAME,
  ExecutorInput,
  ExecutorOutput,
} from './executor.outputs';
import { evolveExecutor, ExecutorState, initialExecutorState, isWorking } from './executor.state';
import { marketProblem, rejectionOf } from './executor.validation';

/**
 * The executor: places each approved order exactly once with the paper broker, matches working
 * orders against closed bars, and keeps positions and the account. See README.md, "The paper broker".
 */
export function createExecutor(config: Partial<ExecutorConfig> = {}): Decider<ExecutorState, ExecutorInput, ExecutorOutput> {
  const cfg = resolveExecutorConfig(config);
  // Results decide hands to evolve for its own fills (a cache; see executor.handoff.ts).
  const handoff = new Handoff();
  return {
    name: EXECUTOR_NAME,
    consumes: ['OrderApproved', 'BarClosed', 'TradingStateChanged', 'CancelOrder'],
    initialState: () => initialExecutorState(cfg),
    evolve: (state, message) => evolveExecutor(cfg, state, message, handoff),
    decide(input: ExecutorInput, state: ExecutorState): readonly ExecutorOutput[] {
      switch (input.type) {
        case 'BarClosed':
          return onBar(cfg, input, state, handoff);
        case 'OrderApproved':
          return onApproved(cfg, input, state);
        case 'TradingStateChanged':
          return onTradingState(input, state);
        case 'CancelOrder':
          return onCancel(input, state);
        default: {
          const _exhaustive: never = input;
          return _exhaustive;
        }
      }
    },
  };
}

function onApproved(cfg: ResolvedExecutorConfig, input: Message<'OrderApproved'>, state: ExecutorState): readonly ExecutorOutput[] {
  // Invariant 1: one broker order per approved order, even if the approval is delivered twice.
  if (state.approvedIds.has(input.id)) return NO_OUTPUTS;
  const spec = input.data.order;
  const orderId = deriveId(input.id, EXECUTOR_NAME, 0);
  const clientOrderId = clientOrderIdFor(input.id);
  // Built by branch, not with spreads in the literal (slow on V8); the key order is the wire order.
  const data: Building<OrderSubmittedData> = {
    orderId,
    clientOrderId,
    approvedOrderId: input.id,
    riskApprovalId: input.data.riskApprovalId,
    venue: spec.venue,
    symbol: spec.symbol,
    side: spec.side,
    type: spec.type,
    quantity: spec.quantity,
  };
  if (spec.limitPrice !== undefined) data.limitPrice = spec.limitPrice;
  if (spec.stopPrice !== undefined) data.stopPrice = spec.stopPrice;
  data.timeInForce = spec.timeInForce;
  data.role = 'entry';
  data.origin = spec.origin;
  if (spec.strategy !== undefined) data.strategy = spec.strategy;
  const submitted = draft('OrderSubmitted', data as OrderSubmittedData);
  const reason = rejectionOf(cfg, state, spec) ?? marketProblem(cfg, state, spec, input.data.referencePrice, input.data.approvalId !== undefined);
  const symbol = spec.symbol;
  return [
    submitted,
    reason === undefined
      ? draft('OrderAccepted', { orderId, clientOrderId, symbol, brokerOrderId: brokerOrderIdFor(clientOrderId) })
      : draft('OrderRejected', { orderId, clientOrderId, symbol, reason }),
  ];
}

/**
 * Kill switch: cancel every working entry order. Protective stop-loss/take-profit children of
 * open positions stay: they can only reduce risk, and cancelling them would leave positions
 * unprotected while trading is halted.
 */
function onTradingState(input: Message<'TradingStateChanged'>, state: ExecutorState): readonly ExecutorOutput[] {
  if (!input.data.cancelWorkingOrders) return NO_OUTPUTS;
  const out: ExecutorOutput[] = [];
  for (const b of state.bookList) {
    for (const o of b.working) if (o.role === 'entry') out.push(cancelDraft(o, CANCEL_REASONS.killSwitch));
  }
  return out.length === 0 ? NO_OUTPUTS : out;
}

function onCancel(input: Message<'CancelOrder'>, state: ExecutorState): readonly ExecutorOutput[] {
  const key = input.data.orderId;
  const o = state.orders.get(key) ?? state.orders.get(state.clientOrderIds.get(key) ?? '');
  if (o === undefined || !isWorking(o)) return NO_OUTPUTS;
  return [cancelDraft(o, CANCEL_REASONS.manual)];
}
