import { defineConfig } from 'vite';

// The remittance UI: one page, built into ./dist, which the example's stacks upload to
// S3 in every Region. config.json is not part of the build: each Region's stack (or the
// local run) serves its own.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // One page with Cloudscape's components: about 870 KB minified, 230 KB compressed.
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      // Cloudscape's modules start with 'use client' (for React server components), which a browser bundle has no use for.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
