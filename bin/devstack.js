#!/usr/bin/env node
// Kept tiny: everything else loads on demand so `devstack --version` starts fast.
import { nodeTooOld, olderThan } from "../dist/node-version.js";

if (olderThan(process.versions.node)) {
  process.stderr.write(nodeTooOld(process.versions.node));
  process.exit(2);
}
const { run } = await import("../dist/cli/main.js");
await run(process.argv.slice(2));
