import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  post
} from "./chunk-7IMME5XT.js";
import "./chunk-7FQA7KLM.js";
import "./chunk-RGEDZ3GP.js";
import "./chunk-TGA4UPQO.js";
import "./chunk-ECDJX7Z5.js";
import "./chunk-DB7JTVB4.js";
import "./chunk-OMC7XPTM.js";
import "./chunk-JMBS7UGV.js";

// src/post-index.ts
await post();
