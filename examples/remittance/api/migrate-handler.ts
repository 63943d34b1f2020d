/**
 * The schema custom resource's handler (the onEvent handler of a custom resource
 * provider): on Create and Update it applies the migrations not yet applied, through the
 * global writer endpoint; on Delete it leaves the data alone. Right after the cluster was
 * created its endpoint may not answer yet, so connecting is retried for up to 10 minutes
 * before the deploy is failed with the last error.
 */
import { databaseFromEnvironment } from './environment';
import { MIGRATIONS, migrate } from './schema';

interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
}

const PHYSICAL_ID = 'remittance-schema';
const db = databaseFromEnvironment();

export async function handler(event: CustomResourceEvent, _context?: unknown, waitMs = 15_000, deadlineMs = 10 * 60_000) {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_ID };
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await migrate(db);
      console.log(JSON.stringify({ migrations: 'applied', versions: applied, attempt }));
      return {
        PhysicalResourceId: PHYSICAL_ID,
        Data: { Applied: applied.length > 0 ? applied.join(',') : 'none', Latest: String(Math.max(...MIGRATIONS.map((m) => m.version))) },
      };
    } catch (e) {
      const message = (e as Error).message;
      console.log(JSON.stringify({ migrations: 'not yet', attempt, error: message }));
      if (Date.now() + waitMs > deadline) {
        throw new Error(`the schema could not be migrated after ${attempt} attempts: ${message}. ` +
          'Check that the writer instance is available and that the function may reach it (security group, Secrets Manager endpoint), then deploy again.');
      }
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
