#!/usr/bin/env node
// Kept tiny: everything else loads on demand so `devstack --version` starts fast.
// The default import: a named one of what an old Node lacks would fail before the version check.
import module from "node:module";
import { nodeTooOld, olderThan } from "../dist/node-version.js";

if (olderThan(process.versions.node)) {
  process.stderr.write(nodeTooOld(process.versions.node));
  process.exit(2);
}
// V8's compiled code for devstack and its dependencies, kept between runs where Node keeps it (the OS temp directory; NODE_COMPILE_CACHE
// moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off), not in devstack's home, whose disk also holds the secret store: a command starts
// 40–90 ms sooner. Where it cannot be written, nothing changes.
module.enableCompileCache?.();
const { run } = await import("../dist/cli/main.js");
await run(process.argv.slice(2));
