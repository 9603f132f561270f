// Shared with the bench scripts, which run as plain Node.
export { freePort, freePorts, freePortsFor } from "../../scripts/lib/ports.mjs";
