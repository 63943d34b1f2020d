import * as fs from 'fs';
import * as path from 'path';

/**
 * README's usage snippets are the consumer apps the tests and CI run. Each snippet is
 * marked `<!-- snippet: <path> -->` and must equal that file, so the code a reader
 * copies is code that compiles and synthesizes.
 */
const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const snippets = [...readme.matchAll(/<!-- snippet: (\S+) -->\n```\w+\n([\s\S]*?)```/g)].map((m) => ({ file: m[1], code: m[2] }));

test('README shows the usage of every language, each from a consumer app', () => {
  expect(snippets.map((s) => s.file)).toEqual([
    'test/consumers/typescript/app.ts',
    'test/consumers/python/app.py',
    'test/consumers/java/src/main/java/io/github/cdkcrossregionfailover/consumer/OrdersApp.java',
    'test/consumers/go/app.go',
    'test/consumers/typescript/routed-api.ts',
    'test/consumers/typescript/runbooks.ts',
    'test/consumers/typescript/observed.ts',
  ]);
});

test.each(snippets.map((s) => [s.file, s.code]))('README snippet %s is the file the tests run', (file, code) => {
  // In the repository the TypeScript app imports the source; a user imports the package.
  const expected = fs.readFileSync(path.join(root, file), 'utf8').replace("from '../../../src';", "from 'cdk-cross-region-failover';");
  expect(code).toBe(expected);
});

test('README\'s Performance section shows the table the last `npm run bench` wrote', () => {
  const table = fs.readFileSync(path.join(root, 'benchmarks', 'latest.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Performance'));
  expect(section).toContain(table);
});
