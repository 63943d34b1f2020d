import { buildSecurityApp } from './security-app';
import { packFindings, PACKS } from '../nag';

/**
 * Every resource the library creates is clean against the five cdk-nag packs, in apps of
 * 2, 3 and 5 Regions, with and without a concrete account (an acknowledgement id that
 * names an ARN must match the synthesized one, which holds the literal account when the
 * stack has one). What the example app adds itself (its VPC and its handler) is the
 * user's to answer for and is left out.
 */
const USER_OWNED = /^orders-[a-z0-9-]+\/(Vpc|WhereAmI|WhereAmILogs|WhereAmIRole)(\/|$)/;

describe.each([2, 3, 5])('%i Regions', (regions) => {
  test.each([['environment-agnostic', undefined], ['with account 123456789012', '123456789012']])('%s: no unacknowledged finding in any pack', (_title, account) => {
    const findings = packFindings(buildSecurityApp(regions, account)).filter((f) => !USER_OWNED.test(f.path));
    expect(findings.map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });
});

test('the five packs are the ones docs/security.md names, and the user-owned resources do have findings (the filter is not empty-handed)', () => {
  expect(Object.keys(PACKS)).toEqual(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless']);
  const all = packFindings(buildSecurityApp(2, '123456789012'));
  expect(all.filter((f) => USER_OWNED.test(f.path)).length).toBeGreaterThan(10);
});
