import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { jsonSchema, SCHEMA_FILES } from "../../config/json-schema.js";
import { UsageError } from "../../errors.js";
import { writeFileAtomic } from "../../fs/atomic.js";
import { out, printResult } from "../output.js";

export async function run(options: { out?: string; json?: boolean }, [which = "app"]: string[]): Promise<number> {
  if (options.out) {
    mkdirSync(options.out, { recursive: true });
    const files: string[] = [];
    for (const kind of ["app", "profile"] as const) {
      const file = join(options.out, SCHEMA_FILES[kind]);
      await writeFileAtomic(file, `${JSON.stringify(jsonSchema(kind), null, 2)}\n`);
      files.push(file);
      if (!options.json) out(`wrote ${file}`);
    }
    if (options.json) printResult("schema", { files });
    return 0;
  }
  if (which !== "app" && which !== "profile") {
    throw new UsageError(`unknown schema "${which}"`, "use `devstack schema app` or `devstack schema profile`");
  }
  // Without --json the schema itself is the output, a document for editors (pretty, many lines).
  if (options.json) printResult("schema", { which, schema: jsonSchema(which) });
  else out(JSON.stringify(jsonSchema(which), null, 2));
  return 0;
}
