import { firstLine, StrataError } from "../errors.js";
import { abandonPendingWrites } from "./atomic.js";

/** The exit code of an internal error (sysexits' EX_SOFTWARE), as main() returns it. */
const INTERNAL_ERROR = 70;

let installed = false;

/**
 * Makes an error that escapes main()'s try/catch (thrown in a timer or an event listener, or a
 * rejected promise nobody awaited) end the command as main() ends one: anything being written
 * atomically put back as it was, one line on stderr, exit 70 (1 for a StrataError). Without this
 * Node prints the throw site's source line, which in a bundled library is a line of minified
 * source (37 KB of TF.js's WASM glue with source maps on), and the stack. `describe` gives a
 * StrataError's message in the program's terms (the CLI's: flags for API names).
 */
export function exitOnUncaughtErrors(describe: (e: StrataError) => string = (e) => e.message): void {
  if (installed) return;
  installed = true;
  const fail = (e: unknown) => {
    let code = INTERNAL_ERROR;
    try {
      abandonPendingWrites();
      if (e instanceof StrataError) {
        code = 1;
        process.stderr.write(`strata: error: ${firstLine(describe(e))}\n`);
      } else {
        process.stderr.write(`strata: internal error: ${firstLine(e)}\n`);
        if (process.env.STRATA_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
        else process.stderr.write("(set STRATA_DEBUG=1 for the stack trace, and please report it)\n");
      }
    } finally {
      process.exit(code);
    }
  };
  // First in line: a listener that rethrows (as Emscripten's glue does) must not run before it.
  process.prependListener("uncaughtException", fail);
  process.prependListener("unhandledRejection", fail);
}
