#!/usr/bin/env node
import { cliMessage } from "../dist/cli/flag-names.js";
import { main } from "../dist/cli/main.js";
import { exitOnUncaughtErrors } from "../dist/util/fatal.js";

// An error no try/catch sees still ends in one line, never a library's source (util/fatal.ts).
exitOnUncaughtErrors(cliMessage);
process.exitCode = await main(process.argv);
