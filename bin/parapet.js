#!/usr/bin/env node
// Entry point for `npx parapet`. Node 24 runs the TypeScript sources directly
// (type stripping), so there is no build step.
import '../src/cli/main.ts';
