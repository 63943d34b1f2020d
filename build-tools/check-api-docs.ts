/**
 * The public API's documentation, read from the jsii assembly (`.jsii`, written by
 * `npx projen compile`): every type, property, method and parameter has a summary, and
 * every optional property of a struct says its `@default`. Run after the compile in
 * `.ci/run`; exits 1 naming each member that lacks one.
 *
 *   ts-node --project build-tools/tsconfig.json build-tools/check-api-docs.ts
 */
import * as fs from 'fs';
import * as path from 'path';

interface Docs { readonly summary?: string; readonly default?: string }
interface Member { readonly name: string; readonly docs?: Docs; readonly optional?: boolean; readonly parameters?: Member[] }
interface JsiiType {
  readonly kind: string;
  readonly datatype?: boolean;
  readonly docs?: Docs;
  readonly properties?: Member[];
  readonly methods?: Member[];
  readonly initializer?: Member;
}

/** What the assembly's documentation lacks, one line per member. */
export function undocumented(types: Record<string, JsiiType>): string[] {
  const problems: string[] = [];
  for (const [fqn, type] of Object.entries(types)) {
    if (!type.docs?.summary) problems.push(`${fqn}: no summary`);
    for (const p of type.properties ?? []) {
      if (!p.docs?.summary) problems.push(`${fqn}.${p.name}: no summary`);
      if (type.datatype && p.optional && p.docs?.default === undefined) problems.push(`${fqn}.${p.name}: optional, and no @default`);
    }
    for (const m of [...type.methods ?? [], ...(type.initializer ? [{ ...type.initializer, name: 'constructor' }] : [])]) {
      if (m.name !== 'constructor' && !m.docs?.summary) problems.push(`${fqn}.${m.name}(): no summary`);
      for (const param of m.parameters ?? []) if (!param.docs?.summary) problems.push(`${fqn}.${m.name}(${param.name}): no summary`);
    }
  }
  return problems;
}

if (require.main === module) {
  const file = path.join(__dirname, '..', '.jsii');
  if (!fs.existsSync(file)) {
    console.error('no .jsii: run `npx projen compile` first');
    process.exit(2);
  }
  const assembly = JSON.parse(fs.readFileSync(file, 'utf8')) as { types: Record<string, JsiiType> };
  const problems = undocumented(assembly.types);
  for (const p of problems) console.error(p);
  console.log(`${Object.keys(assembly.types).length} public types: ${problems.length === 0 ? 'every member documented' : `${problems.length} member(s) undocumented`}`);
  process.exit(problems.length === 0 ? 0 : 1);
}
