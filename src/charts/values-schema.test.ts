import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { webappValuesJsonSchema } from "./webapp-values.js";

describe("charts/webapp/values.schema.json", () => {
  it("is generated from the values contract (run `npm run gen:chart-schema` after changing it)", () => {
    const committed = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "charts", "webapp", "values.schema.json"), "utf8"));
    expect(committed).toEqual(webappValuesJsonSchema());
  });
});
