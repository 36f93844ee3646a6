// A duration in words, the same in every message and report: `3 ms`, `1.6 s`, `1 min 52 s`, `2 h 5 min`.

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const minutes = Math.floor(ms / 60_000)
  return minutes < 60 ? `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}
