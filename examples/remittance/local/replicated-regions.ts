/**
 * Two or three real PostgreSQL servers, one per simulated Region, joined by physical
 * streaming replication: the database under the local failover rehearsal. One server is
 * the writer; the others are hot standbys made with `pg_basebackup -R` (which writes
 * `standby.signal` and `primary_conninfo`) and replay its WAL as it streams.
 *
 * What it can do to them is what the runbooks ask of Aurora, done the PostgreSQL way:
 *
 * - switchover: stop the writer cleanly (a clean shutdown sends every WAL record to the
 *   connected standbys first), wait until the target has replayed up to the writer's
 *   last position, promote it (`pg_promote`), then make the old writer a standby of the
 *   new one (`pg_rewind`, `standby.signal`): no committed write is lost;
 * - failover: the writer's Region is impaired (its server stopped at once), and the
 *   target is promoted with whatever it replayed: the writes it had not are lost;
 * - rejoin: the impaired Region's server comes back, is rewound to the new writer's
 *   history and follows it, as Aurora re-adds an old primary after a managed failover;
 * - detach: promote a standby with no rejoin of the others.
 *
 * The lag is read two ways: from the writer's `pg_stat_replication` (the bytes of WAL a
 * standby has not replayed, and `replay_lag`), and as a sample with a guarantee
 * ({@link ReplicatedRegions.lagSample}): the stand-in for `AuroraGlobalDBRPOLag`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { freePort, postgresBinDir } from './postgres';

/** One Region's server. */
export interface RegionServer {
  readonly region: string;
  readonly port: number;
  /** Its data directory. */
  readonly data: string;
  /** Running (not impaired). */
  running: boolean;
}

/** How a Region's server stands, as read from it and from the writer. */
export interface RegionState {
  readonly region: string;
  /** Not running: the Region is impaired. */
  readonly reachable: boolean;
  /** Accepts writes (not in recovery). */
  readonly writer: boolean;
  /** A standby streaming from the writer right now (`pg_stat_replication`). */
  readonly streaming: boolean;
  /** The writer's current WAL position minus what this standby replayed, in bytes; 0 for the writer. */
  readonly lagBytes?: number;
  /**
   * How long the standby took to replay the writer's latest commits (`replay_lag`), in ms.
   * Undefined when nothing was written lately.
   */
  readonly lagMs?: number;
}

const USER = 'app';
const REPLICATION_USER = 'replicator';

/** The servers of every Region, on loopback ports, in a temporary folder. */
export class ReplicatedRegions {
  /**
   * Starts a writer in the first Region and a streaming standby in each other one, and
   * waits until every standby streams.
   */
  public static async start(regions: readonly string[], options: { parentDir?: string } = {}): Promise<ReplicatedRegions> {
    if (regions.length < 2) throw new Error(`ReplicatedRegions needs two Regions or more, got ${regions.join(', ') || 'none'}`);
    const bin = postgresBinDir();
    const dir = fs.mkdtempSync(path.join(options.parentDir ?? os.tmpdir(), 'pg-regions-'));
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const set = new ReplicatedRegions(bin, dir, password);
    await set.initWriter(regions[0]);
    for (const region of regions.slice(1)) await set.addStandby(region, regions[0]);
    await set.waitUntilStreaming(regions.slice(1), 30_000);
    return set;
  }

  public readonly servers: RegionServer[] = [];
  private readonly asNobody = process.getuid?.() === 0;

  private constructor(private readonly bin: string, private readonly dir: string, public readonly password: string) {
    if (this.asNobody) execFileSync('chown', ['-R', 'nobody', dir]);
  }

  /** The server of `region`. */
  public server(region: string): RegionServer {
    const found = this.servers.find((s) => s.region === region);
    if (!found) throw new Error(`no server in Region ${region}; the Regions are ${this.servers.map((s) => s.region).join(', ')}`);
    return found;
  }

  /** A connection to `region`'s server (the caller ends it). */
  public async connect(region: string): Promise<Client> {
    const client = new Client({ host: '127.0.0.1', port: this.server(region).port, user: USER, password: this.password, database: 'postgres' });
    // A server shutting down ends its sessions (57P01): the query in flight fails with it,
    // and the client's own error event must not take the process down.
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  /** Runs one query on `region` and closes the connection. */
  public async query<T = Record<string, unknown>>(region: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = await this.connect(region);
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** The Region whose server accepts writes, if one does. */
  public async writer(): Promise<string | undefined> {
    for (const s of this.servers.filter((x) => x.running)) {
      if ((await this.recovering(s.region)) === false) return s.region;
    }
    return undefined;
  }

  /** Whether `region`'s server is in recovery (a standby); undefined when it does not answer (stopping, restarting). */
  private async recovering(region: string): Promise<boolean | undefined> {
    try {
      const [row] = await this.query<{ recovery: boolean }>(region, 'SELECT pg_is_in_recovery() AS recovery');
      return row.recovery;
    } catch {
      return undefined;
    }
  }

  /** Every Region's state, read from its server and from the writer's `pg_stat_replication`. */
  public async describe(): Promise<RegionState[]> {
    // A server that does not answer (stopping in a switchover, restarting) is unreachable for now.
    const recovery = new Map(await Promise.all(
      this.servers.map(async (s) => [s.region, s.running ? await this.recovering(s.region) : undefined] as const),
    ));
    const writer = this.servers.find((s) => recovery.get(s.region) === false)?.region;
    type Sender = { application_name: string; state: string; lag: string | null; lag_ms: string | null };
    const senders: Sender[] = writer
      ? await this.query<Sender>(writer,
        'SELECT application_name, state, (pg_current_wal_lsn() - replay_lsn)::text AS lag, ' +
          '(EXTRACT(EPOCH FROM replay_lag) * 1000)::text AS lag_ms FROM pg_stat_replication').catch(() => [])
      : [];
    return this.servers.map((s): RegionState => {
      if (recovery.get(s.region) === undefined) return { region: s.region, reachable: false, writer: false, streaming: false };
      if (s.region === writer) return { region: s.region, reachable: true, writer: true, streaming: false, lagBytes: 0 };
      const sender = senders.find((x) => x.application_name === s.region);
      return {
        region: s.region,
        reachable: true,
        writer: false,
        streaming: sender?.state === 'streaming',
        lagBytes: sender?.lag !== null && sender?.lag !== undefined ? Number(sender.lag) : undefined,
        lagMs: sender?.lag_ms !== null && sender?.lag_ms !== undefined ? Math.round(Number(sender.lag_ms)) : undefined,
      };
    });
  }

  /**
   * Planned move of the writer to `target`, losing nothing: the writer stops cleanly,
   * the target replays everything it sent, is promoted, and the old writer follows it.
   */
  public async switchover(target: string): Promise<void> {
    const from = await this.writer();
    if (!from) throw new Error('switchover: no Region accepts writes');
    if (from === target) return;
    // Stopping the writer while the target does not stream would leave its last writes nowhere.
    if (!(await this.describe()).find((x) => x.region === target)?.streaming) {
      throw new Error(`switchover: ${target} does not stream from the writer ${from}; nothing was changed`);
    }
    const [{ lsn }] = await this.query<{ lsn: string }>(from, 'SELECT pg_current_wal_lsn()::text AS lsn');
    // A clean ("fast") shutdown waits until the WAL senders sent everything, the shutdown record included.
    this.pgCtl(from, ['-m', 'fast', 'stop']);
    this.server(from).running = false;
    await this.waitUntil(async () => {
      const [row] = await this.query<{ behind: boolean }>(target, 'SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS behind', [lsn]);
      return !row.behind;
    }, 30_000, `${target} to replay up to ${lsn}`);
    await this.promote(target);
    await this.follow(from, target);
    for (const other of this.servers.filter((s) => s.region !== from && s.region !== target && s.running)) await this.repoint(other.region, target);
  }

  /**
   * Unplanned: `target` is promoted with what it has replayed. The writer's Region must be
   * impaired first ({@link impair}): two writers would otherwise take writes.
   */
  public async failover(target: string): Promise<void> {
    const writer = await this.writer();
    if (writer && writer !== target) {
      throw new Error(`failover: ${writer} still accepts writes; impair it first (a failover promotes without waiting for it)`);
    }
    if (writer === target) return;
    await this.promote(target);
    // Another standby may have replayed past the point the target was promoted at: it is
    // stopped and rewound to the new writer's history, as Aurora resynchronizes it.
    for (const other of this.servers.filter((s) => s.region !== target && s.running)) {
      this.pgCtl(other.region, ['-m', 'fast', 'stop']);
      this.server(other.region).running = false;
      await this.follow(other.region, target);
    }
  }

  /**
   * Cuts `region`'s standby off from the writer (the link between the Regions fails): it
   * stops receiving WAL, so it falls behind by every write after this. {@link reconnect}
   * restores the link.
   */
  public async disconnect(region: string): Promise<void> {
    const s = this.server(region);
    const auto = path.join(s.data, 'postgresql.auto.conf');
    fs.writeFileSync(auto, fs.readFileSync(auto, 'utf8').replace(/^primary_conninfo\s*=.*$/m, "primary_conninfo = ''"));
    await this.query(region, 'SELECT pg_reload_conf()');
    await this.waitUntil(async () => !(await this.describe()).find((x) => x.region === region)?.streaming, 10_000, `${region} to stop streaming`);
  }

  /**
   * Makes `region`'s standby apply what it receives `ms` late (`recovery_min_apply_delay`):
   * it stays connected and streaming, and lags by that much under writes. 0 removes the delay.
   */
  public async delayReplay(region: string, ms: number): Promise<void> {
    const auto = path.join(this.server(region).data, 'postgresql.auto.conf');
    const kept = fs.readFileSync(auto, 'utf8').split('\n').filter((l) => !/^\s*recovery_min_apply_delay\s*=/.test(l)).join('\n');
    fs.writeFileSync(auto, `${kept.trimEnd()}\n${ms > 0 ? `recovery_min_apply_delay = '${Math.round(ms)}ms'\n` : ''}`);
    await this.query(region, 'SELECT pg_reload_conf()');
  }

  /**
   * One sample of `region`'s replication lag, in the sense a failover's data-loss window
   * needs: every write acknowledged before `at - lagMs` had been replayed by the standby
   * when it was read. Read in that order: the time, the writer's flushed WAL position
   * (every commit acknowledged before `at` is flushed below it), then the standby. The lag
   * is 0 when the standby had replayed up to that position. Otherwise it is the age of
   * the last commit the standby had replayed, rounded up: a commit acknowledged before
   * that commit took its timestamp was written to the WAL before it, so it was replayed
   * too. Undefined when either server does not answer, or the standby is behind and has
   * replayed no commit since it started.
   */
  public async lagSample(region: string): Promise<{ lagMs: number; at: number } | undefined> {
    const writer = await this.writer();
    if (!writer || writer === region) return undefined;
    const at = Date.now();
    try {
      const [primary] = await this.query<{ lsn: string }>(writer, 'SELECT pg_current_wal_flush_lsn()::text AS lsn');
      const [standby] = await this.query<{ replayed: Date | null; caughtUp: boolean | null }>(region,
        'SELECT pg_last_xact_replay_timestamp() AS replayed, pg_last_wal_replay_lsn() >= $1::pg_lsn AS "caughtUp"', [primary.lsn]);
      if (standby.caughtUp) return { lagMs: 0, at };
      if (!standby.replayed) return undefined;
      // Date keeps milliseconds: rounding the lag up keeps at - lag at or before the commit's timestamp.
      return { lagMs: Math.max(0, Math.ceil(at - standby.replayed.getTime())), at };
    } catch {
      return undefined;
    }
  }

  /**
   * Starts an impaired Region's server again as it was, without rewinding it: what an
   * outage that ends does to a cluster nothing failed over from (after a detach, the old
   * writer comes back a writer).
   */
  public resume(region: string): void {
    const s = this.server(region);
    if (s.running) return;
    this.pgCtl(region, ['start']);
    s.running = true;
  }

  /** Restores `region`'s link to the current writer. */
  public async reconnect(region: string): Promise<void> {
    const writer = await this.writer();
    if (!writer) throw new Error(`reconnect ${region}: no Region accepts writes`);
    this.setPrimary(region, writer);
    await this.query(region, 'SELECT pg_reload_conf()');
    await this.waitUntilStreaming([region], 10_000);
  }

  /**
   * Promotes `region`'s standby on its own, leaving the writer as it is: a detached,
   * stand-alone copy that takes writes (two writers while the old one runs).
   */
  public async detach(region: string): Promise<void> {
    const [row] = await this.query<{ recovery: boolean }>(region, 'SELECT pg_is_in_recovery() AS recovery');
    if (row.recovery) await this.promote(region);
  }

  /** Makes `region` unreachable: its server stops at once, as if the Region were lost. */
  public impair(region: string): void {
    const s = this.server(region);
    if (!s.running) return;
    this.pgCtl(region, ['-m', 'immediate', 'stop']);
    s.running = false;
  }

  /**
   * Brings an impaired Region back as a standby of the current writer: its server is
   * rewound to the writer's history first, discarding what the writer never had.
   */
  public async rejoin(region: string): Promise<void> {
    const writer = await this.writer();
    if (!writer) throw new Error(`rejoin ${region}: no Region accepts writes to follow`);
    if (this.server(region).running) throw new Error(`rejoin ${region}: its server is running; impair it first`);
    await this.follow(region, writer);
  }

  /** Stops every server and removes the folder. */
  public async stop(): Promise<void> {
    for (const s of this.servers.filter((x) => x.running)) {
      try {
        this.pgCtl(s.region, ['-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
      s.running = false;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  // -------------------------------------------------------------------------

  private run(cmd: string, args: string[]): string {
    const full = path.join(this.bin, cmd);
    const out = this.asNobody
      ? execFileSync('runuser', ['-u', 'nobody', '--', full, ...args], { stdio: 'pipe', env: { ...process.env, PGPASSWORD: this.password } })
      : execFileSync(full, args, { stdio: 'pipe', env: { ...process.env, PGPASSWORD: this.password } });
    return out.toString();
  }

  private pgCtl(region: string, args: string[]): void {
    const s = this.server(region);
    const log = path.join(this.dir, `${region}.log`);
    try {
      this.run('pg_ctl', ['-D', s.data, '-l', log, '-w', '-t', '60', ...args]);
    } catch (e) {
      // The server's own words: pg_ctl only says to look at them.
      const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').slice(-5).join(' | ') : '';
      throw new Error(`pg_ctl ${args.join(' ')} in ${region} failed: ${tail || (e as Error).message}`);
    }
  }

  private settings(region: string, port: number): string {
    return [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${this.dir}'`,
      'fsync = off',
      'wal_level = replica',
      'max_wal_senders = 10',
      'max_replication_slots = 10',
      // pg_rewind needs to see every page changed since the histories split.
      'wal_log_hints = on',
      'hot_standby = on',
      'wal_keep_size = 256MB',
      `cluster_name = '${region}'`,
      '',
    ].join('\n');
  }

  private async initWriter(region: string): Promise<void> {
    const data = path.join(this.dir, region);
    const passwordFile = path.join(this.dir, 'password');
    fs.writeFileSync(passwordFile, this.password);
    if (this.asNobody) execFileSync('chown', ['-R', 'nobody', this.dir]);
    this.run('initdb', ['-D', data, '-U', USER, '--pwfile', passwordFile, '-A', 'scram-sha-256', '--no-sync', '-E', 'UTF8']);
    const port = await freePort();
    fs.appendFileSync(path.join(data, 'postgresql.conf'), this.settings(region, port));
    fs.appendFileSync(path.join(data, 'pg_hba.conf'), `host replication ${REPLICATION_USER} 127.0.0.1/32 scram-sha-256\n`);
    this.servers.push({ region, port, data, running: false });
    this.pgCtl(region, ['start']);
    this.server(region).running = true;
    await this.query(region, `CREATE ROLE ${REPLICATION_USER} WITH REPLICATION LOGIN PASSWORD '${this.password}'`);
  }

  private async addStandby(region: string, from: string): Promise<void> {
    const data = path.join(this.dir, region);
    const source = this.server(from);
    this.run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(source.port), '-U', REPLICATION_USER, '-D', data, '-R', '-X', 'stream', '--no-sync']);
    const port = await freePort();
    fs.appendFileSync(path.join(data, 'postgresql.conf'), this.settings(region, port));
    this.servers.push({ region, port, data, running: false });
    this.setPrimary(region, from);
    this.pgCtl(region, ['start']);
    this.server(region).running = true;
  }

  /** Points `region`'s server at `writer` (`primary_conninfo`, named after the Region for pg_stat_replication). */
  private setPrimary(region: string, writer: string): void {
    const s = this.server(region);
    const conninfo = `host=127.0.0.1 port=${this.server(writer).port} user=${REPLICATION_USER} password=${this.password} application_name=${region}`;
    const auto = path.join(s.data, 'postgresql.auto.conf');
    const kept = fs.existsSync(auto) ? fs.readFileSync(auto, 'utf8').split('\n').filter((l) => !/^\s*primary_conninfo\s*=/.test(l)).join('\n') : '';
    fs.writeFileSync(auto, `${kept.trimEnd()}\nprimary_conninfo = '${conninfo}'\nrecovery_target_timeline = 'latest'\n`);
    fs.writeFileSync(path.join(s.data, 'standby.signal'), '');
    if (this.asNobody) execFileSync('chown', ['-R', 'nobody', s.data]);
  }

  private async promote(region: string): Promise<void> {
    const [row] = await this.query<{ promoted: boolean }>(region, 'SELECT pg_promote(true, 60) AS promoted');
    if (!row.promoted) throw new Error(`${region} was not promoted within 60 s`);
    // The new timeline reaches the control file at the next checkpoint; until then pg_rewind
    // would see no divergence and leave the old writer's extra writes in place.
    await this.query(region, 'CHECKPOINT');
  }

  /** Makes the stopped server of `region` a standby of `writer`, rewinding it to the writer's history. */
  private async follow(region: string, writer: string): Promise<void> {
    const s = this.server(region);
    const rewind = () => this.run('pg_rewind', ['-D', s.data, '--source-server', `host=127.0.0.1 port=${this.server(writer).port} user=${USER} dbname=postgres`, '--no-sync']);
    // pg_rewind recovers a crashed target itself first (PostgreSQL 13 and later); the
    // fallback below is for an older one.
    try {
      rewind();
    } catch (e) {
      const text = String((e as { stderr?: Buffer }).stderr ?? e);
      if (!/must be shut down cleanly|not shut down cleanly/.test(text)) throw new Error(`pg_rewind of ${region}: ${text}`);
      this.pgCtl(region, ['-o', '-c default_transaction_read_only=on', 'start']);
      this.pgCtl(region, ['-m', 'fast', 'stop']);
      rewind();
    }
    // pg_rewind copies the writer's configuration files: this server's own settings (its
    // port, its name) go back on top, where the last value of a setting wins.
    fs.appendFileSync(path.join(s.data, 'postgresql.conf'), this.settings(region, s.port));
    this.setPrimary(region, writer);
    this.pgCtl(region, ['start']);
    s.running = true;
  }

  /** A running standby follows a new writer: new `primary_conninfo`, restarted. */
  private async repoint(region: string, writer: string): Promise<void> {
    this.setPrimary(region, writer);
    this.pgCtl(region, ['-m', 'fast', 'restart']);
  }

  private async waitUntilStreaming(regions: readonly string[], timeoutMs: number): Promise<void> {
    await this.waitUntil(async () => {
      const states = await this.describe();
      return regions.every((r) => states.find((x) => x.region === r)?.streaming);
    }, timeoutMs, `${regions.join(', ')} to stream from the writer`);
  }

  /** Polls `check` every 100 ms until it holds. */
  public async waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        if (await check()) return;
      } catch {
        // a server restarting: ask again
      }
      if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
