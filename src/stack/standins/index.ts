import type { Component, StandIn } from "./standin.js";
import { k3s } from "./k3s.js";
import { objectStore } from "./object-store.js";
import { challtestsrv, pebble } from "./pebble.js";
import { postgres } from "./postgres.js";
import { redis } from "./redis.js";
import { registry } from "./registry.js";
import { smtp } from "./smtp.js";
import { InternalError } from "../../errors.js";

/** Every container `up` may run, in the order it creates them (k3s last: it reaches the others). */
export const STANDINS: readonly StandIn[] = [registry, postgres, challtestsrv, pebble, smtp, objectStore, redis, k3s];

export function standIn(component: Component): StandIn {
  const found = STANDINS.find((s) => s.component === component);
  if (!found) throw new InternalError(`no stand-in for component ${component}`);
  return found;
}
