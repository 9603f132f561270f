/**
 * Replaces every secret value devstack knows, in the forms it can take on the
 * way out (plain, base64, base64url, URL-encoded, JSON-escaped, each line of a
 * PEM), with `[secret:NAME]`.
 */
export class Redactor {
  private readonly forms = new Map<string, string>();

  add(name: string, value: string): void {
    if (value.length < 6) return; // too short to be a secret, too likely to appear by chance
    const forms = new Set([
      value,
      Buffer.from(value).toString("base64"),
      Buffer.from(value).toString("base64").replace(/=+$/, ""),
      Buffer.from(value).toString("base64url"),
      encodeURIComponent(value),
      JSON.stringify(value).slice(1, -1),
    ]);
    if (value.includes("\n")) {
      for (const line of value.split("\n")) if (line.length >= 16 && !line.startsWith("-----")) forms.add(line.trim());
    }
    for (const form of forms) if (form.length >= 6) this.forms.set(form, name);
  }

  get size(): number {
    return this.forms.size;
  }

  redact(text: string): string {
    if (this.forms.size === 0) return text;
    let result = text;
    // Longest first, so a value's base64 is not half-replaced by a shorter value inside it.
    for (const [form, name] of [...this.forms].sort((a, b) => b[0].length - a[0].length)) {
      if (result.includes(form)) result = result.split(form).join(`[secret:${name}]`);
    }
    return result;
  }
}
