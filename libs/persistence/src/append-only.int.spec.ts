import { APPEND_ONLY_MESSAGE } from './migrations';
import { appendExperience, ExperienceConflictError } from './projections';
import { TradeExperienceEntity } from './entities';
import { countRows, openTestDatabase, sampleOf, type TestDatabase } from './persistence.test-support';
import { quoteIdent } from './sql-names';

describe('trade-experience store (append-only)', () => {
  let db: TestDatabase;
  let table: string;

  beforeAll(async () => {
    db = await openTestDatabase();
    table = `${quoteIdent(db.schema)}."trade_experiences"`;
    await appendExperience(db.ds.manager, sampleOf('ExperienceRecorded'));
  });

  afterAll(async () => {
    await db.close();
  });

  it('append_when_new_experience_then_row_holds_keys_and_the_whole_payload', async () => {
    const m = sampleOf('ExperienceRecorded', { id: 'exp-2', ts: 1_709_700_000_000 }, { positionId: 'pos-2', pnl: '-14.20', win: false, rMultiple: -1 });
    expect(await appendExperience(db.ds.manager, m)).toBe('applied');
    const row = await db.ds.getRepository(TradeExperienceEntity).findOneByOrFail({ experienceId: 'exp-2' });
    expect(row).toMatchObject({
      positionId: 'pos-2',
      account: 'paper',
      strategy: 'structure_break',
      symbol: 'EURUSD',
      direction: 'long',
      origin: 'strategy',
      exitReason: 'take_profit',
      signalId: 'sig-0b6f7d1e',
      pnl: '-14.20',
      fees: '0.00',
      rMultiple: -1,
      win: false,
      holdingMs: 43 * 60_000, // the sample's: from the entry bar's open
      openedAt: m.data.openedAt,
      closedAt: m.data.closedAt,
      recordedTs: 1_709_700_000_000,
      correlationId: 'sig-0b6f7d1e',
    });
    expect(row.payload).toEqual(m.data);
  });

  it('append_when_experience_of_a_yen_position_then_the_row_says_its_currency', async () => {
    const m = sampleOf('ExperienceRecorded', { id: 'exp-jpy' }, { positionId: 'pos-jpy', symbol: 'USDJPY', pnl: '-1000', fees: '12', currency: 'JPY' });
    expect(await appendExperience(db.ds.manager, m)).toBe('applied');
    const row = await db.ds.getRepository(TradeExperienceEntity).findOneByOrFail({ experienceId: 'exp-jpy' });
    expect(row).toMatchObject({ pnl: '-1000', fees: '12', currency: 'JPY' });
  });

  it('append_when_experience_recorded_before_it_said_its_currency_then_currency_is_null', async () => {
    const recorded = sampleOf('ExperienceRecorded', { id: 'exp-old' }, { positionId: 'pos-old' });
    const { currency: _none, ...old } = recorded.data;
    const m: typeof recorded = { ...recorded, data: old };
    expect(await appendExperience(db.ds.manager, m)).toBe('applied');
    expect((await db.ds.getRepository(TradeExperienceEntity).findOneByOrFail({ experienceId: 'exp-old' })).currency).toBeNull();
  });

  it('update_when_attempted_then_the_database_refuses_with_append_only_message', async () => {
    await expect(db.ds.query(`UPDATE ${table} SET "pnl" = 1000000 WHERE "experience_id" = 'exp-1'`)).rejects.toThrow(
      `${APPEND_ONLY_MESSAGE}: UPDATE refused`,
    );
    const rows: { pnl: string }[] = await db.ds.query(`SELECT "pnl" FROM ${table} WHERE "experience_id" = 'exp-1'`);
    expect(rows[0].pnl).toBe('28.40');
  });

  it('update_when_it_matches_no_row_then_still_refused', async () => {
    await expect(db.ds.query(`UPDATE ${table} SET "pnl" = 0 WHERE false`)).rejects.toThrow(APPEND_ONLY_MESSAGE);
  });

  it('delete_when_attempted_then_the_database_refuses_and_the_row_stays', async () => {
    await expect(db.ds.query(`DELETE FROM ${table} WHERE "experience_id" = 'exp-1'`)).rejects.toThrow(
      `${APPEND_ONLY_MESSAGE}: DELETE refused`,
    );
    expect(await countRows(db.ds, db.schema, 'trade_experiences')).toBeGreaterThanOrEqual(1);
  });

  it('truncate_when_attempted_then_the_database_refuses', async () => {
    const before = await countRows(db.ds, db.schema, 'trade_experiences');
    await expect(db.ds.query(`TRUNCATE ${table}`)).rejects.toThrow(`${APPEND_ONLY_MESSAGE}: TRUNCATE refused`);
    expect(await countRows(db.ds, db.schema, 'trade_experiences')).toBe(before);
  });

  it('orm_update_when_attempted_then_refused_too', async () => {
    await expect(
      db.ds.getRepository(TradeExperienceEntity).update({ experienceId: 'exp-1' }, { win: false }),
    ).rejects.toThrow(APPEND_ONLY_MESSAGE);
  });

  it('delete_when_triggers_are_bypassed_with_replica_role_then_still_refused', async () => {
    // session_replication_role = replica silences ordinary triggers (bulk loads, logical
    // replication); the store's trigger is ENABLE ALWAYS.
    const qr = db.ds.createQueryRunner();
    try {
      await qr.startTransaction();
      await qr.query(`SET LOCAL session_replication_role = replica`);
      await expect(qr.query(`DELETE FROM ${table}`)).rejects.toThrow(APPEND_ONLY_MESSAGE);
      await qr.rollbackTransaction();
    } finally {
      await qr.release();
    }
    expect(await countRows(db.ds, db.schema, 'trade_experiences')).toBeGreaterThanOrEqual(1);
  });

  it('refusal_when_raised_then_sqlstate_is_restrict_violation', async () => {
    const err = await db.ds.query(`DELETE FROM ${table}`).catch((e: unknown) => e);
    expect((err as { driverError: { code: string } }).driverError.code).toBe('23001');
  });

  it('append_when_same_experience_again_then_unchanged_and_no_second_row', async () => {
    const before = await countRows(db.ds, db.schema, 'trade_experiences');
    expect(await appendExperience(db.ds.manager, sampleOf('ExperienceRecorded'))).toBe('unchanged');
    expect(await countRows(db.ds, db.schema, 'trade_experiences')).toBe(before);
  });

  it('append_when_another_experience_claims_a_recorded_position_then_throws_conflict', async () => {
    const other = sampleOf('ExperienceRecorded', { id: 'exp-other' }, { pnl: '999.00' });
    await expect(appendExperience(db.ds.manager, other)).rejects.toThrow(ExperienceConflictError);
    await expect(appendExperience(db.ds.manager, other)).rejects.toThrow(/conflicts with recorded experience exp-1/);
  });
});
