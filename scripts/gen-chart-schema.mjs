#!/usr/bin/env node
// Writes charts/webapp/values.schema.json from the zod values contract in
// src/charts/webapp-values.ts (run after `npm run build`); a unit test fails
// when the committed file and the contract drift apart.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const { webappValuesJsonSchema } = await import("../dist/charts/webapp-values.js");
const target = fileURLToPath(new URL("../charts/webapp/values.schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(webappValuesJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
