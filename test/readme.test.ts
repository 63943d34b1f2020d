import * as fs from 'fs';
import * as path from 'path';

/**
 * The code a reader copies from README.md and docs/ is code CI runs: every block of
 * TypeScript, Python, Java or Go is marked `<!-- snippet: <path> -->` and must equal that
 * file, one of the consumer apps the tests and CI compile, synthesize and run.
 */
const root = path.join(__dirname, '..');
const DOCS = ['README.md', 'CONTRIBUTING.md', 'TESTING.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const CODE = /^```(ts|typescript|tsx|js|python|py|java|go)\b/;

function blocks(doc: string) {
  const lines = fs.readFileSync(path.join(root, doc), 'utf8').split('\n');
  const found: { doc: string; line: number; file?: string; code: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!CODE.test(lines[i])) continue;
    const end = lines.indexOf('```', i + 1);
    const marker = /^<!-- snippet: (\S+) -->$/.exec(lines[i - 1] ?? '');
    found.push({ doc, line: i + 1, file: marker?.[1], code: lines.slice(i + 1, end).join('\n') + '\n' });
    i = end;
  }
  return found;
}

const all = DOCS.flatMap(blocks);

test('README shows the TypeScript usage of each construct; docs/languages.md that of Python, Java and Go', () => {
  expect(all.filter((b) => b.doc === 'README.md').map((b) => b.file)).toEqual([
    'test/consumers/typescript/app.ts',
    'test/consumers/typescript/routed-api.ts',
    'test/consumers/typescript/runbooks.ts',
    'test/consumers/typescript/observed.ts',
  ]);
  expect(all.filter((b) => b.doc === 'docs/languages.md').map((b) => b.file)).toEqual([
    'test/consumers/python/app.py',
    'test/consumers/python/observed.py',
    'test/consumers/java/src/main/java/io/github/cdkcrossregionfailover/consumer/OrdersApp.java',
    'test/consumers/go/app.go',
  ]);
});

test('every code block of the documentation names the file CI runs', () => {
  expect(all.filter((b) => b.file === undefined).map((b) => `${b.doc}:${b.line}`)).toEqual([]);
});

test.each(all.filter((b) => b.file !== undefined).map((b) => [`${b.doc}:${b.line}`, b.file!, b.code]))('%s is %s', (_where, file, code) => {
  // In the repository the TypeScript app imports the source; a user imports the package.
  const expected = fs.readFileSync(path.join(root, file), 'utf8').replace("from '../../../src';", "from 'cdk-cross-region-failover';");
  expect(code).toBe(expected);
});

test('docs/performance.md shows the table the last `npm run bench` wrote', () => {
  const table = fs.readFileSync(path.join(root, 'benchmarks', 'latest.md'), 'utf8');
  expect(fs.readFileSync(path.join(root, 'docs', 'performance.md'), 'utf8')).toContain(table);
});
