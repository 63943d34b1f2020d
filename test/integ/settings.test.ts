import {
  contextArguments, contextThenEnv, deployProblems, newRunName, parseContextArguments, PLACEHOLDER_ZONE, readSettings, SettingKey,
} from './settings';

const from = (values: Partial<Record<SettingKey, string>>) => (key: SettingKey) => values[key];
const ZONE = { hostedZoneId: 'Z1ABCDEFGHIJKL', zoneName: 'test.example.org' };

describe('readSettings', () => {
  test('defaults synthesize offline: us-east-1 and us-west-2, routing in us-west-2, the placeholder zone', () => {
    expect(readSettings(from({}))).toEqual({
      name: 'integ',
      regions: ['us-east-1', 'us-west-2'],
      routingRegion: 'us-west-2',
      ...PLACEHOLDER_ZONE,
      domainName: 'integ.example.com',
      arcClusterArn: undefined,
    });
  });

  test('every setting given; the API answers at <name>.<zone>, a trailing dot dropped', () => {
    const arc = 'arn:aws:route53-recovery-control::111111111111:cluster/0123abcd-4567-89ef-0123-456789abcdef';
    expect(readSettings(from({
      name: 'integ-k2x9a01',
      primaryRegion: 'eu-west-1',
      secondaryRegion: 'eu-central-1',
      routingRegion: 'us-east-1',
      hostedZoneId: ZONE.hostedZoneId,
      zoneName: `${ZONE.zoneName}.`,
      arcClusterArn: arc,
    }))).toEqual({
      name: 'integ-k2x9a01',
      regions: ['eu-west-1', 'eu-central-1'],
      routingRegion: 'us-east-1',
      ...ZONE,
      domainName: 'integ-k2x9a01.test.example.org',
      arcClusterArn: arc,
    });
  });

  test('blank values fall back to the defaults', () => {
    expect(readSettings(from({ name: ' ', primaryRegion: '', arcClusterArn: ' ' }))).toMatchObject({ name: 'integ', regions: ['us-east-1', 'us-west-2'], arcClusterArn: undefined });
  });

  test('every problem at once', () => {
    expect(() => readSettings(from({
      name: 'Integ_1', primaryRegion: 'us-west-2', secondaryRegion: 'us-west-2', routingRegion: 'eu-west-1', arcClusterArn: 'arn:aws:s3:::bucket',
    }))).toThrow('integration test settings: ' + [
      "name 'Integ_1' must be 2 to 25 lowercase letters, digits and hyphens, starting with a letter",
      "primaryRegion and secondaryRegion are both 'us-west-2': give two different Regions",
      "routingRegion 'eu-west-1' must be us-west-2 or us-east-1 (where CloudFormation offers ARC resources)",
      "arcClusterArn 'arn:aws:s3:::bucket' is not an ARC cluster ARN (arn:aws:route53-recovery-control::<account>:cluster/<id>)",
    ].join('; '));
  });

  test.each([
    ['name', 'a', 'name \'a\''],
    ['name', `integ-${'x'.repeat(20)}`, 'must be 2 to 25'],
    ['name', 'integ-', 'must be 2 to 25'],
    ['primaryRegion', 'useast1', "primaryRegion 'useast1' is not an AWS Region name"],
    ['secondaryRegion', 'US-WEST-2', "secondaryRegion 'US-WEST-2' is not an AWS Region name"],
    ['routingRegion', 'west', "routingRegion 'west' is not an AWS Region name"],
  ])('%s %s is refused', (key, value, message) => {
    expect(() => readSettings(from({ [key]: value }))).toThrow(message);
  });
});

describe('contextThenEnv', () => {
  test('the CDK context first, then the environment variable of the same setting', () => {
    const lookup = contextThenEnv((key) => ({ name: 'from-context', zoneName: '' } as Record<string, unknown>)[key], {
      INTEG_NAME: 'from-env', ZONE_NAME: 'env.example.org', PRIMARY_REGION: 'eu-west-1',
    });
    expect(lookup('name')).toBe('from-context');
    expect(lookup('zoneName')).toBe('env.example.org');
    expect(lookup('primaryRegion')).toBe('eu-west-1');
    expect(lookup('secondaryRegion')).toBeUndefined();
  });

  test('a context value that is not a string (cdk.json) is not taken', () => {
    expect(contextThenEnv(() => 42, { INTEG_NAME: 'integ-env' })('name')).toBe('integ-env');
  });
});

describe('newRunName', () => {
  test('integ- and 8 base-36 characters, a valid name', () => {
    const name = newRunName(Date.UTC(2025, 0, 1), 0.5);
    expect(name).toMatch(/^integ-[0-9a-z]{8}$/);
    expect(readSettings(from({ name })).name).toBe(name);
  });

  test('differs by the second and by the random part', () => {
    const t = Date.UTC(2025, 0, 1);
    expect(newRunName(t, 0.5)).not.toBe(newRunName(t + 1000, 0.5));
    expect(newRunName(t, 0.1)).not.toBe(newRunName(t, 0.2));
    expect(newRunName(t, 0)).toMatch(/000$/);
    expect(newRunName(t, 0.9999999)).toMatch(/^integ-[0-9a-z]{8}$/);
  });
});

describe('deployProblems', () => {
  test('the placeholder zone cannot be deployed', () => {
    expect(deployProblems(readSettings(from({})))).toEqual([
      'a public hosted zone of the account is needed (its certificates are validated by DNS in it): ' +
        '-c hostedZoneId=Z... -c zoneName=<its name>, or HOSTED_ZONE_ID and ZONE_NAME',
    ]);
    expect(deployProblems(readSettings(from({ hostedZoneId: ZONE.hostedZoneId })))).toHaveLength(1);
    expect(deployProblems(readSettings(from(ZONE)))).toEqual([]);
  });
});

describe('contextArguments', () => {
  test('every setting as -c, so the CDK CLI synthesizes what the driver checks; an unset ARC cluster left out', () => {
    expect(contextArguments(readSettings(from({ name: 'integ-abc', ...ZONE })))).toEqual([
      '-c', 'name=integ-abc', '-c', 'primaryRegion=us-east-1', '-c', 'secondaryRegion=us-west-2', '-c', 'routingRegion=us-west-2',
      '-c', `hostedZoneId=${ZONE.hostedZoneId}`, '-c', `zoneName=${ZONE.zoneName}`,
    ]);
  });

  test('read back, they give the same settings', () => {
    const settings = readSettings(from({
      name: 'integ-abc', ...ZONE, arcClusterArn: 'arn:aws:route53-recovery-control::111111111111:cluster/abc-123',
    }));
    const { context } = parseContextArguments(contextArguments(settings));
    expect(readSettings(from(context))).toEqual(settings);
  });
});

describe('parseContextArguments', () => {
  test('-c, --context and --context=, apart from the other arguments', () => {
    expect(parseContextArguments(['run', '-c', 'name=integ-a', '--context', 'zoneName=a.example.org', '--context=hostedZoneId=Z1=2', '--keep'])).toEqual({
      context: { name: 'integ-a', zoneName: 'a.example.org', hostedZoneId: 'Z1=2' },
      rest: ['run', '--keep'],
    });
  });

  test.each([
    [['-c'], "-c needs key=value, got ''"],
    [['-c', 'name'], "-c needs key=value, got 'name'"],
    [['--context', '=x'], "--context needs key=value, got '=x'"],
    [['-c', 'region=us-east-1'], "unknown setting 'region': use name, primaryRegion, secondaryRegion, routingRegion, hostedZoneId, zoneName, arcClusterArn"],
  ])('%j is refused', (argv, message) => {
    expect(() => parseContextArguments(argv)).toThrow(message);
  });
});
