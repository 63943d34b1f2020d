/**
 * A real PostgreSQL server in a temporary folder, on a free loopback port, with a
 * password-authenticated user: one Region's Aurora writer for the local run, the tests
 * and the benchmarks. It uses the machine's PostgreSQL server binaries (initdb, pg_ctl).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** A TCP port free on the loopback interface right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Where the PostgreSQL server binaries are: on PATH, or in Debian's versioned folder. */
export function postgresBinDir(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  // Through any symlink: the other server tools (pg_basebackup, pg_rewind) sit beside the real initdb.
  if (onPath) return path.dirname(fs.realpathSync(onPath));
  const debian = '/usr/lib/postgresql';
  const versions = fs.existsSync(debian) ? fs.readdirSync(debian).filter((v) => fs.existsSync(path.join(debian, v, 'bin', 'initdb'))).sort() : [];
  if (versions.length === 0) {
    throw new Error('no PostgreSQL server binaries (initdb, pg_ctl) found: install them (Debian: apt-get install postgresql) and run the tests again');
  }
  return path.join(debian, versions[versions.length - 1], 'bin');
}

/** A PostgreSQL server of its own: started fresh, stopped and removed with `stop()`. */
export class LocalPostgres {
  /**
   * Starts a fresh cluster in a new folder under `parentDir` (default: the system's temporary
   * folder). `readOnly` makes every transaction read-only, like a secondary after a switchover.
   */
  public static async start(options: { readOnly?: boolean; parentDir?: string } = {}): Promise<LocalPostgres> {
    const bin = postgresBinDir();
    const dir = fs.mkdtempSync(path.join(options.parentDir ?? os.tmpdir(), 'pg-'));
    const data = path.join(dir, 'data');
    const passwordFile = path.join(dir, 'password');
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    fs.writeFileSync(passwordFile, password);
    // initdb refuses to run as root: the tests may run as root in CI, so run as nobody then.
    const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--'] : [];
    if (asUser.length > 0) execFileSync('chown', ['-R', 'nobody', dir]);
    const run = (cmd: string, args: string[]) =>
      (asUser.length > 0 ? execFileSync(asUser[0], [...asUser.slice(1), cmd, ...args], { stdio: 'pipe' }) : execFileSync(cmd, args, { stdio: 'pipe' }));
    run(path.join(bin, 'initdb'), ['-D', data, '-U', 'app', '--pwfile', passwordFile, '-A', 'scram-sha-256', '--no-sync', '-E', 'UTF8']);
    const port = await freePort();
    fs.appendFileSync(path.join(data, 'postgresql.conf'), [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'fsync = off',
      ...(options.readOnly ? ['default_transaction_read_only = on'] : []),
      '',
    ].join('\n'));
    run(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
    return new LocalPostgres(bin, dir, data, port, password, run);
  }

  public readonly host = '127.0.0.1';
  public readonly user = 'app';
  public readonly database = 'postgres';

  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    private readonly data: string,
    public readonly port: number,
    public readonly password: string,
    private readonly run: (cmd: string, args: string[]) => Buffer,
  ) {}

  /** The credentials as the database secret holds them. */
  public secret(): { host: string; port: number; username: string; password: string; dbname: string } {
    return { host: this.host, port: this.port, username: this.user, password: this.password, dbname: this.database };
  }

  public async stop(): Promise<void> {
    try {
      this.run(path.join(this.bin, 'pg_ctl'), ['-D', this.data, '-m', 'immediate', 'stop']);
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
