/**
 * pdf-lib's parser reports recoverable damage ("Trying to parse invalid object", "Invalid object
 * ref") with console.warn. Those lines are diagnostics of the input, not of our program: they go
 * to the debug log (`NODE_DEBUG=lienthong:pdf`, or a sink the host installs), never to the
 * terminal, where they would precede the one-line answer of the CLI.
 */
import { debuglog } from 'node:util';

const debug = debuglog('lienthong:pdf');
let sink: (line: string) => void = (line) => debug('%s', line);
let depth = 0;
let original: typeof console.warn | null = null;

/** Where parser warnings go (the hub may route them to its logger at debug level). */
export function setPdfWarningSink(fn: (line: string) => void): void {
  sink = fn;
}

/**
 * Runs `parse` with console.warn redirected to the debug log. Overlapping calls share one
 * redirection, restored when the last one ends.
 */
export async function withQuietParser<T>(parse: () => Promise<T>): Promise<T> {
  if (depth++ === 0) {
    original = console.warn;
    console.warn = (...args: unknown[]) => sink(`pdf-lib: ${args.map(String).join(' ')}`);
  }
  try {
    return await parse();
  } finally {
    if (--depth === 0 && original) {
      console.warn = original;
      original = null;
    }
  }
}
