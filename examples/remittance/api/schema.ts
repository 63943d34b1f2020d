/**
 * The remittance schema as numbered migrations, applied in order, each once, each in a
 * transaction with its record in `schema_migrations`. A deploy custom resource runs
 * `migrate` against the global writer; running it again changes nothing.
 */
import { Database } from './db';

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'remittances',
    sql: `
      CREATE TABLE remittances (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        sender        text NOT NULL CHECK (length(sender) BETWEEN 1 AND 100),
        recipient     text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 100),
        amount        numeric(14, 2) NOT NULL CHECK (amount > 0),
        currency      char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        note          text CHECK (length(note) <= 500),
        created_by    text NOT NULL,
        created_in    text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        version       integer NOT NULL DEFAULT 1
      );
      CREATE INDEX remittances_created_by ON remittances (created_by, created_at DESC);`,
  },
];

/** Applies the migrations not yet applied; answers the versions this call applied. */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, description text NOT NULL, applied_by text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const run = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (!Number.isInteger(m.version) || m.sql.includes('$migration$')) throw new Error(`migration ${m.version} cannot be applied: bad version or SQL`);
    // One transaction per migration: the advisory lock makes concurrent deploys take
    // turns, the check inside it makes the second one skip, and the record commits with
    // the change or not at all.
    await db.query(`DO $migration$ BEGIN
      PERFORM pg_advisory_xact_lock(727274);
      IF NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ${m.version}) THEN
        ${m.sql}
        INSERT INTO schema_migrations (version, description, applied_by) VALUES (${m.version}, ${quote(m.description)}, ${quote(run)});
      END IF;
    END $migration$`);
  }
  const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations WHERE applied_by = $1 ORDER BY version', [run]);
  return rows.map((r) => r.version);
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
