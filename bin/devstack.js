#!/usr/bin/env node
// Kept tiny: everything else loads on demand so `devstack --version` starts fast.
import { run } from "../dist/cli/main.js";

await run(process.argv.slice(2));
