#!/usr/bin/env node
// strata-ml's install script (added to the packed package.json by scripts/pack.mjs). The native
// packages are bundled inside strata-ml's tarball, and npm never runs a bundled dependency's own
// install script (npm 11: "Bundled dependencies never run their install scripts"), so strata-ml
// runs their install steps itself: each keeps its prebuilt addon when it loads, else builds from
// source when it can, else prints one line naming the apt-get install. It never fails the install.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
for (const name of ["strata-ml-torch", "strata-ml-xgboost"]) {
  let dir;
  try {
    dir = dirname(require.resolve(`${name}/package.json`));
  } catch {
    console.log(`strata-ml: ${name} is not installed beside strata-ml; its native addon is not set up`);
    continue;
  }
  spawnSync(process.execPath, [join(dir, "scripts", "install.mjs")], { stdio: "inherit" });
}
