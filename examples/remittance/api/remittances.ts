/**
 * The remittance API behind API Gateway (Lambda proxy integration): list, create, read,
 * update and delete the caller's remittances. Every answer says which Region served it.
 * Bad input is answered 400 with the reason, never 500; a database that cannot be
 * reached (a failover under way) is answered 503, to be retried.
 */
import { Queries } from './db';
import { Remittance } from './model';

export type { Remittance };

/** The parts of an API Gateway proxy event the API reads. */
export interface ApiEvent {
  readonly httpMethod: string;
  readonly path?: string;
  readonly resource?: string;
  readonly pathParameters?: Record<string, string | undefined> | null;
  readonly body?: string | null;
  readonly requestContext?: { readonly authorizer?: { readonly claims?: Record<string, string | undefined> } | null };
}

export interface ApiResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}


/** What a create or an update sends. */
interface RemittanceInput {
  readonly sender: string;
  readonly recipient: string;
  readonly amount: string;
  readonly currency: string;
  readonly note: string | null;
}

class BadRequest extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AMOUNT = /^(?:0|[1-9]\d{0,11})(?:\.\d{1,2})?$/;

/** Checks a create or update body; throws a {@link BadRequest} naming the field and what it needs. */
export function parseInput(body: string | null | undefined): RemittanceInput {
  if (!body) throw new BadRequest('the request has no body: send a JSON object with sender, recipient, amount and currency');
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new BadRequest('the body is not JSON: send a JSON object with sender, recipient, amount and currency');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new BadRequest('the body must be a JSON object');
  const d = data as Record<string, unknown>;
  const known = ['sender', 'recipient', 'amount', 'currency', 'note', 'version'];
  const unknown = Object.keys(d).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new BadRequest(`unknown field ${unknown.map((k) => `'${k}'`).join(', ')}: the fields are ${known.join(', ')}`);
  const name = (key: string) => {
    const v = d[key];
    if (typeof v !== 'string' || v.trim().length === 0 || v.trim().length > 100) throw new BadRequest(`'${key}' must be a name of 1 to 100 characters`);
    return v.trim();
  };
  const amountText = typeof d.amount === 'number' ? String(d.amount) : d.amount;
  if (typeof amountText !== 'string' || !AMOUNT.test(amountText) || Number(amountText) <= 0) {
    throw new BadRequest(`'amount' must be a positive amount with at most 2 decimals and 12 digits before the point, like "125.50"; got ${JSON.stringify(d.amount)}`);
  }
  if (typeof d.currency !== 'string' || !/^[A-Z]{3}$/.test(d.currency)) {
    throw new BadRequest(`'currency' must be an ISO 4217 code of 3 capital letters, like "EUR"; got ${JSON.stringify(d.currency)}`);
  }
  if (d.note !== undefined && d.note !== null && (typeof d.note !== 'string' || d.note.length > 500)) {
    throw new BadRequest("'note' must be a text of at most 500 characters");
  }
  return { sender: name('sender'), recipient: name('recipient'), amount: Number(amountText).toFixed(2), currency: d.currency, note: (d.note as string | undefined) ?? null };
}

const COLUMNS = `id, sender, recipient, amount::text AS amount, currency, note, created_in AS "createdIn",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt", version`;

/** A JSON answer that names the Region that served it, in a header and in the body. */
export function jsonReply(region: string, statusCode: number, payload: object): ApiResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-served-by': region },
    body: JSON.stringify({ ...payload, servedBy: region }),
  };
}

/** The 401 answer when the request carries no Cognito identity (no authorizer claims); undefined when it does. */
export function unauthenticated(event: ApiEvent, region: string): ApiResult | undefined {
  return event.requestContext?.authorizer?.claims?.sub
    ? undefined
    : jsonReply(region, 401, { error: 'not signed in: the request carries no Cognito identity' });
}

/**
 * Answers one request on `/remittances` (no `id` path parameter) or `/remittances/{id}`:
 * the reads (a list, one remittance) on `reads`, every statement of a write on `db`.
 */
export async function handleRequest(event: ApiEvent, db: Queries, region: string, reads: Queries = db): Promise<ApiResult> {
  const reply = (statusCode: number, payload: object): ApiResult => jsonReply(region, statusCode, payload);
  const refused = unauthenticated(event, region);
  if (refused) return refused;
  const caller = event.requestContext!.authorizer!.claims!.sub!;
  const id = event.pathParameters?.id;
  try {
    if (id !== undefined && !UUID.test(id)) throw new BadRequest(`'${id}' is not a remittance id (a UUID)`);
    const resource = id === undefined ? 'collection' : 'item';
    switch (`${event.httpMethod} ${resource}`) {
      case 'GET collection': {
        const rows = await reads.query<Remittance>(`SELECT ${COLUMNS} FROM remittances WHERE created_by = $1 ORDER BY created_at DESC, id LIMIT 100`, [caller]);
        return reply(200, { remittances: rows });
      }
      case 'POST collection': {
        const input = parseInput(event.body);
        const [row] = await db.query<Remittance>(
          `INSERT INTO remittances (sender, recipient, amount, currency, note, created_by, created_in)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
          [input.sender, input.recipient, input.amount, input.currency, input.note, caller, region]);
        return reply(201, { remittance: row });
      }
      case 'GET item': {
        const [row] = await reads.query<Remittance>(`SELECT ${COLUMNS} FROM remittances WHERE id = $1 AND created_by = $2`, [id, caller]);
        return row ? reply(200, { remittance: row }) : reply(404, { error: `no remittance ${id}` });
      }
      case 'PUT item': {
        const input = parseInput(event.body);
        const version = (JSON.parse(event.body!) as { version?: unknown }).version;
        if (!Number.isInteger(version)) throw new BadRequest("'version' must be the version you read (a whole number): it guards against overwriting a newer change");
        const [row] = await db.query<Remittance>(
          `UPDATE remittances SET sender = $1, recipient = $2, amount = $3, currency = $4, note = $5, updated_at = now(), version = version + 1
           WHERE id = $6 AND created_by = $7 AND version = $8 RETURNING ${COLUMNS}`,
          [input.sender, input.recipient, input.amount, input.currency, input.note, id, caller, version]);
        if (row) return reply(200, { remittance: row });
        const [exists] = await db.query<{ version: number }>('SELECT version FROM remittances WHERE id = $1 AND created_by = $2', [id, caller]);
        return exists
          ? reply(409, { error: `remittance ${id} is at version ${exists.version}, not ${version}: read it again and retry` })
          : reply(404, { error: `no remittance ${id}` });
      }
      case 'DELETE item': {
        const rows = await db.query('DELETE FROM remittances WHERE id = $1 AND created_by = $2 RETURNING id', [id, caller]);
        return rows.length > 0 ? reply(200, { deleted: id }) : reply(404, { error: `no remittance ${id}` });
      }
      default:
        return reply(405, { error: `${event.httpMethod} is not allowed here: use GET or POST on /remittances, GET, PUT or DELETE on /remittances/{id}` });
    }
  } catch (e) {
    if (e instanceof BadRequest) return reply(400, { error: e.message });
    const code = (e as { code?: string }).code;
    // Data the database refused (a check, a too-long value): the caller's input, not a fault.
    if (code && /^(22|23)/.test(code)) return reply(400, { error: `the database refused the values: ${(e as Error).message}` });
    console.error(JSON.stringify({ error: (e as Error).message, code }));
    return reply(503, { error: 'the database is not reachable right now (a failover may be under way): retry in a few seconds' });
  }
}
