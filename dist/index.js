import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);

// src/main.ts
async function run() {
  throw new Error("not built yet");
}

// src/index.ts
await run();
