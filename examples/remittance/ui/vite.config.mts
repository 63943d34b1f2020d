import { defineConfig } from 'vite';

// The remittance UI: one page, built into ./dist, which the example's stacks upload to
// S3 in every Region. config.json is not part of the build: each Region's stack (or the
// local run) serves its own.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  oxc: { jsx: { runtime: 'automatic' } },
});
