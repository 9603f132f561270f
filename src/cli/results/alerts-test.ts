import { z } from "zod";
import { result } from "./lines.js";

/** `devstack alerts test NAME --json`: the synthetic alert sent, and who its route mails. */
export const schema = result("alerts test", {
  profile: z.string(),
  sent: z.string(),
  to: z.array(z.string()),
});
