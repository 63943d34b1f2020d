import * as fs from 'fs';
import * as path from 'path';
import { Validations } from 'aws-cdk-lib';
import { buildSecurityApp } from './security-app';
import { PACKS } from '../nag';

/**
 * docs/security.md says what each acknowledgement means: every rule the library
 * acknowledges, in every pack it acknowledges it for, has a row there, and every row is
 * one the library does acknowledge (no stale reason for a finding that is gone).
 */
const section = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');
const rows = [...section.matchAll(/^\| (`[^|]+`) \| ([^|]+) \| [^|]+ \| [^|]+ \|$/gm)].map((m) => ({
  rules: [...m[1].matchAll(/`([A-Za-z0-9]+)`/g)].map((r) => r[1]),
  packs: m[2].split(',').map((p) => p.trim()),
}));

/** [pack, rule] of every acknowledgement in the security apps, outside what the example app owns. */
function acknowledged(): Set<string> {
  const found = new Set<string>();
  for (const account of [undefined, '123456789012']) {
    for (const construct of buildSecurityApp(3, account).node.findAll()) {
      if (/\/(Vpc|WhereAmI|WhereAmILogs|WhereAmIRole)(\/|$)/.test(construct.node.path)) continue;
      for (const entry of construct.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
        for (const id of Object.keys(entry.data as Record<string, string>)) {
          const [, pack, rule] = /^(?:annotation::)?([A-Za-z0-9.]+)-([A-Za-z0-9]+)(?:\[.*)?$/.exec(id)!;
          found.add(`${pack} ${rule}`);
        }
      }
    }
  }
  return found;
}

test('the table has rows, and names only the five packs', () => {
  expect(rows.length).toBeGreaterThan(10);
  for (const row of rows) for (const pack of row.packs) expect(Object.keys(PACKS)).toContain(pack);
});

test('every acknowledgement the library makes has its rule and pack in docs/security.md, and every row is still made', () => {
  const made = acknowledged();
  expect(made.size).toBeGreaterThan(20);
  const documented = new Set(rows.flatMap((row) => row.rules.flatMap((rule) => row.packs.map((pack) => `${pack} ${rule}`))));
  expect([...made].filter((a) => !documented.has(a)).sort()).toEqual([]);
  // A row may list a pack for one of its rules only (SMG4 is AwsSolutions', SecretsManagerRotationEnabled NIST's and HIPAA's).
  for (const row of rows) {
    for (const rule of row.rules) expect({ rule, made: row.packs.some((pack) => made.has(`${pack} ${rule}`)) }).toEqual({ rule, made: true });
  }
});
