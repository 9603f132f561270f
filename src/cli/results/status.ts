import { z } from "zod";
import { result } from "./lines.js";

/** `devstack status --json`: the local stack's containers; none when it was never started. */
export const schema = result("status", {
  profile: z.string(),
  stack: z.string(),
  components: z.array(
    z.strictObject({
      component: z.string(),
      container: z.string(),
      state: z.string(),
      health: z.string(),
      image: z.string(),
      version: z.string(),
      ports: z.array(z.string()),
      url: z.string().nullable(),
    }),
  ),
  volumes: z.array(z.string()),
  /** The host port of each port key of the local profile: the written, default or remembered one (up moves a taken default). */
  ports: z.record(z.string(), z.number()),
  /** The keys whose port is not their default, and that default. */
  movedPorts: z.array(z.strictObject({ key: z.string(), port: z.number(), default: z.number() })),
  /** The app's components in the local cluster (ready/desired replicas, version); null when no cluster runs or it did not answer. */
  app: z.array(z.strictObject({ component: z.string(), ready: z.number(), desired: z.number(), version: z.string() })).nullable(),
  appProblem: z.string().optional(),
  urls: z.strictObject({ app: z.string(), grafana: z.string(), mail: z.string(), components: z.record(z.string(), z.array(z.string())) }).nullable(),
});
