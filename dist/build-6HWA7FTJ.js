import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  require_build
} from "./chunk-72HMFV7S.js";
import "./chunk-OZPBTWHR.js";
import "./chunk-JMBS7UGV.js";
export default require_build();
