import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { userDirs } from "../fs/paths.js";

/**
 * The directory that holds the store key's file (or its record, when the key
 * is in the keychain), the stores it encrypted, and the markers that say a
 * store was created. Normally the user's config directory.
 */
export class KeyHome {
  constructor(readonly dir: string) {}

  static user(): KeyHome {
    return new KeyHome(userDirs().config);
  }

  /** The key itself when it is kept in a file (mode 0600). */
  get keyFile(): string {
    return join(this.dir, "age-identity.txt");
  }

  /** Where the key lives and its public key: no secret. */
  get recordFile(): string {
    return join(this.dir, "store-key.json");
  }

  get storesDir(): string {
    return join(this.dir, "stores");
  }

  /** One file per store ever created, kept apart from the stores so losing a store is noticed. */
  get markersDir(): string {
    return join(this.dir, "store-markers");
  }

  markerFor(storeFile: string): string {
    return join(this.markersDir, `${basename(dirname(storeFile))}.${basename(storeFile).replace(/\.age$/, "")}.json`);
  }

  /** Stores (and markers of stores) that some key encrypted: evidence that a missing key is lost, not new. */
  existingStores(also?: string): string[] {
    const found: string[] = [];
    if (also && (existsSync(also) || existsSync(`${also}.prev`))) found.push(also);
    for (const project of list(this.storesDir)) {
      for (const name of list(join(this.storesDir, project))) if (/\.age(\.prev)?$/.test(name)) found.push(join(this.storesDir, project, name));
    }
    const stores = [...new Set(found.map((f) => f.replace(/\.prev$/, "")))];
    // A marker counts only where its store is gone: one store is one piece of evidence.
    const marked = new Set(stores.map((f) => this.markerFor(f)));
    for (const name of list(this.markersDir)) if (name.endsWith(".json") && !marked.has(join(this.markersDir, name))) stores.push(join(this.markersDir, name));
    return stores;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
