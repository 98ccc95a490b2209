import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { nameId } from '@tradeloop/kernel';
import { CATALOG, decodeMessage, formatFieldErrors, type Message, type MessageDataMap } from '@tradeloop/contracts';
import { claimIdempotencyKey, requestHashOf, type VerifiedApiKey } from '@tradeloop/persistence';
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
 * The command id for an Idempotency-Key: a pure function of the API key's id, the command type,
 * its target and the client's key, so a retry publishes the same id and JetStream's
 * Nats-Msg-Id de-duplication keeps one. Scoped by API key so two clients cannot collide.
 */
export function commandIdFor(apiKeyId: string, type: CommandType, idempotencyKey: string, target = ''): string {
  return nameId(`gateway|${apiKeyId}|${type}|${target}|${idempotencyKey}`);
}

function withoutUndefined<T extends object>(data: T): T {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as T;
}

/** Builds command envelopes, checks them against the contract and hands them to the sink. */
@Injectable()
export class CommandPublisher {
  private readonly logger = new Logger('Gateway');

  constructor(@Inject(GATEWAY_OPTIONS) private readonly options: ResolvedGatewayOptions) {}

  envelopeFor<T extends CommandType>(type: T, data: MessageDataMap[T], request: CommandRequest, ts: number): Message<T> {
    const id =
      request.idempotencyKey === undefined
        ? randomUUID()
        : commandIdFor(request.caller.id, type, request.idempotencyKey, request.target);
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
    const envelope = this.envelopeFor(type, data, request, await this.options.clock());
    if (request.idempotencyKey !== undefined) await this.claim(type, envelope, request, request.idempotencyKey);
    // A retry publishes again under the same id: if the first attempt never reached the bus
    // (503), this one does; if it did, the bus stores the id once.
    await this.send(envelope as unknown as Message);
    this.logger.log(`published ${type} ${envelope.id} by "${request.caller.name}"`);
    return { commandId: envelope.id, type, correlationId: envelope.correlationId };
  }

  /** Ties the key to this request on first use; refuses a different request under a used key. */
  private async claim(type: CommandType, envelope: { id: string; ts: number; data: unknown }, request: CommandRequest, key: string): Promise<void> {
    const outcome = await claimIdempotencyKey(this.options.dataSource, {
      apiKeyId: request.caller.id,
      commandType: type,
      target: request.target ?? '',
      idempotencyKey: key,
      requestHash: requestHashOf(envelope.data),
      commandId: envelope.id,
      now: envelope.ts,
    });
    if (outcome.kind === 'conflict') {
      this.logger.warn(`${type} refused: Idempotency-Key of command ${outcome.commandId} reused with a different request by "${request.caller.name}"`);
      throw new IdempotencyKeyReusedError(outcome.commandId, type);
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
