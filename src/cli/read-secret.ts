import { readFileSync } from "node:fs";
import { UsageError } from "../errors.js";

function trimNewline(text: string): string {
  return text.replace(/\r?\n$/, "");
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads from the terminal without echoing a single character. */
function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    // Echo goes off before the prompt appears, so nothing typed after it can show.
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    stdin.resume();
    let value = "";
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") return done();
        if (char === "\u0003") return done(new UsageError("cancelled; nothing was stored"));
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on("data", onData);
  });
}

/** A secret value from --from-file, a pipe, or a hidden prompt; never from the command line. */
export async function readSecretValue(name: string, fromFile?: string): Promise<string> {
  if (fromFile) {
    try {
      return trimNewline(readFileSync(fromFile, "utf8"));
    } catch (error) {
      throw new UsageError(`cannot read ${fromFile}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  }
  if (process.stdin.isTTY) return readHidden(`value for ${name} (input hidden): `);
  return trimNewline(await readStdin());
}
