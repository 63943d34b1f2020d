/**
 * One database connection per Lambda execution environment, reused across invocations,
 * and the credentials secret read once and kept. After a switchover or a failover the
 * connection may point at a cluster that is now read-only, or be cut; the credentials may
 * have been rotated. Then the connection is dropped, the secret read again, and the
 * statement run once more on a fresh connection to the global writer endpoint, but only
 * when the database cannot have applied it: never twice.
 */
import { Client, ClientConfig, QueryResultRow } from 'pg';

/** The fields of the database secret this needs (RDS's secret JSON). */
export interface DatabaseSecret {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly dbname?: string;
}

/** Reads the secret; called on the first connection and after a failover. */
export type SecretSource = () => Promise<DatabaseSecret>;

/** Connection settings beyond the secret. */
export interface DatabaseOptions {
  /** The global writer endpoint: it follows the writer across Regions. Default: the secret's host. */
  readonly host?: string;
  /** The database name. Default: the secret's `dbname`, else `postgres`. */
  readonly database?: string;
  /** TLS to the database. Default: required, verified (Aurora). Tests against a local server turn it off. */
  readonly ssl?: ClientConfig['ssl'];
  /** How long to wait for a connection. Default 5 s. */
  readonly connectTimeoutMs?: number;
  /**
   * Whether a write refused as read-only (25006) is tried once more on a fresh connection
   * to the same host: right for the global writer endpoint alone, which follows the
   * writer. {@link ForwardedWrites} turns it off on both its endpoints: a refusal moves
   * its write to the other one. Default true.
   */
  readonly reconnectOnReadOnly?: boolean;
}

/** The statements of the API: what it needs of a connection. */
export interface Queries {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
}

/**
 * The errors after which the statement was certainly not applied and a fresh connection
 * to the writer may succeed: the server refused a write as read-only (this connection
 * reached a cluster that is now a secondary), the server is shutting down or not
 * accepting connections yet, or the connection could not be made at all.
 */
const RETRY_SQLSTATES = new Set(['25006', '57P01', '57P02', '57P03', '08001', '08006', '08004', '28P01', '28000']);
const RETRY_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE']);

/** Whether `error` means the statement was not applied and a new connection may succeed. */
export function isReconnectable(error: unknown, sent: boolean): boolean {
  const e = error as { code?: string; message?: string };
  if (e?.code && RETRY_SQLSTATES.has(e.code)) return true;
  // A connection error before the statement was sent: nothing was applied.
  if (!sent && ((e?.code && RETRY_CODES.has(e.code)) || /Connection terminated|timeout expired/i.test(e?.message ?? ''))) return true;
  return false;
}

/** SQLSTATE 25006: the server refused to write in a read-only transaction (a standby, or a secondary cluster without forwarding). */
export const READ_ONLY_SQLSTATE = '25006';

export class Database implements Queries {
  private client?: Client;
  private secret?: DatabaseSecret;
  /** Connections opened so far, for the logs (and the tests). */
  public connections = 0;
  /** Secret reads so far. */
  public secretReads = 0;

  constructor(private readonly readSecret: SecretSource, private readonly options: DatabaseOptions = {}) {}

  /**
   * Runs one statement, reconnecting once (with the secret read again) when the first
   * attempt failed in a way that leaves it certainly not applied.
   */
  public async query<R extends QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    for (let attempt = 1; ; attempt++) {
      let sent = false;
      try {
        const client = await this.connect();
        sent = true;
        return (await client.query<R>(text, values)).rows;
      } catch (e) {
        this.drop();
        if (this.options.reconnectOnReadOnly === false && (e as { code?: string }).code === READ_ONLY_SQLSTATE) {
          // The next connection reads the secret again, wherever the writer went.
          this.secret = undefined;
          throw e;
        }
        if (attempt >= 2 || !isReconnectable(e, sent)) throw e;
        // The writer may have moved, or the credentials changed: read the secret again.
        this.secret = undefined;
      }
    }
  }

  /** Closes the connection (tests; a Lambda environment keeps it). */
  public async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    if (!this.secret) {
      this.secret = await this.readSecret();
      this.secretReads++;
    }
    const s = this.secret;
    const client = new Client({
      host: this.options.host ?? s.host,
      port: s.port,
      user: s.username,
      password: s.password,
      database: this.options.database ?? s.dbname ?? 'postgres',
      ssl: this.options.ssl ?? { rejectUnauthorized: true },
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5_000,
      application_name: 'remittance-api',
    });
    // A connection cut while idle (the writer moved) must not crash the environment.
    client.on('error', () => this.drop());
    await client.connect();
    this.connections++;
    this.client = client;
    return client;
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => undefined);
  }
}

/**
 * The writes of an active/active Region. Each goes first to the Region's own reader
 * endpoint: in a Region without the writer, Aurora forwards a read-write transaction
 * there to the writer's Region (global write forwarding), and the session reads its own
 * writes back (consistency mode SESSION). When that endpoint refuses the write as
 * read-only (25006: it leads to a replica of the writer's own cluster, which forwards
 * nothing, or forwarding is off), the write goes to the global writer endpoint instead,
 * and the next ones too, until that endpoint refuses in turn (the writer moved away): then
 * back to the reader endpoint. A refusal as read-only applied nothing, so a write is never
 * applied twice. Any other error is the caller's, as with {@link Database}; after one on
 * the writer endpoint, the next write tries the Region's own endpoint first.
 */
export class ForwardedWrites implements Queries {
  /** The endpoint the next write goes to first. */
  private toWriter = false;
  /** Writes sent on to the writer endpoint after the local endpoint refused them, for the logs (and the tests). */
  public fallbacks = 0;

  /**
   * @param local the Region's reader endpoint
   * @param writer the global writer endpoint
   * Both built with `reconnectOnReadOnly: false`: a read-only refusal moves to the other one.
   */
  constructor(private readonly local: Database, private readonly writer: Database) {}

  public async query<R extends QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    for (let attempt = 1; ; attempt++) {
      const viaWriter = this.toWriter;
      try {
        return await (viaWriter ? this.writer : this.local).query<R>(text, values);
      } catch (e) {
        const readOnly = (e as { code?: string }).code === READ_ONLY_SQLSTATE;
        // Whatever failed on the writer endpoint, the next write tries the Region's own endpoint
        // first: in a Region the writer left, the global writer endpoint leads out of the Region.
        this.toWriter = readOnly ? !viaWriter : false;
        // Three tries at most, each on the other endpoint: the writer left, this Region refuses, the writer found again.
        if (!readOnly || attempt >= 3) throw e;
        if (this.toWriter) this.fallbacks++;
      }
    }
  }

  public async close(): Promise<void> {
    await Promise.all([this.local.close(), this.writer.close()]);
  }
}
