import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const PDF = /\.pdf$/i;

/** An input as given on the command line: a file, or a folder whose PDFs it stands for. */
export type Input = { path: string; root?: string };

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return walk(path);
      return PDF.test(e.name) && (e.isFile() || e.isSymbolicLink()) ? [path] : [];
    });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a missing path stays a file: reading it reports the error for that file
  }
}

/**
 * FILE|DIR arguments → the files to process, in the order given: a file as named (whatever its
 * extension — it was asked for), a folder as its `*.pdf` files, recursively, sorted by name.
 * `root` is the folder a file was found in, so outputs can keep the same relative layout.
 */
export function expandInputs(paths: string[]): Input[] {
  return paths.flatMap((p) =>
    isDirectory(p) ? walk(p).map((path) => ({ path, root: p })) : [{ path: p }],
  );
}

/** True when the arguments are exactly one existing or missing file (not a folder). */
export function isSingleFile(paths: string[]): boolean {
  return paths.length === 1 && !isDirectory(paths[0]!);
}
