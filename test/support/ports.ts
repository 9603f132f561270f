// Shared with the bench scripts, which run as plain Node.
export { freePort } from "../../scripts/lib/ports.mjs";
