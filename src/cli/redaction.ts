import { Redactor } from "../secrets/redact.js";
import { setOutputFilter } from "./output.js";

/**
 * The one redactor every byte of output passes through. Apart from
 * protect.ts, which needs the config schema to know a profile's secrets: an
 * export CronJob protects its environment's values without loading it.
 */
const redactor = new Redactor();

/** Puts the redactor in front of the output once it holds anything. */
export function redactOutput(add: (redactor: Redactor) => void): void {
  add(redactor);
  if (redactor.size > 0) setOutputFilter((text) => redactor.redact(text));
}

/** Adds values from outside any store (the environment of an export CronJob) to the redactor. */
export function protectValues(values: Record<string, string | undefined>): void {
  redactOutput((r) => {
    for (const [name, value] of Object.entries(values)) if (value) r.add(name, value);
  });
}
