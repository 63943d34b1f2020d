import { quietly } from './quietly';
import { rowsOnWriter, WriteLoad } from '../../examples/remittance/local/drill';
import { Rehearsal } from '../../examples/remittance/local/rehearsal';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const EU = 'eu-west-1';

/**
 * Active/active on real PostgreSQL replication: the runbooks take the writer's Region out
 * of service under write load (the writer moves first, no acknowledged write is lost),
 * refuse to take out the last Region, and put the Region back once it has caught up; the
 * API of each Region reads its own copy and sends its writes on to the writer.
 */
describe('the rehearsal with active/active routing: evacuate and restore, on real replication', () => {
  let r: Rehearsal;
  beforeAll(async () => {
    r = await Rehearsal.start({
      regions: [EAST, WEST, EU], activeActive: true, metricIntervalMs: 250, runbooks: { pollIntervalMs: 100, timeoutMs: 30_000 },
    });
  }, 120_000);
  afterAll(async () => r?.stop());

  test('every Region serves from the start', () => {
    expect(r.routed()).toEqual([EAST, WEST, EU]);
  });

  test('evacuating the writer\'s Region under write load: the writer moves to the Region the run happens in, then the Region is Off', async () => {
    await quietly(async () => {
      const load = new WriteLoad(r, 'test');
      load.start();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const id = r.runbooks.start(WEST, 'evacuate', { targetRegion: EAST });
      const report = await r.runbooks.report(id);
      await load.stop();
      expect(report).toMatchObject({ runbook: 'evacuate', targetRegion: EAST, outcome: 'succeeded' });
      expect(report.steps.map((s) => [s.name, s.status])).toEqual([
        ['pre-flight', 'done'],
        ['move the writer to this Region if the Region taken out holds it', 'done'],
        ['wait until the writer has left the Region taken out', 'done'],
        ['take the Region out of service', 'done'],
        ['verify', 'done'],
      ]);
      expect((await r.cloud.writerEndpoint())?.region).toBe(WEST);
      expect(r.routed()).toEqual([WEST, EU]);
      // A switchover: every acknowledged write is on the new writer.
      expect(load.acks.length).toBeGreaterThan(0);
      const rows = await rowsOnWriter(r);
      expect(load.acks.filter((ack) => !rows.has(ack.key))).toEqual([]);
    });
  }, 90_000);

  test('taking out the last Region is refused, and changes nothing', async () => {
    const first = await r.runbooks.report(r.runbooks.start(WEST, 'evacuate', { targetRegion: EU }));
    expect(first.outcome).toBe('succeeded');
    expect(r.routed()).toEqual([WEST]);
    const last = await r.runbooks.report(r.runbooks.start(EU, 'evacuate', { targetRegion: WEST }));
    expect(last).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^us-west-2 is the last Region in service/) });
    expect(r.routed()).toEqual([WEST]);
    expect((await r.cloud.writerEndpoint())?.region).toBe(WEST);
  }, 60_000);

  test('restoring the old writer\'s Region once it streams from the new writer, then the other', async () => {
    await r.regions.waitUntil(async () => (await r.describe()).find((v) => v.region === EAST)?.streaming === true, 20_000, `${EAST} to stream`);
    for (const region of [EAST, EU]) {
      const report = await r.runbooks.report(r.runbooks.start(region, 'restore'));
      expect(report).toMatchObject({ runbook: 'restore', targetRegion: region, outcome: 'succeeded' });
    }
    expect(r.routed()).toEqual([EAST, WEST, EU]);
    expect((await r.cloud.writerEndpoint())?.region).toBe(WEST);
  }, 60_000);

  test('the API of a Region without the writer reads its own copy and sends its writes on to the writer; after a switchover, back to its own', async () => {
    const claims = { requestContext: { authorizer: { claims: { sub: 'active-active' } } } };
    const create = (region: string, recipient: string) => r.request({
      httpMethod: 'POST', path: '/api/remittances', ...claims, body: JSON.stringify({ sender: 'A', recipient, amount: '1', currency: 'EUR' }),
    }, { region });
    const listed = async (region: string) => (JSON.parse((await r.request({ httpMethod: 'GET', path: '/api/remittances', ...claims }, { region })).body)
      .remittances as { recipient: string }[]).map((x) => x.recipient);
    const onServer = async (region: string) => (await r.regions.query<{ recipient: string }>(region,
      "SELECT recipient FROM remittances WHERE created_by = 'active-active'")).map((x) => x.recipient);

    // eu-west-1's copy applies what it receives 5 s late: a read there that saw the writer would see the new row at once.
    await r.regions.delayReplay(EU, 5_000);
    const created = await create(EU, 'first');
    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({ servedBy: EU, remittance: { recipient: 'first', createdIn: EU } });
    // The standby refused it as read-only (PostgreSQL has no forwarding); the writer has it.
    expect(r.forwardedWrites(EU).fallbacks).toBe(1);
    expect(await onServer(WEST)).toEqual(['first']);
    expect(await listed(WEST)).toEqual(['first']);
    expect(await listed(EU)).toEqual([]);
    await r.regions.delayReplay(EU, 0);
    await r.regions.waitUntil(async () => (await listed(EU)).length === 1, 20_000, 'the row to replicate to eu-west-1');
    // The next write goes to the writer directly.
    expect((await create(EU, 'second')).statusCode).toBe(201);
    expect(r.forwardedWrites(EU).fallbacks).toBe(1);

    // The writer moves to eu-west-1: its API's next write, refused by the old writer, goes to its own server, now the writer.
    expect((await r.runbooks.report(r.runbooks.start(EU, 'switchover'))).outcome).toBe('succeeded');
    expect((await create(EU, 'third')).statusCode).toBe(201);
    expect((await create(WEST, 'fourth')).statusCode).toBe(201);
    expect((await onServer(EU)).sort()).toEqual(['first', 'fourth', 'second', 'third']);
    expect(r.forwardedWrites(EU).fallbacks).toBe(1);
    expect(r.forwardedWrites(WEST).fallbacks).toBe(1);
    expect(r.routed()).toEqual([EAST, WEST, EU]);
  }, 90_000);
});
