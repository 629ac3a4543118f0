// Entry point of one instance: read the configuration, start, and shut down gracefully.
import { ConfigError, loadConfig } from "./config.js";
import { runInstance, runOrExit } from "./run.js";

runOrExit(async () => {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  await runInstance(config);
});
