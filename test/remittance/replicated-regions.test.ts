import { ReplicatedRegions } from '../../examples/remittance/local/replicated-regions';

const EAST = 'us-east-1';
const WEST = 'us-west-2';

/** Rows of the test table on `region`, in order. */
async function rows(regions: ReplicatedRegions, region: string): Promise<number[]> {
  return (await regions.query<{ id: number }>(region, 'SELECT id FROM writes ORDER BY id')).map((r) => Number(r.id));
}

async function write(regions: ReplicatedRegions, region: string, ids: number[]): Promise<void> {
  for (const id of ids) await regions.query(region, 'INSERT INTO writes (id) VALUES ($1)', [id]);
}

describe('two Regions of real PostgreSQL with streaming replication', () => {
  let regions: ReplicatedRegions;
  beforeAll(async () => {
    regions = await ReplicatedRegions.start([EAST, WEST]);
    await regions.query(EAST, 'CREATE TABLE writes (id bigint PRIMARY KEY)');
  }, 120_000);
  afterAll(async () => regions?.stop());

  test('the first Region writes, the second streams and replays what it commits', async () => {
    await write(regions, EAST, [1, 2, 3]);
    await regions.waitUntil(async () => (await rows(regions, WEST)).length === 3, 10_000, 'the standby to replay');
    expect(await regions.writer()).toBe(EAST);
    const states = await regions.describe();
    expect(states.map((s) => [s.region, s.writer, s.streaming])).toEqual([[EAST, true, false], [WEST, false, true]]);
    await expect(regions.query(WEST, 'INSERT INTO writes (id) VALUES (99)')).rejects.toThrow(/read-only transaction/);
  });

  test('a standby that stops replaying lags: bytes behind the writer, read from pg_stat_replication', async () => {
    await regions.query(WEST, 'SELECT pg_wal_replay_pause()');
    await write(regions, EAST, [100, 101]);
    await regions.waitUntil(async () => ((await regions.describe()).find((s) => s.region === WEST)?.lagBytes ?? 0) > 0, 10_000, 'a lag');
    await regions.query(WEST, 'SELECT pg_wal_replay_resume()');
    await regions.waitUntil(async () => (await regions.describe()).find((s) => s.region === WEST)?.lagBytes === 0, 10_000, 'the lag to close');
    expect(await rows(regions, WEST)).toEqual([1, 2, 3, 100, 101]);
    await regions.query(EAST, 'DELETE FROM writes WHERE id >= 100');
  });

  test('the lag sample: 0 when caught up; with replay delayed, the age of the last replayed commit, and everything older was replayed', async () => {
    await write(regions, EAST, [200]);
    await regions.waitUntil(async () => (await regions.lagSample(WEST))?.lagMs === 0, 10_000, 'a lag of 0');
    expect(await regions.lagSample(EAST)).toBeUndefined();
    await regions.delayReplay(WEST, 10_000);
    try {
      await write(regions, EAST, [201]);
      const before = Date.now();
      await write(regions, EAST, [202]);
      const sample = (await regions.lagSample(WEST))!;
      // What the sample promises: every commit before at - lagMs is on the standby.
      expect(sample.lagMs).toBeGreaterThan(0);
      expect(sample.at - sample.lagMs).toBeLessThanOrEqual(before);
      expect(await rows(regions, WEST)).not.toContain(202);
      // Still streaming: a delayed standby receives, it only applies late.
      expect((await regions.describe()).find((x) => x.region === WEST)?.streaming).toBe(true);
    } finally {
      await regions.delayReplay(WEST, 0);
    }
    await regions.waitUntil(async () => (await regions.lagSample(WEST))?.lagMs === 0, 10_000, 'the lag to close');
    await regions.query(EAST, 'DELETE FROM writes WHERE id >= 200');
  });

  test('an impaired Region resumed as it was stays what it was (no rewind): the writer comes back a writer', async () => {
    const writer = (await regions.writer())!;
    regions.impair(writer);
    expect(await regions.writer()).toBeUndefined();
    regions.resume(writer);
    await regions.waitUntil(async () => (await regions.writer()) === writer, 20_000, 'the writer to come back');
    // The standby reconnects by itself (it retries every few seconds).
    await regions.waitUntil(async () => (await regions.describe()).find((x) => x.region === WEST)?.streaming === true, 20_000, 'the standby to stream again');
  }, 30_000);

  test('a switchover loses no committed write, and the old writer follows the new one', async () => {
    await write(regions, EAST, [4, 5]);
    await regions.switchover(WEST);
    expect(await regions.writer()).toBe(WEST);
    expect(await rows(regions, WEST)).toEqual([1, 2, 3, 4, 5]);
    await write(regions, WEST, [6]);
    await regions.waitUntil(async () => (await rows(regions, EAST)).includes(6), 10_000, 'the old writer to replay the new one');
    expect((await regions.describe()).find((s) => s.region === EAST)).toMatchObject({ writer: false, streaming: true });
  }, 60_000);

  test('a failover is refused while the writer runs; after the writer is impaired it promotes, and the old writer rejoins rewound', async () => {
    await expect(regions.failover(EAST)).rejects.toThrow(`failover: ${WEST} still accepts writes; impair it first`);
    regions.impair(WEST);
    expect((await regions.describe()).find((s) => s.region === WEST)).toMatchObject({ reachable: false });
    await regions.failover(EAST);
    expect(await regions.writer()).toBe(EAST);
    await write(regions, EAST, [7]);
    await regions.rejoin(WEST);
    await regions.waitUntil(async () => (await rows(regions, WEST)).includes(7), 20_000, 'the rejoined Region to replay');
    expect(await rows(regions, WEST)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await regions.describe()).find((s) => s.region === WEST)).toMatchObject({ writer: false, streaming: true });
  }, 90_000);
});

describe('a failover after the link between the Regions failed', () => {
  test('the writes the target never received are lost; the old writer rejoins rewound, without them', async () => {
    const regions = await ReplicatedRegions.start([EAST, WEST]);
    try {
      await regions.query(EAST, 'CREATE TABLE writes (id bigint PRIMARY KEY)');
      await write(regions, EAST, [1, 2]);
      await regions.waitUntil(async () => (await rows(regions, WEST)).length === 2, 10_000, 'the standby to replay');
      await regions.disconnect(WEST);
      expect((await regions.describe()).find((s) => s.region === WEST)).toMatchObject({ streaming: false });
      // A switchover would stop the writer with nowhere to send its last writes: refused.
      await expect(regions.switchover(WEST)).rejects.toThrow(`switchover: ${WEST} does not stream from the writer ${EAST}; nothing was changed`);
      expect(await regions.writer()).toBe(EAST);
      // Acknowledged by the writer, never sent to the standby.
      await write(regions, EAST, [3, 4]);
      regions.impair(EAST);
      await regions.failover(WEST);
      expect(await regions.writer()).toBe(WEST);
      expect(await rows(regions, WEST)).toEqual([1, 2]);
      await write(regions, WEST, [5]);
      await regions.rejoin(EAST);
      await regions.waitUntil(async () => (await rows(regions, EAST)).includes(5), 20_000, 'the old writer to follow');
      // pg_rewind threw away what only the old writer had.
      expect(await rows(regions, EAST)).toEqual([1, 2, 5]);
    } finally {
      await regions.stop();
    }
  }, 90_000);

  test('three Regions: a switchover re-points the third to the new writer', async () => {
    const regions = await ReplicatedRegions.start([EAST, WEST, 'eu-west-1']);
    try {
      await regions.query(EAST, 'CREATE TABLE writes (id bigint PRIMARY KEY)');
      await write(regions, EAST, [1]);
      await regions.switchover(WEST);
      await write(regions, WEST, [2]);
      for (const region of [EAST, 'eu-west-1']) {
        await regions.waitUntil(async () => (await rows(regions, region)).includes(2), 20_000, `${region} to follow ${WEST}`);
      }
      expect((await regions.describe()).map((s) => [s.region, s.writer, s.streaming])).toEqual([[EAST, false, true], [WEST, true, false], ['eu-west-1', false, true]]);
    } finally {
      await regions.stop();
    }
  }, 90_000);
});

