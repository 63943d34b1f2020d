/**
 * The release notes of a release: the "Unreleased" section of CHANGELOG.md, under the
 * version being released. Run by the `bump` task after the version is decided; it
 * writes `dist/changelog.md`, which projen's release publishes as the notes of the
 * GitHub release (in place of a list of commit subjects). The section is kept by hand in
 * each change; CONTRIBUTING.md says how a release moves it under its version.
 *
 *   ts-node build-tools/release-notes.ts          (reads dist/version.txt)
 */
import * as fs from 'fs';
import * as path from 'path';

/** The body of the "## Unreleased" section of `changelog`; an error when it is missing or empty. */
export function unreleased(changelog: string): string {
  const start = changelog.search(/^## Unreleased\s*$/m);
  if (start < 0) throw new Error('CHANGELOG.md has no "## Unreleased" section: add one with the changes of this release');
  const body = changelog.slice(start).split('\n').slice(1);
  const end = body.findIndex((line) => /^## /.test(line));
  const section = (end < 0 ? body : body.slice(0, end)).join('\n').trim();
  if (section === '') throw new Error('CHANGELOG.md\'s "## Unreleased" section is empty: say what this release changes');
  return section;
}

/** The notes of `version`, released on `date` (YYYY-MM-DD). */
export function releaseNotes(changelog: string, version: string, date: string): string {
  return `## ${version} (${date})\n\n${unreleased(changelog)}\n`;
}

if (require.main === module) {
  const root = path.join(__dirname, '..');
  const version = fs.readFileSync(path.join(root, 'dist', 'version.txt'), 'utf8').trim();
  const notes = releaseNotes(fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8'), version, new Date().toISOString().slice(0, 10));
  fs.writeFileSync(path.join(root, 'dist', 'changelog.md'), notes);
  console.log(`dist/changelog.md: the notes of ${version}, from CHANGELOG.md's "Unreleased" section`);
}
