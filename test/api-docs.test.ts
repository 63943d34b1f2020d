import { undocumented } from '../build-tools/check-api-docs';

test('a member with no summary, or an optional struct property with no @default, is named', () => {
  expect(undocumented({
    'lib.Props': {
      kind: 'interface',
      datatype: true,
      docs: { summary: 'The props.' },
      properties: [
        { name: 'a', optional: true, docs: { summary: 'A.', default: '1' } },
        { name: 'b', optional: true, docs: { summary: 'B.' } },
        { name: 'c', docs: {} },
      ],
    },
    'lib.Thing': {
      kind: 'class',
      docs: {},
      methods: [{ name: 'grant', docs: { summary: 'Grants.' }, parameters: [{ name: 'grantee', docs: {} }] }],
    },
  })).toEqual([
    'lib.Props.b: optional, and no @default',
    'lib.Props.c: no summary',
    'lib.Thing: no summary',
    'lib.Thing.grant(grantee): no summary',
  ]);
});
