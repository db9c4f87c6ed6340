#!/usr/bin/env node
import { exitOnUncaughtErrors } from "../dist/cli/fatal.js";
import { main } from "../dist/cli/main.js";

// An error no try/catch sees still ends in one line, never a library's source (cli/fatal.ts).
exitOnUncaughtErrors();
process.exitCode = await main(process.argv);
