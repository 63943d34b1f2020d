import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The documentation's Mermaid diagrams parse with mermaid's own parser
 * (build-tools/check-diagrams.mjs): a diagram that would not render on GitHub fails here.
 */
const root = path.join(__dirname, '..');
const check = (files: string[]) => spawnSync(process.execPath, [path.join(root, 'build-tools', 'check-diagrams.mjs'), ...files], { cwd: root, encoding: 'utf8', timeout: 60_000 });

test('README has the architecture diagram, and every diagram of README.md and docs/ parses', () => {
  const docs = fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  const r = check(['README.md', ...docs]);
  expect(r.stdout).toContain('ok README.md:');
  expect(r.stdout).not.toContain('BROKEN');
  expect(r.status).toBe(0);
});

test('a diagram that does not parse is named, and fails the check', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diagrams-'));
  try {
    const file = path.join(dir, 'broken.md');
    fs.writeFileSync(file, '# x\n\n```mermaid\nflowchart LR\n  a["unclosed --> b\n```\n');
    const r = check([file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`BROKEN ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: Parse error`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
