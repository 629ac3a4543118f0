// A child instance on the Cluster pass of `npm test`: src/main.ts, with the configuration built
// past the start's refusal of a Cluster (testConfig).
import { runInstance, runOrExit } from "../../src/run.js";
import { testConfig } from "./env.js";

runOrExit(() => runInstance(testConfig(process.env)));
