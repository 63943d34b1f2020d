import * as fs from 'fs';
import * as path from 'path';
import { releaseNotes, unreleased } from '../build-tools/release-notes';

test('the release notes are the "Unreleased" section under the version', () => {
  const changelog = '# Changelog\n\nIntro.\n\n## Unreleased\n\n### Added\n- a thing\n\n## 1.0.0 (2026-01-01)\n\n- the first\n';
  expect(releaseNotes(changelog, '1.1.0', '2026-12-01')).toBe('## 1.1.0 (2026-12-01)\n\n### Added\n- a thing\n');
});

test('no section, or an empty one, stops the release with what to do', () => {
  expect(() => unreleased('# Changelog\n\n## 1.0.0\n- x\n')).toThrow('CHANGELOG.md has no "## Unreleased" section: add one with the changes of this release');
  expect(() => unreleased('# Changelog\n\n## Unreleased\n\n## 1.0.0\n- x\n')).toThrow('section is empty');
});

test('CHANGELOG.md has the "Unreleased" section a release reads', () => {
  expect(fs.readFileSync(path.join(__dirname, '..', 'CHANGELOG.md'), 'utf8')).toMatch(/^## Unreleased$/m);
});
