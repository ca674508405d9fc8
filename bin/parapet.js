#!/usr/bin/env -S node --max-semi-space-size=8
// Entry point for `npx parapet`. Node 24 runs the TypeScript sources directly
// (type stripping), so there is no build step.
//
// --max-semi-space-size=8: V8 sizes its young generation from the machine's
// memory; on a large machine a streaming export then keeps ~140 MB of garbage
// heap. 8 MB semi-spaces halved an export's peak RSS and made it ~10% faster
// (docs/benchmarks.md). `npm start` passes the same flag.
import '../src/cli/main.ts';
