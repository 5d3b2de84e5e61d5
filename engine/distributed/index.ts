// Training on several threads: ranks that each run the engine (see spawn.ts).
export { type Shipped, type SpawnOptions, spawn } from "./spawn.js";
