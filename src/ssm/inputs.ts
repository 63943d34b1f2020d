/**
 * How the step function reads the values a document passes in `InputPayload`. SSM's
 * reference does not say whether a Boolean, an Integer or a StringList parameter arrives
 * as its type or as text (docs/aws-assumptions.md, S10), so every reader accepts both; the
 * self-test checks on every deployment that what the runbooks send arrives readable.
 */

/** `true`/`false`, or their text; undefined for anything else. */
export function readBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 'true' || value === 'True') return true;
  if (value === false || value === 'false' || value === 'False') return false;
  return undefined;
}

/** A list of strings: an array, its JSON text, or comma-separated text. */
export function readList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter((v) => v !== '');
  if (typeof value === 'string' && value.trim() !== '') {
    // A StringList can arrive as its JSON text.
    try {
      const parsed = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed.map(String).filter((v) => v !== '');
    } catch {
      // a single value
    }
    return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  }
  return [];
}
