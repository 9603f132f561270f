// One JSON object per line on stdout: Alloy parses these and labels them by level.
export function log(level, msg, fields = {}) {
  const line = { time: new Date().toISOString(), level, msg, service: process.env.SERVICE, ...fields };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
