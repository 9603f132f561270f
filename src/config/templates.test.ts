import { describe, expect, it } from "vitest";
import { expandTemplate } from "./templates.js";

const scope = { values: new Map([["app.name", "shop"], ["url", "https://shop.localhost"]]), unavailable: new Map([["host", "not yet"]]) };

describe("expandTemplate", () => {
  it("replaces every reference and leaves the rest", () => {
    expect(expandTemplate("${app.name} at ${url}/x", scope)).toEqual({ value: "shop at https://shop.localhost/x", errors: [] });
  });

  it("tolerates spaces inside the braces", () => {
    expect(expandTemplate("${ app.name }", scope).value).toBe("shop");
  });

  it("keeps $${ as a literal ${", () => {
    expect(expandTemplate("$${app.name} and ${app.name}", scope).value).toBe("${app.name} and shop");
  });

  it("reports an unknown reference with its index and a suggestion", () => {
    const { errors } = expandTemplate("x ${app.nmae}", scope);
    expect(errors).toEqual([{ index: 2, token: "${app.nmae}", message: expect.stringContaining('did you mean "app.name"') }]);
  });

  it("says why a known name is unavailable here", () => {
    expect(expandTemplate("${host}", scope).errors[0]?.message).toBe("${host} cannot be used here: not yet");
  });

  it("never resolves secrets", () => {
    expect(expandTemplate("${secrets.KEY}", scope).errors[0]?.message).toMatch(/secret values are never available/);
  });

  it("reports an unterminated and an empty template", () => {
    expect(expandTemplate("${url", scope).errors[0]?.message).toMatch(/unterminated/);
    expect(expandTemplate("${}", scope).errors[0]?.message).toMatch(/empty template/);
  });
});
