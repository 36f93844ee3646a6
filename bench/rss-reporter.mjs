// Loaded with `node --import` by the benchmarks: prints the process's peak
// resident memory (KiB) to stderr when it exits.
process.on('exit', () => {
  process.stderr.write(`\nDMR_MAX_RSS_KB=${process.resourceUsage().maxRSS}\n`)
})
