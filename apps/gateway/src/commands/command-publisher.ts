import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { nameId } from '@tradeloop/kernel';
import { CATALOG, decodeMessage, formatFieldErrors, type Message, type MessageDataMap } from '@tradeloop/contracts';
import { claimIdempotencyKey, idempotencyKeyKept, markCommandSent, recordCommand, requestHashOf, type VerifiedApiKey } from '@tradeloop/persistence';
import { GATEWAY_OPTIONS, type ResolvedGatewayOptions } from '../gateway.options';
import { CommandNotPublishedError, fieldProblem, IdempotencyKeyReusedError, RequestValidationError } from '../http/problems';
import type { CommandAcceptedView } from './command.dto';

export const GATEWAY_SOURCE = 'gateway';

export type CommandType =
  | 'SubmitManualOrder'
  | 'ApproveOrder'
  | 'RejectOrder'
  | 'HaltTrading'
  | 'ResumeTrading'
  | 'SetExecutionMode'
  | 'CancelOrder';

export interface CommandRequest {
  readonly caller: VerifiedApiKey;
  readonly idempotencyKey?: string;
  /** What the command acts on (an approval or order id), so one Idempotency-Key reused on another target is another command. */
  readonly target?: string;
}

/**
 * The command id an Idempotency-Key names when a request claims it at `claimedAt` (wall-clock
 * epoch ms): a pure function of the API key's id, the command type, its target, the client's key
 * and the claim's time. Scoped by API key so two clients cannot collide. A retry gets the id the
 * key's row holds, so it publishes the same id and JetStream's Nats-Msg-Id de-duplication keeps
 * one. The claim's time is in it because a key is kept only for IDEMPOTENCY_KEY_TTL_MS: the next
 * command under the same key, after that, must not carry the first one's id (the services would
 * take it for a repeat, and the order ids derived from it would already be taken).
 */
export function commandIdFor(apiKeyId: string, type: CommandType, idempotencyKey: string, claimedAt: number, target = ''): string {
  return nameId(`gateway|${apiKeyId}|${type}|${target}|${idempotencyKey}|${claimedAt}`);
}

function withoutUndefined<T extends object>(data: T): T {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as T;
}

/** Builds command envelopes, checks them against the contract and hands them to the sink. */
@Injectable()
export class CommandPublisher {
  private readonly logger = new Logger('Gateway');

  constructor(@Inject(GATEWAY_OPTIONS) private readonly options: ResolvedGatewayOptions) {}

  /**
   * The command's envelope, checked against its contract. `claimedAt` (wall-clock ms) is when a
   * request with an Idempotency-Key claims it: the key's command id is derived from it.
   */
  envelopeFor<T extends CommandType>(type: T, data: MessageDataMap[T], request: CommandRequest, ts: number, claimedAt: number): Message<T> {
    const id =
      request.idempotencyKey === undefined
        ? randomUUID()
        : commandIdFor(request.caller.id, type, request.idempotencyKey, claimedAt, request.target);
    const envelope = {
      id,
      type,
      version: CATALOG[type].version,
      ts,
      correlationId: id,
      causationId: id,
      account: this.options.account,
      source: GATEWAY_SOURCE,
      data: withoutUndefined(data),
    };
    // The DTOs are stricter than the schemas, so this only fails if the two drift apart: the
    // bus must never carry a command its consumers would reject.
    const decoded = decodeMessage(envelope);
    if (!decoded.ok) {
      const dataErrors = decoded.error.filter((e) => e.path.startsWith('data.'));
      if (dataErrors.length === decoded.error.length) {
        throw new RequestValidationError(dataErrors.map((e) => fieldProblem(e.path.slice('data.'.length), 'body', e.message)));
      }
      throw new Error(`gateway built an invalid ${type} envelope: ${formatFieldErrors(decoded.error)}`);
    }
    return envelope as unknown as Message<T>;
  }

  async publish<T extends CommandType>(type: T, data: MessageDataMap[T], request: CommandRequest): Promise<CommandAcceptedView> {
    const claimedAt = this.options.wallClock();
    let envelope = this.envelopeFor(type, data, request, await this.options.clock(), claimedAt);
    if (request.idempotencyKey !== undefined) {
      const commandId = await this.claim(type, envelope, request, request.idempotencyKey, claimedAt);
      // A retry: the command the key names (claimed earlier, so under an earlier time's id).
      if (commandId !== envelope.id) envelope = { ...envelope, id: commandId, correlationId: commandId, causationId: commandId };
    }
    // Recorded before it is sent, so GET /v1/commands/<id> knows every command a client was
    // given an id for (one the bus never acknowledged, answered 503, reads not_sent). Best effort:
    // a halt must reach the bus even while PostgreSQL is down.
    await this.bestEffort(envelope.id, () =>
      recordCommand(this.options.dataSource, {
        commandId: envelope.id,
        account: this.options.account,
        type,
        target: request.target ?? null,
        requestedBy: request.caller.name,
        ts: envelope.ts,
        data: envelope.data,
        createdAt: claimedAt,
      }),
    );
    // A retry publishes again under the same id: if the first attempt never reached the bus
    // (503), this one does; if it did, the bus stores the id once.
    await this.send(envelope as unknown as Message);
    await this.bestEffort(envelope.id, () => markCommandSent(this.options.dataSource, envelope.id, this.options.wallClock()));
    this.logger.log(`published ${type} ${envelope.id} by "${request.caller.name}"`);
    return { commandId: envelope.id, type, correlationId: envelope.correlationId };
  }

  /**
   * Whether the request's Idempotency-Key still names a command of this type on this target.
   * Routes that refuse a decided target (409: a cancelled order, a granted approval) ask first:
   * then the request is a retry, answered as the first one was (`publish`: 202 with the same
   * command id), or a reuse of the key for something else (422) — not a conflict with the state
   * its own first attempt may have brought about.
   */
  async keyKept(type: CommandType, request: CommandRequest): Promise<boolean> {
    if (request.idempotencyKey === undefined) return false;
    return idempotencyKeyKept(this.options.dataSource, {
      apiKeyId: request.caller.id,
      commandType: type,
      target: request.target ?? '',
      idempotencyKey: request.idempotencyKey,
      now: this.options.wallClock(),
      ttlMs: this.options.idempotencyKeyTtlMs,
    });
  }

  /**
   * Ties the key to this request on first use (or once its earlier use expired) and returns the
   * command id the key names; refuses a different request under a key still kept.
   *
   * Keys expire by the wall clock, not by the commands' clock (`options.clock`). With
   * TIMER_CLOCK=event that is the time of the market data being replayed: at 60× a day of it
   * passes in 24 minutes of a client's retries; it stands still when a replay ends, so keys would
   * never expire and the table would grow for good; it jumps over quiet stretches, and a new
   * replay of older data starts it years back. A retention is a promise about retries and about
   * storage, and both happen in wall time.
   */
  private async claim(
    type: CommandType,
    envelope: { id: string; data: unknown },
    request: CommandRequest,
    key: string,
    now: number,
  ): Promise<string> {
    const outcome = await claimIdempotencyKey(this.options.dataSource, {
      apiKeyId: request.caller.id,
      commandType: type,
      target: request.target ?? '',
      idempotencyKey: key,
      requestHash: requestHashOf(envelope.data),
      commandId: envelope.id,
      now,
      ttlMs: this.options.idempotencyKeyTtlMs,
    });
    if (outcome.kind === 'conflict') {
      this.logger.warn(`${type} refused: Idempotency-Key of command ${outcome.commandId} reused with a different request by "${request.caller.name}"`);
      throw new IdempotencyKeyReusedError(outcome.commandId, type, outcome.firstUsedAt + this.options.idempotencyKeyTtlMs);
    }
    return outcome.kind === 'repeat' ? outcome.commandId : envelope.id;
  }

  private async bestEffort(commandId: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.logger.warn(`command ${commandId} not recorded (GET /v1/commands will not know it): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async send(envelope: Message): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no acknowledgement within ${this.options.sinkTimeoutMs} ms`)),
        this.options.sinkTimeoutMs,
      );
    });
    try {
      await Promise.race([this.options.sink.send(envelope), timeout]);
    } catch (err) {
      this.logger.warn(`${envelope.type} ${envelope.id} not published: ${err instanceof Error ? err.message : String(err)}`);
      throw new CommandNotPublishedError(envelope.id, envelope.type);
    } finally {
      clearTimeout(timer);
    }
  }
}
