/**
 * The approvals read model: the price risk approved an order at travels with its approval request,
 * so the person deciding can compare it with the market (the executor refuses a granted order
 * whose market has moved away from it).
 */
import { revertMigrations, runMigrations } from './data-source';
import { ApprovalEntity } from './entities';
import { PERSISTENCE_MIGRATIONS } from './migrations';
import { projectMessage } from './projections';
import { openTestDatabase, sampleOf, type TestDatabase } from './persistence.test-support';

const T0 = 1_709_649_000_000;

describe('approvals read model', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase({ poolSize: 2 });
  });

  afterAll(async () => {
    await db.close();
  });

  const project = (...messages: Parameters<typeof projectMessage>[1][]) =>
    db.ds.transaction(async (tx) => {
      for (const m of messages) await projectMessage(tx, m);
    });
  const row = (approvalId: string) => db.ds.getRepository(ApprovalEntity).findOneByOrFail({ approvalId });

  it('given_an_approval_request_with_its_reference_price_when_projected_then_the_row_keeps_it', async () => {
    await project(sampleOf('ApprovalRequested', { id: 'apr-priced', ts: T0 }, { referencePrice: '1.37925' }));
    expect((await row('apr-priced')).referencePrice).toBe('1.37925');
    const { referencePrice: _none, ...older } = sampleOf('ApprovalRequested').data;
    await project({ ...sampleOf('ApprovalRequested', { id: 'apr-older', ts: T0 }), data: older });
    expect((await row('apr-older')).referencePrice).toBeNull();
  });

  it('given_requests_recorded_before_the_column_when_migrated_then_each_takes_the_price_of_risks_record_of_its_order', async () => {
    await project(
      sampleOf('RiskApproved', { id: 'rsk-m1', ts: T0 }, { referencePrice: '1.38012' }),
      sampleOf('ApprovalRequested', { id: 'apr-m1', ts: T0 }, { riskApprovalId: 'rsk-m1' }),
      // risk's record of this one never reached the read models
      sampleOf('ApprovalRequested', { id: 'apr-m2', ts: T0 }, { riskApprovalId: 'rsk-missing' }),
    );
    const names = PERSISTENCE_MIGRATIONS.map((M) => new M().name);
    await revertMigrations(db.ds, names.length - names.indexOf('ApprovalReferencePrices1700000014000'));
    const columns: unknown[] = await db.ds.query(
      `SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'approvals' AND column_name = 'reference_price'`,
      [db.schema],
    );
    expect(columns).toHaveLength(0);
    await runMigrations(db.ds);
    expect((await row('apr-m1')).referencePrice).toBe('1.38012');
    expect((await row('apr-m2')).referencePrice).toBeNull();
  });
});
