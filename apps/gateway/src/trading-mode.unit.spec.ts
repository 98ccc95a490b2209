/**
 * What PUT /v1/trading/mode's documentation (THRESHOLD_DOC) says about a threshold sent with a mode
 * that does not compare quality with it, checked against the governor the services run.
 */
import { DeciderHost, type Envelope } from '@tradeloop/kernel';
import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';
import { createGovernor } from '@tradeloop/governor';

const T0 = Date.UTC(2014, 4, 5, 12, 0);
let seq = 0;

function setMode(mode: string, threshold?: number): Envelope {
  const sample = SAMPLE_MESSAGES.SetExecutionMode;
  const id = `mode-${++seq}`;
  return { ...sample, id, correlationId: id, causationId: id, ts: T0 + seq, data: { mode, by: 'alice', ...(threshold === undefined ? {} : { threshold }) } };
}

/** An order risk approved with quality 80: above the configured 70, below the 90 sent. */
function riskApproved(): Envelope {
  const sample = SAMPLE_MESSAGES.RiskApproved;
  const id = `risk-${++seq}`;
  return { ...sample, id, ts: T0 + seq, data: { ...sample.data, quality: 80 } };
}

describe('the threshold of PUT /v1/trading/mode, as the governor treats it', () => {
  it.each([
    ['fully_automated', 'OrderApproved'],
    ['display_only', 'OrderDisplayed'],
    ['fully_manual', 'ApprovalRequested'],
  ])('given_threshold_90_sent_with_%s_when_it_is_in_force_then_unused_and_a_later_switch_to_quality_based_without_one_uses_it', (mode, whileInForce) => {
    const governor = new DeciderHost(createGovernor({ mode: 'quality_based', threshold: 70, autoExecute: true }));
    const [changed] = governor.handle(setMode(mode, 90) as never);
    expect(changed.data).toMatchObject({ mode, threshold: 90 });
    // Quality 80 is below 90, yet the mode decides alone (fully_manual asks about every order,
    // recording the threshold on its request).
    const [outcome] = governor.handle(riskApproved() as never);
    expect(outcome.type).toBe(whileInForce);
    if (outcome.type === 'ApprovalRequested') expect(outcome.data).toMatchObject({ mode: 'fully_manual', threshold: 90 });

    const [toQuality] = governor.handle(setMode('quality_based') as never);
    expect(toQuality.data).toMatchObject({ mode: 'quality_based', previous: mode, threshold: 90 });
    // With the configured 70 this order would have gone straight through; the kept 90 asks.
    const [asked] = governor.handle(riskApproved() as never);
    expect(asked.type).toBe('ApprovalRequested');
    expect(asked.data).toMatchObject({ mode: 'quality_based', quality: 80, threshold: 90 });
  });
});
