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

export class Database {
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
