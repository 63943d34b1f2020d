import { LocalCloud, localTopology } from '../../examples/remittance/local/local-cloud';
import { ReplicatedRegions } from '../../examples/remittance/local/replicated-regions';
import { failover, switchover } from '../../src/ssm/runbooks';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const FAST = { pollIntervalMs: 200, timeoutMs: 60_000 };

describe('the real runbooks over real PostgreSQL servers (the local cloud)', () => {
  let regions: ReplicatedRegions;
  let cloud: LocalCloud;
  const topology = localTopology('orders', [EAST, WEST]);
  const routed = () => topology.regions.filter((r) => cloud.routing.states.get(r.routingControlArn) === 'On').map((r) => r.region);
  const ids = async (region: string) => (await regions.query<{ id: string }>(region, 'SELECT id FROM writes ORDER BY id')).map((r) => Number(r.id));

  beforeAll(async () => {
    regions = await ReplicatedRegions.start([EAST, WEST]);
    await regions.query(EAST, 'CREATE TABLE writes (id bigint PRIMARY KEY)');
    cloud = new LocalCloud(regions, topology);
    cloud.routing.states.set(topology.regions[0].routingControlArn, 'On');
    cloud.routing.states.set(topology.regions[1].routingControlArn, 'Off');
    cloud.startMetrics(200);
    await regions.waitUntil(async () => (await cloud.lastRpoLag(topology.regions[1].clusterIdentifier, 60_000)) !== undefined, 20_000, 'a lag data point');
  }, 120_000);
  afterAll(async () => {
    await cloud?.stopMetrics();
    await regions?.stop();
  });

  test('describe: the writer, a connected secondary, no move under way', async () => {
    const view = await cloud.describeGlobalCluster('orders');
    expect(view?.members).toEqual([
      { clusterArn: topology.regions[0].clusterArn, isWriter: true, synchronizationStatus: undefined },
      { clusterArn: topology.regions[1].clusterArn, isWriter: false, synchronizationStatus: 'connected' },
    ]);
    expect(view?.failoverState).toBeUndefined();
    expect(await cloud.describeGlobalCluster('other')).toBeUndefined();
    expect(await cloud.writerEndpoint()).toEqual({ region: EAST, port: regions.server(EAST).port });
  });

  test('the lag metric: data points within the lookback only, none for the writer; the RDS API can be made unreachable', async () => {
    const point = await cloud.lastRpoLag(topology.regions[1].clusterIdentifier, 60_000);
    expect(point!.valueMs).toBeGreaterThanOrEqual(0);
    expect(Date.now() - point!.at).toBeLessThan(10_000);
    expect(await cloud.lastRpoLag(topology.regions[0].clusterIdentifier, 60_000)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 5));
    expect(await cloud.lastRpoLag(topology.regions[1].clusterIdentifier, 0)).toBeUndefined();
    cloud.rdsUnreachable = true;
    try {
      await expect(cloud.describeGlobalCluster('orders')).rejects.toMatchObject({ name: 'ServiceUnavailable' });
      await expect(cloud.switchoverGlobalCluster('orders', topology.regions[1].clusterArn)).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    } finally {
      cloud.rdsUnreachable = false;
    }
  });

  test('a hung ARC endpoint answers after its timeout with a timeout error; the others answer', async () => {
    cloud.routing.hung.add(EAST);
    try {
      const started = Date.now();
      const endpoint = (region: string) => topology.clusterEndpoints.find((e) => e.region === region)!;
      await expect(cloud.routing.getRoutingControlState(endpoint(EAST), topology.regions[0].routingControlArn)).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(cloud.routing.hangMs - 5);
      expect(await cloud.routing.getRoutingControlState(endpoint(WEST), topology.regions[0].routingControlArn)).toBe('On');
    } finally {
      cloud.routing.hung.clear();
    }
  });

  test('the switchover runbook moves the writer, then the routing, and no committed write is lost', async () => {
    for (const id of [1, 2, 3]) await regions.query(EAST, 'INSERT INTO writes (id) VALUES ($1)', [id]);
    const report = await switchover(cloud, topology, { targetRegion: WEST, ...FAST });
    expect({ outcome: report.outcome, reason: report.reason }).toEqual({ outcome: 'succeeded', reason: undefined });
    expect(await regions.writer()).toBe(WEST);
    expect(routed()).toEqual([WEST]);
    expect(await ids(WEST)).toEqual([1, 2, 3]);
    // The old writer follows the new one.
    await regions.query(WEST, 'INSERT INTO writes (id) VALUES (4)');
    await regions.waitUntil(async () => (await ids(EAST)).includes(4), 20_000, 'us-east-1 to follow');
  }, 90_000);

  test('run again, it refuses: the target is already the writer and routed', async () => {
    const report = await switchover(cloud, topology, { targetRegion: WEST, ...FAST });
    expect(report.outcome).toBe('refused');
    expect(report.reason).toMatch(/already the writer and receives all traffic: nothing to do/);
  });

  test('the writer\'s Region is lost: the failover runbook routes to the target, promotes it, and the lost Region comes back rewound', async () => {
    regions.impair(WEST);
    const report = await failover(cloud, topology, { targetRegion: EAST, allowDataLoss: true, ...FAST });
    expect(report.outcome).toBe('succeeded');
    await cloud.settled();
    expect(await regions.writer()).toBe(EAST);
    expect(routed()).toEqual([EAST]);
    // Aurora lists the old primary again only once it is re-added.
    expect((await cloud.describeGlobalCluster('orders'))?.members.map((m) => m.clusterArn)).toEqual([topology.regions[0].clusterArn]);
    await regions.query(EAST, 'INSERT INTO writes (id) VALUES (5)');
    await cloud.restore(WEST);
    await regions.waitUntil(async () => (await ids(WEST)).includes(5), 20_000, 'us-west-2 to rejoin');
    expect((await cloud.describeGlobalCluster('orders'))?.members.map((m) => m.synchronizationStatus)).toEqual([undefined, 'connected']);
  }, 90_000);
});
