#!/usr/bin/env node
// The terminal front end. The compile cache (Node >= 22.1) keeps the bundle's
// bytecode between runs; it must be on before the bundle loads, hence the
// dynamic import.
import module from 'node:module'

;(module as { enableCompileCache?: () => unknown }).enableCompileCache?.()
const { runCli } = await import('./cli/run.js')

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  isTty: process.stdout.isTTY === true,
  stderrIsTty: process.stderr.isTTY === true,
  ...(process.stdout.columns ? { columns: process.stdout.columns } : {})
})
